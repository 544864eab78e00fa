-- Imported funding records keep what their amount means and what the row says; bill versions say whether the text is whole.
-- The funding marts are redefined once more: only awards are summed, unknown recipients are their own group, and the replayed flag of 008 is kept.
ALTER TABLE core.bill_versions ADD COLUMN text_complete BOOLEAN;
COMMENT ON COLUMN core.bill_versions.text_complete IS 'false for an excerpt, true for a complete text, NULL when the source does not say.';

ALTER TABLE funding.awards ADD COLUMN amount_kind VARCHAR DEFAULT 'award';
ALTER TABLE funding.awards ADD COLUMN program VARCHAR;
ALTER TABLE funding.awards ADD COLUMN recipient_kind_stated VARCHAR;
ALTER TABLE funding.awards ADD COLUMN authorizing_law VARCHAR;
ALTER TABLE funding.awards ADD COLUMN note VARCHAR;
UPDATE funding.awards SET amount_kind = 'award' WHERE amount_kind IS NULL;
COMMENT ON COLUMN funding.awards.amount_kind IS 'What the amount is: award, restated_award, yearly_ceiling, not_to_exceed, application, appropriation, funding_available, program_total, per_grant or proposed; only award is summed.';
COMMENT ON COLUMN funding.awards.authorizing_law IS 'The law or bill the source says authorizes the money, as written.';
COMMENT ON COLUMN funding.awards.note IS 'Caveat about the row (discrepancies, what the source leaves out).';

