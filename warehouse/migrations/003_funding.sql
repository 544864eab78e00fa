-- FOLLOW THE MONEY: grant opportunities, awards, sub-awards, who receives them, and what authorizes them.
CREATE SCHEMA IF NOT EXISTS funding;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE TABLE funding.opportunities (
    source              VARCHAR NOT NULL,
    opportunity_id      VARCHAR NOT NULL,
    number              VARCHAR,
    title               VARCHAR,
    agency              VARCHAR,
    agency_code         VARCHAR,
    status              VARCHAR,
    open_date           DATE,
    close_date          DATE,
    assistance_listings VARCHAR[],
    award_ceiling       DOUBLE,
    award_floor         DOUBLE,
    estimated_funding   DOUBLE,
    applicant_types     VARCHAR[],
    eligibility         VARCHAR,
    description         VARCHAR,
    diversion_related   BOOLEAN NOT NULL,
    relevance_evidence  VARCHAR,
    url                 VARCHAR NOT NULL,
    fetched_at          TIMESTAMP NOT NULL,
    sha256              VARCHAR NOT NULL,
    loaded_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (source, opportunity_id)
);
COMMENT ON TABLE funding.opportunities IS 'Notices of funding opportunity from Grants.gov and the Federal Register, with provenance of the response read.';

CREATE TABLE funding.announcements (
    source              VARCHAR NOT NULL,
    agency              VARCHAR,
    jurisdiction        VARCHAR NOT NULL,
    title               VARCHAR,
    program             VARCHAR,
    published           DATE,
    fiscal_year         INTEGER,
    amounts             DOUBLE[],
    deadlines           DATE[],
    eligible_applicants VARCHAR[],
    awards              JSON,
    link                VARCHAR NOT NULL,
    diversion_related   BOOLEAN NOT NULL,
    relevance_evidence  VARCHAR,
    url                 VARCHAR NOT NULL,
    fetched_at          TIMESTAMP NOT NULL,
    sha256              VARCHAR NOT NULL,
    loaded_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (source, link)
);
COMMENT ON TABLE funding.announcements IS 'State agency grant pages and feed items: program, amounts, deadlines, eligible applicants and announced awards.';
COMMENT ON COLUMN funding.announcements.awards IS '[{"recipient","amount","evidence"}] as stated on the page.';

CREATE TABLE funding.awards (
    source               VARCHAR NOT NULL,
    award_id             VARCHAR NOT NULL,
    recipient_name       VARCHAR NOT NULL,
    recipient_key        VARCHAR NOT NULL,
    amount               DOUBLE,
    state                VARCHAR,
    fiscal_year          INTEGER,
    awarding_agency      VARCHAR,
    assistance_listings  VARCHAR[],
    description          VARCHAR,
    start_date           DATE,
    end_date             DATE,
    recipient_categories VARCHAR[],
    subaward_count       INTEGER,
    opportunity_number   VARCHAR,
    diversion_related    BOOLEAN NOT NULL,
    relevance_evidence   VARCHAR,
    url                  VARCHAR NOT NULL,
    fetched_at           TIMESTAMP NOT NULL,
    sha256               VARCHAR NOT NULL,
    loaded_at            TIMESTAMP NOT NULL,
    PRIMARY KEY (source, award_id)
);
COMMENT ON TABLE funding.awards IS 'Prime awards: federal grants from USAspending and state grants announced on agency pages.';
COMMENT ON COLUMN funding.awards.fiscal_year IS 'Federal fiscal year of the start date for federal awards; the page''s year for announced state grants.';

CREATE TABLE funding.subawards (
    source         VARCHAR NOT NULL,
    subaward_id    VARCHAR NOT NULL,
    subaward_number VARCHAR,
    prime_source   VARCHAR NOT NULL,
    prime_award_id VARCHAR NOT NULL,
    recipient_name VARCHAR NOT NULL,
    recipient_key  VARCHAR NOT NULL,
    amount         DOUBLE,
    action_date    DATE,
    description    VARCHAR,
    url            VARCHAR NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    sha256         VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (source, prime_award_id, subaward_id)
);
COMMENT ON TABLE funding.subawards IS 'Money prime recipients passed on, read only for diversion-related prime awards.';
COMMENT ON COLUMN funding.subawards.subaward_number IS 'The prime''s own number for the sub-award; one number can be reported on several rows (actions), which the mart counts once at its largest amount.';

CREATE TABLE funding.recipients (
    source         VARCHAR NOT NULL,
    recipient_key  VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    recipient_type VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,
    matched        VARCHAR,
    categories     VARCHAR[],
    loaded_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (source, recipient_key)
);
COMMENT ON TABLE funding.recipients IS 'Each award or sub-award recipient typed by analysis/money/recipient_rules.toml; `rule` names the rule that fired.';

CREATE TABLE funding.links (
    item_kind   VARCHAR NOT NULL,
    item_source VARCHAR NOT NULL,
    item_id     VARCHAR NOT NULL,
    target_kind VARCHAR NOT NULL,
    target_id   VARCHAR NOT NULL,
    jurisdiction VARCHAR,
    methods     VARCHAR[] NOT NULL,
    evidence    VARCHAR NOT NULL,
    confidence  DOUBLE NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE funding.links IS 'Money tied to the program or bill clause that authorizes it, with evidence and a confidence in [0, 1].';

-- Where diversion money ends up: sub-awards go to their own recipients, the rest stays with the prime recipient.
CREATE VIEW marts.funding_shares AS
WITH prime AS (
    SELECT source, award_id, state, fiscal_year, amount, recipient_key
    FROM funding.awards
    WHERE diversion_related AND amount IS NOT NULL
),
passed AS (
    -- a sub-award reported on several rows is counted once, at its largest amount
    SELECT s.prime_source, s.prime_award_id, s.recipient_key, max(s.amount) AS amount
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
    SELECT p.state, p.fiscal_year, s.recipient_key, s.amount, 'subawards' AS recipient_source
    FROM passed s JOIN prime p ON p.source = s.prime_source AND p.award_id = s.prime_award_id
    UNION ALL
    SELECT p.state, p.fiscal_year, p.recipient_key, greatest(p.amount - coalesce(t.amount, 0), 0), 'awards'
    FROM prime p LEFT JOIN passed_total t ON t.prime_source = p.source AND t.prime_award_id = p.award_id
),
typed AS (
    SELECT f.state, f.fiscal_year, f.amount, coalesce(r.recipient_type, 'other') AS recipient_type
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
        sum(amount) FILTER (WHERE recipient_type = 'other') AS other_amount
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
        AS subawards_followed
FROM totals t;
COMMENT ON VIEW marts.funding_shares IS 'Share of diversion-related money reaching law enforcement and prosecution versus services, by state and year, following sub-awards where they exist.';
