-- Raw bodies move out of the database into content-addressed files (warehouse/payloads.py); the table keeps
-- hash, size, URL, fetch times and the file's path. Rows loaded before this migration lose their bodies.
ALTER TABLE core.raw_payloads DROP COLUMN body;
ALTER TABLE core.raw_payloads ADD COLUMN size_bytes BIGINT;
ALTER TABLE core.raw_payloads ADD COLUMN last_fetched_at TIMESTAMP;
ALTER TABLE core.raw_payloads ADD COLUMN path VARCHAR;
UPDATE core.raw_payloads SET last_fetched_at = fetched_at;
COMMENT ON TABLE core.raw_payloads IS 'One row per distinct response body; the body itself is a content-addressed file at `path`.';
COMMENT ON COLUMN core.raw_payloads.sha256 IS 'SHA-256 of the body, also its file name in the payload store.';
COMMENT ON COLUMN core.raw_payloads.size_bytes IS 'Body size in bytes.';
COMMENT ON COLUMN core.raw_payloads.fetched_at IS 'When this body was first fetched.';
COMMENT ON COLUMN core.raw_payloads.last_fetched_at IS 'When this body was last fetched; retention counts from here.';
COMMENT ON COLUMN core.raw_payloads.path IS 'The body''s file, relative to the payload store (NULL for rows from before files, or pruned).';

-- Live means live: every funding row says whether it came from the bundled recordings (replayed) or a live API,
-- and the funding marts carry that flag so dashboards can label replayed money.
ALTER TABLE funding.opportunities ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.announcements ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.awards ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.subawards ADD COLUMN replayed BOOLEAN DEFAULT false;
COMMENT ON COLUMN funding.opportunities.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';
COMMENT ON COLUMN funding.announcements.replayed IS 'True when the row comes from the bundled recorded responses, not a live page.';
COMMENT ON COLUMN funding.awards.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';
COMMENT ON COLUMN funding.subawards.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';

CREATE OR REPLACE VIEW marts.funding_shares AS
WITH prime AS (
    SELECT source, award_id, state, fiscal_year, amount, recipient_key, replayed
    FROM funding.awards
    WHERE diversion_related AND amount IS NOT NULL
),
passed AS (
    -- a sub-award reported on several rows is counted once, at its largest amount
    SELECT s.prime_source, s.prime_award_id, s.recipient_key, max(s.amount) AS amount, bool_or(s.replayed) AS replayed
    FROM funding.subawards s
    JOIN prime p ON p.source = s.prime_source AND p.award_id = s.prime_award_id
    WHERE s.amount IS NOT NULL
    GROUP BY s.prime_source, s.prime_award_id, s.recipient_key, coalesce(nullif(s.subaward_number, ''), s.subaward_id)
),
passed_total AS (
    SELECT prime_source, prime_award_id, sum(amount) AS amount, count(*) AS n
    FROM passed GROUP BY ALL
),
flows AS (
    SELECT p.state, p.fiscal_year, s.recipient_key, s.amount, p.replayed OR s.replayed AS replayed,
        'subawards' AS recipient_source
    FROM passed s JOIN prime p ON p.source = s.prime_source AND p.award_id = s.prime_award_id
    UNION ALL
    SELECT p.state, p.fiscal_year, p.recipient_key, greatest(p.amount - coalesce(t.amount, 0), 0), p.replayed, 'awards'
    FROM prime p LEFT JOIN passed_total t ON t.prime_source = p.source AND t.prime_award_id = p.award_id
),
typed AS (
    SELECT f.state, f.fiscal_year, f.amount, f.replayed, coalesce(r.recipient_type, 'other') AS recipient_type
    FROM flows f
    LEFT JOIN funding.recipients r ON r.source = f.recipient_source AND r.recipient_key = f.recipient_key
),
totals AS (
    SELECT
        coalesce(nullif(state, ''), 'US') AS state,
        fiscal_year AS year,
        sum(amount) AS total_amount,
        sum(amount) FILTER (WHERE recipient_type = 'law_enforcement') AS law_enforcement_amount,
        sum(amount) FILTER (WHERE recipient_type = 'prosecution') AS prosecution_amount,
        sum(amount) FILTER (WHERE recipient_type = 'courts_corrections') AS courts_corrections_amount,
        sum(amount) FILTER (WHERE recipient_type IN ('health_human_services', 'nonprofit_provider')) AS services_amount,
        sum(amount) FILTER (WHERE recipient_type = 'university_evaluator') AS evaluation_amount,
        sum(amount) FILTER (WHERE recipient_type = 'other') AS other_amount,
        bool_or(replayed) AS replayed
    FROM typed GROUP BY ALL
)
SELECT
    t.state,
    t.year,
    t.total_amount,
    coalesce(t.law_enforcement_amount, 0) AS law_enforcement_amount,
    coalesce(t.prosecution_amount, 0) AS prosecution_amount,
    coalesce(t.courts_corrections_amount, 0) AS courts_corrections_amount,
    coalesce(t.services_amount, 0) AS services_amount,
    coalesce(t.evaluation_amount, 0) AS evaluation_amount,
    coalesce(t.other_amount, 0) AS other_amount,
    (coalesce(t.law_enforcement_amount, 0) + coalesce(t.prosecution_amount, 0)) / nullif(t.total_amount, 0)
        AS enforcement_share,
    coalesce(t.services_amount, 0) / nullif(t.total_amount, 0) AS services_share,
    (SELECT count(*) FROM prime p WHERE coalesce(nullif(p.state, ''), 'US') = t.state
        AND p.fiscal_year IS NOT DISTINCT FROM t.year) AS prime_awards,
    (SELECT count(*) FROM passed s JOIN prime p ON p.source = s.prime_source AND p.award_id = s.prime_award_id
        WHERE coalesce(nullif(p.state, ''), 'US') = t.state AND p.fiscal_year IS NOT DISTINCT FROM t.year)
        AS subawards_followed,
    t.replayed