-- Only awarded money is summed; ceilings, applications and announced pools never are. Recipients no rule could type are unknown.
CREATE OR REPLACE VIEW marts.funding_shares AS
WITH prime AS (
    SELECT source, award_id, state, fiscal_year, amount, recipient_key, replayed
    FROM funding.awards
    WHERE diversion_related AND amount IS NOT NULL AND amount_kind = 'award'
),
passed AS (
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
    SELECT f.state, f.fiscal_year, f.amount, f.replayed, coalesce(r.recipient_type, 'unknown') AS recipient_type
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
        sum(amount) FILTER (WHERE recipient_type = 'unknown') AS unknown_amount,
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
    coalesce(t.unknown_amount, 0) AS unknown_amount,
    (coalesce(t.law_enforcement_amount, 0) + coalesce(t.prosecution_amount, 0))
        / nullif(t.total_amount - coalesce(t.unknown_amount, 0), 0) AS enforcement_share,
    coalesce(t.services_amount, 0) / nullif(t.total_amount - coalesce(t.unknown_amount, 0), 0) AS services_share,
    (SELECT count(*) FROM prime p WHERE coalesce(nullif(p.state, ''), 'US') = t.state
        AND p.fiscal_year IS NOT DISTINCT FROM t.year) AS prime_awards,
    (SELECT count(*) FROM passed s JOIN prime p ON p.source = s.prime_source AND p.award_id = s.prime_award_id
        WHERE coalesce(nullif(p.state, ''), 'US') = t.state AND p.fiscal_year IS NOT DISTINCT FROM t.year)
        AS subawards_followed,
    t.replayed
FROM totals t;
COMMENT ON VIEW marts.funding_shares IS 'Share of awarded diversion money reaching law enforcement and prosecution versus services, by state and year, following sub-awards; shares are of the money whose recipient type is known.';
COMMENT ON COLUMN marts.funding_shares.state IS 'Two-letter state code of the prime award, or US when the award names no state.';
COMMENT ON COLUMN marts.funding_shares.year IS 'Fiscal year of the prime award.';
COMMENT ON COLUMN marts.funding_shares.total_amount IS 'Awarded diversion-related money that year, in dollars, following sub-awards where they exist.';
COMMENT ON COLUMN marts.funding_shares.law_enforcement_amount IS 'Dollars reaching police and sheriffs.';
COMMENT ON COLUMN marts.funding_shares.prosecution_amount IS 'Dollars reaching prosecutors and attorneys general.';
COMMENT ON COLUMN marts.funding_shares.courts_corrections_amount IS 'Dollars reaching courts, probation and corrections.';
COMMENT ON COLUMN marts.funding_shares.services_amount IS 'Dollars reaching health and human services agencies and nonprofit providers.';
COMMENT ON COLUMN marts.funding_shares.evaluation_amount IS 'Dollars reaching universities and evaluators.';
COMMENT ON COLUMN marts.funding_shares.other_amount IS 'Dollars reaching general-purpose governments (a city or county that did not say which agency spends it).';
COMMENT ON COLUMN marts.funding_shares.prime_awards IS 'Diversion-related prime awards counted.';
COMMENT ON COLUMN marts.funding_shares.subawards_followed IS 'Sub-awards of those prime awards whose money was followed to its recipient.';
COMMENT ON COLUMN marts.funding_shares.unknown_amount IS 'Dollars reaching recipients no rule could type (left out of the shares).';
COMMENT ON COLUMN marts.funding_shares.enforcement_share IS '(law enforcement + prosecution) / money of known recipient type; NULL when no recipient is typed.';
COMMENT ON COLUMN marts.funding_shares.replayed IS 'True when any of the money counted comes from replayed recordings rather than live sources.';
COMMENT ON COLUMN marts.funding_shares.services_share IS 'services / money of known recipient type; NULL when no recipient is typed.';

CREATE OR REPLACE VIEW marts.funding_by_recipient_type AS
SELECT
    state AS jurisdiction, year, regexp_replace(recipient_column, '_amount$', '') AS recipient_type,
    amount, amount / nullif(total_amount, 0) AS share, total_amount, replayed
FROM (
    UNPIVOT (
        SELECT state, year, total_amount, law_enforcement_amount, prosecution_amount, courts_corrections_amount,
               services_amount, evaluation_amount, other_amount, unknown_amount, replayed
        FROM marts.funding_shares
    )
    ON law_enforcement_amount, prosecution_amount, courts_corrections_amount, services_amount, evaluation_amount,
       other_amount, unknown_amount
    INTO NAME recipient_column VALUE amount
);
COMMENT ON VIEW marts.funding_by_recipient_type IS 'Funding by recipient type: one row per state, year and recipient group (unknown included), with its share of the year''s awarded diversion money.';
COMMENT ON COLUMN marts.funding_by_recipient_type.jurisdiction IS 'Two-letter state code, or US when the award names no state.';
COMMENT ON COLUMN marts.funding_by_recipient_type.year IS 'Fiscal year of the prime award.';
COMMENT ON COLUMN marts.funding_by_recipient_type.recipient_type IS 'law_enforcement, prosecution, courts_corrections, services, evaluation, other (general government) or unknown (no rule matched).';
COMMENT ON COLUMN marts.funding_by_recipient_type.amount IS 'Dollars reaching that group (sub-awards followed).';
COMMENT ON COLUMN marts.funding_by_recipient_type.share IS 'amount / total_amount; NULL when the year has no money.';
COMMENT ON COLUMN marts.funding_by_recipient_type.total_amount IS 'All awarded diversion-related dollars for the state and year.';
COMMENT ON COLUMN marts.funding_by_recipient_type.replayed IS 'True when any of the state-year''s money comes from replayed recordings rather than live sources.';

-- Every funding record as a reader checks it: what the amount means, who got it, their type, and the bill it cites.
CREATE OR REPLACE VIEW marts.funding_records AS
SELECT
    a.source, a.award_id, a.recipient_name, coalesce(r.recipient_type, 'unknown') AS recipient_type, r.rule AS type_rule,
    a.amount, a.amount_kind, nullif(a.state, '') AS state, a.fiscal_year, a.program, a.authorizing_law,
    (SELECT string_agg(l.target_id, '; ' ORDER BY l.target_id) FROM funding.links l
        WHERE l.item_kind = 'award' AND l.item_source = a.source AND l.item_id = a.award_id AND l.target_kind = 'bill')
        AS linked_bills,
    a.diversion_related, a.note, a.url, a.replayed
FROM funding.awards a
LEFT JOIN funding.recipients r ON r.source = 'awards' AND r.recipient_key = a.recipient_key;
COMMENT ON VIEW marts.funding_records IS 'Every award or announced amount with the kind of amount, the recipient type and the bills it is linked to; only amount_kind = award rows enter the shares.';
COMMENT ON COLUMN marts.funding_records.source IS 'usaspending, announcement, or records:<file> for imported records.';
COMMENT ON COLUMN marts.funding_records.award_id IS 'The award number, or a row key for records that print none.';
COMMENT ON COLUMN marts.funding_records.recipient_name IS 'Recipient as the source names it.';
COMMENT ON COLUMN marts.funding_records.recipient_type IS 'Type from the recipient rules; unknown when no rule matched.';
COMMENT ON COLUMN marts.funding_records.type_rule IS 'The rule that gave the type.';
COMMENT ON COLUMN marts.funding_records.amount IS 'Dollars as the source states them; read with amount_kind.';
COMMENT ON COLUMN marts.funding_records.amount_kind IS 'award, restated_award, yearly_ceiling, not_to_exceed, application, appropriation, funding_available, program_total, per_grant or proposed.';
COMMENT ON COLUMN marts.funding_records.state IS 'Two-letter state code, NULL when the source names none.';
COMMENT ON COLUMN marts.funding_records.fiscal_year IS 'Fiscal year as the source states it.';
COMMENT ON COLUMN marts.funding_records.program IS 'Grant program as the source names it.';
COMMENT ON COLUMN marts.funding_records.authorizing_law IS 'Law the source says authorizes the money.';
COMMENT ON COLUMN marts.funding_records.linked_bills IS 'Tracked bills that law names (jurisdiction session bill).';
COMMENT ON COLUMN marts.funding_records.diversion_related IS 'Whether the relevance rules count the row as diversion money.';
COMMENT ON COLUMN marts.funding_records.note IS 'Caveat about the row.';
COMMENT ON COLUMN marts.funding_records.url IS 'Where the row was read.';
COMMENT ON COLUMN marts.funding_records.replayed IS 'True when the row comes from bundled recordings or files rather than a live API.';