FROM totals t;

CREATE OR REPLACE VIEW marts.funding_by_recipient_type AS
SELECT
    state AS jurisdiction, year, regexp_replace(recipient_column, '_amount$', '') AS recipient_type,
    amount, amount / nullif(total_amount, 0) AS share, total_amount, replayed
FROM (
    UNPIVOT (
        SELECT state, year, total_amount, law_enforcement_amount, prosecution_amount, courts_corrections_amount,
               services_amount, evaluation_amount, other_amount, replayed
        FROM marts.funding_shares
    )
    ON law_enforcement_amount, prosecution_amount, courts_corrections_amount, services_amount, evaluation_amount,
       other_amount
    INTO NAME recipient_column VALUE amount
);

-- CREATE OR REPLACE drops a view's comments: the documentation of both marts again, plus the new column.
COMMENT ON COLUMN marts.funding_shares.state IS 'Two-letter state code of the prime award, or US when the award names no state.';
COMMENT ON COLUMN marts.funding_shares.year IS 'Fiscal year of the prime award.';
COMMENT ON COLUMN marts.funding_shares.total_amount IS 'Diversion-related money that year, in dollars, following sub-awards where they exist.';
COMMENT ON COLUMN marts.funding_shares.law_enforcement_amount IS 'Dollars reaching police and sheriffs.';
COMMENT ON COLUMN marts.funding_shares.prosecution_amount IS 'Dollars reaching prosecutors and attorneys general.';
COMMENT ON COLUMN marts.funding_shares.courts_corrections_amount IS 'Dollars reaching courts, probation and corrections.';
COMMENT ON COLUMN marts.funding_shares.services_amount IS 'Dollars reaching health and human services agencies and nonprofit providers.';
COMMENT ON COLUMN marts.funding_shares.evaluation_amount IS 'Dollars reaching universities and evaluators.';
COMMENT ON COLUMN marts.funding_shares.other_amount IS 'Dollars reaching recipients of any other or unknown type.';
COMMENT ON COLUMN marts.funding_shares.enforcement_share IS '(law enforcement + prosecution) / total.';
COMMENT ON COLUMN marts.funding_shares.services_share IS 'services / total.';
COMMENT ON COLUMN marts.funding_shares.prime_awards IS 'Diversion-related prime awards counted.';
COMMENT ON COLUMN marts.funding_shares.subawards_followed IS 'Sub-awards of those prime awards whose money was followed to its recipient.';
COMMENT ON VIEW marts.funding_by_recipient_type IS 'Funding by recipient type: one row per state, year and recipient group, with its share of the year''s diversion money.';
COMMENT ON COLUMN marts.funding_by_recipient_type.jurisdiction IS 'Two-letter state code, or US when the award names no state.';
COMMENT ON COLUMN marts.funding_by_recipient_type.year IS 'Fiscal year of the prime award.';
COMMENT ON COLUMN marts.funding_by_recipient_type.recipient_type IS 'law_enforcement, prosecution, courts_corrections, services, evaluation or other.';
COMMENT ON COLUMN marts.funding_by_recipient_type.amount IS 'Dollars reaching that group (sub-awards followed).';
COMMENT ON COLUMN marts.funding_by_recipient_type.total_amount IS 'All diversion-related dollars for the state and year.';
COMMENT ON COLUMN marts.funding_shares.replayed IS 'True when any of the money counted comes from replayed recordings rather than live sources.';
COMMENT ON COLUMN marts.funding_by_recipient_type.replayed IS 'True when any of the state-year''s money comes from replayed recordings rather than live sources.';
COMMENT ON VIEW marts.funding_shares IS 'Share of diversion-related money reaching law enforcement and prosecution versus services, by state and year, following sub-awards where they exist.';
COMMENT ON COLUMN marts.funding_by_recipient_type.share IS 'amount / total_amount; NULL when the year has no money.';
