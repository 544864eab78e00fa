-- Marts: the stable, documented views dashboards, BI tools and Parquet exports read.
-- Column names here are a contract; change them only with a new migration and a dictionary update.
CREATE SCHEMA IF NOT EXISTS marts;

-- One row per version, numbered in bill order; the shared base of the timeline and latest views.
-- Bill order follows the amendment chain the analysis computed (old -> new); versions outside the chain
-- (not analysed yet) fall back to date (undated last), label, revision and load time.
CREATE VIEW marts.version_timeline AS
WITH RECURSIVE chain AS (
    SELECT a.old_version_id AS version_id, 1 AS depth
    FROM analysis.amendments a
    WHERE NOT EXISTS (SELECT 1 FROM analysis.amendments b WHERE b.new_version_id = a.old_version_id)
    UNION
    SELECT a.new_version_id, c.depth + 1
    FROM chain c JOIN analysis.amendments a ON a.old_version_id = c.version_id
    WHERE c.depth < 500
),
chain_positions AS (
    SELECT v.jurisdiction, v.session, v.bill_id, v.version_label, v.version_date, max(c.depth) AS position
    FROM chain c JOIN core.bill_versions v USING (version_id)
    GROUP BY ALL
),
ordered AS (
    SELECT
        v.version_id, v.jurisdiction, v.session, v.bill_id, v.version_label, v.version_date, v.revision,
        v.url, v.source, v.loaded_at,
        coalesce(year(v.version_date), TRY_CAST(nullif(regexp_extract(v.session, '(19|20)\d\d', 0), '') AS INTEGER))
            AS year,
        row_number() OVER (
            PARTITION BY v.jurisdiction, v.session, v.bill_id
            ORDER BY p.position ASC NULLS LAST, v.version_date ASC NULLS LAST, v.version_label, v.revision,
                     v.loaded_at, v.version_id
        ) AS version_no,
        count(*) OVER (PARTITION BY v.jurisdiction, v.session, v.bill_id) AS version_count
    FROM core.bill_versions v
    LEFT JOIN chain_positions p
        ON p.jurisdiction = v.jurisdiction AND p.session = v.session AND p.bill_id = v.bill_id
        AND p.version_label = v.version_label AND p.version_date IS NOT DISTINCT FROM v.version_date
),
signal_counts AS (
    SELECT
        old_version_id, new_version_id,
        count(*) FILTER (WHERE severity = 'H') AS signals_high,
        count(*) FILTER (WHERE severity = 'M') AS signals_medium,
        count(*) FILTER (WHERE severity = 'L') AS signals_low,
        count(*) FILTER (WHERE severity = 'toward') AS signals_toward,
        list(DISTINCT signal ORDER BY signal) AS signal_ids
    FROM analysis.drift_signals
    GROUP BY old_version_id, new_version_id
),
clause_totals AS (
    SELECT version_id, count(*) AS clause_count FROM analysis.clauses GROUP BY version_id
)
SELECT
    o.jurisdiction, o.session, o.bill_id, o.version_id, o.version_no, o.version_count,
    o.version_label, o.version_date, o.year, o.revision, o.url, o.source, o.loaded_at,
    f.model_score, f.organizer_score, f.flags,
    coalesce(c.clause_count, 0) AS clause_count,
    a.old_version_id AS previous_version_id,
    a.direction,
    a.fidelity_new - a.fidelity_old AS fidelity_delta,
    coalesce(s.signals_high, 0) AS signals_high,
    coalesce(s.signals_medium, 0) AS signals_medium,
    coalesce(s.signals_low, 0) AS signals_low,
    coalesce(s.signals_toward, 0) AS signals_toward,
    coalesce(s.signal_ids, []::VARCHAR[]) AS signal_ids
FROM ordered o
LEFT JOIN analysis.version_fidelity f ON f.version_id = o.version_id
LEFT JOIN clause_totals c ON c.version_id = o.version_id
LEFT JOIN analysis.amendments a ON a.new_version_id = o.version_id
LEFT JOIN signal_counts s ON s.old_version_id = a.old_version_id AND s.new_version_id = a.new_version_id;

COMMENT ON VIEW marts.version_timeline IS 'Drift over time per bill: one row per version in bill order, with its fidelity and the amendment that produced it.';
COMMENT ON COLUMN marts.version_timeline.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.version_timeline.session IS 'Legislative session as the source writes it, e.g. 2015-16.';
COMMENT ON COLUMN marts.version_timeline.bill_id IS 'Bill or statute section as the legislature writes it, e.g. SB 1110.';
COMMENT ON COLUMN marts.version_timeline.version_id IS 'Key of the version in core.bill_versions.';
COMMENT ON COLUMN marts.version_timeline.version_no IS 'Position of the version in its bill, 1 = oldest: the analysis'' amendment chain, then date (undated last), label, revision for versions not analysed yet.';
COMMENT ON COLUMN marts.version_timeline.version_count IS 'How many versions the bill has in the warehouse.';
COMMENT ON COLUMN marts.version_timeline.version_label IS 'Version name as the source gives it, e.g. introduced, amended-senate, enrolled.';
COMMENT ON COLUMN marts.version_timeline.version_date IS 'Date of the version document; NULL when the source gives none.';
COMMENT ON COLUMN marts.version_timeline.year IS 'Year of the version date, or the first year named in the session when undated.';
COMMENT ON COLUMN marts.version_timeline.revision IS 'Revision of the same version label and date; a changed text becomes a new revision.';
COMMENT ON COLUMN marts.version_timeline.url IS 'Official URL of the version document.';
COMMENT ON COLUMN marts.version_timeline.source IS 'Source connector that fetched the version.';
COMMENT ON COLUMN marts.version_timeline.loaded_at IS 'When the version was loaded into the warehouse.';
COMMENT ON COLUMN marts.version_timeline.model_score IS 'Fidelity to the LEAD model in the model lens, in [-1, 1]; NULL when nothing could be scored.';
COMMENT ON COLUMN marts.version_timeline.organizer_score IS 'Fidelity in the organizer lens (prostitution eligibility weighted 0), in [-1, 1].';
COMMENT ON COLUMN marts.version_timeline.flags IS 'Fidelity flags raised for the version, e.g. prostitution offenses made eligible.';
COMMENT ON COLUMN marts.version_timeline.clause_count IS 'Operative clauses found in the version.';
COMMENT ON COLUMN marts.version_timeline.previous_version_id IS 'The version this one amends; NULL for the first version.';
COMMENT ON COLUMN marts.version_timeline.direction IS 'Direction of the amendment into this version: drift-away, toward-model, mixed or no-change; NULL for the first version.';
COMMENT ON COLUMN marts.version_timeline.fidelity_delta IS 'Model-lens fidelity of this version minus that of the previous one.';
COMMENT ON COLUMN marts.version_timeline.signals_high IS 'High-severity drift signals that fired on the amendment into this version.';
COMMENT ON COLUMN marts.version_timeline.signals_medium IS 'Medium-severity drift signals on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signals_low IS 'Low-severity drift signals on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signals_toward IS 'Signals toward the model on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signal_ids IS 'Codebook ids of every signal on that amendment, sorted.';

CREATE VIEW marts.bill_latest AS
SELECT
    t.jurisdiction, t.session, t.bill_id, b.title, coalesce(b.url, t.url) AS bill_url,
    t.version_id AS latest_version_id, t.version_label AS latest_version_label,
    t.version_date AS latest_version_date, t.url AS latest_version_url, t.version_count,
    t.model_score, t.organizer_score, t.flags,
    t.direction AS last_change_direction, t.fidelity_delta AS last_fidelity_delta,
    t.signals_high AS last_signals_high, t.signal_ids AS last_signal_ids, t.loaded_at
FROM marts.version_timeline t
LEFT JOIN core.bills b USING (jurisdiction, session, bill_id)
WHERE t.version_no = t.version_count;

COMMENT ON VIEW marts.bill_latest IS 'One row per bill: its latest version with fidelity and the direction of its last change.';
COMMENT ON COLUMN marts.bill_latest.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.bill_latest.session IS 'Legislative session as the source writes it.';
COMMENT ON COLUMN marts.bill_latest.bill_id IS 'Bill or statute section as the legislature writes it.';
COMMENT ON COLUMN marts.bill_latest.title IS 'Bill title from core.bills; NULL when only versions are known.';
COMMENT ON COLUMN marts.bill_latest.bill_url IS 'Official bill page, or the latest version document when the bill has no page.';
COMMENT ON COLUMN marts.bill_latest.latest_version_id IS 'Key of the latest version (last in marts.version_timeline order).';
COMMENT ON COLUMN marts.bill_latest.latest_version_label IS 'Label of the latest version.';
COMMENT ON COLUMN marts.bill_latest.latest_version_date IS 'Date of the latest version; NULL when undated.';
COMMENT ON COLUMN marts.bill_latest.latest_version_url IS 'Official URL of the latest version document.';
COMMENT ON COLUMN marts.bill_latest.version_count IS 'How many versions the bill has.';
COMMENT ON COLUMN marts.bill_latest.model_score IS 'Fidelity of the latest version to the LEAD model (model lens), in [-1, 1].';
COMMENT ON COLUMN marts.bill_latest.organizer_score IS 'Fidelity of the latest version in the organizer lens, in [-1, 1].';
COMMENT ON COLUMN marts.bill_latest.flags IS 'Fidelity flags of the latest version.';
COMMENT ON COLUMN marts.bill_latest.last_change_direction IS 'Direction of the last amendment: drift-away, toward-model, mixed or no-change; NULL with one version.';
COMMENT ON COLUMN marts.bill_latest.last_fidelity_delta IS 'Fidelity change of the last amendment (new minus old, model lens).';
COMMENT ON COLUMN marts.bill_latest.last_signals_high IS 'High-severity drift signals on the last amendment.';
COMMENT ON COLUMN marts.bill_latest.last_signal_ids IS 'Codebook ids of the signals on the last amendment.';
COMMENT ON COLUMN marts.bill_latest.loaded_at IS 'When the latest version was loaded.';

CREATE VIEW marts.amendment_changes AS
SELECT
    a.jurisdiction, a.session, a.bill_id, c.old_version_id, c.new_version_id, c.change_no, c.kind,
    c.old_section, c.new_section, c.old_text, c.new_text, c.redline
FROM analysis.version_changes c
JOIN analysis.amendments a USING (old_version_id, new_version_id);

COMMENT ON VIEW marts.amendment_changes IS 'Clauses added, removed or modified by each amendment, with a word-level redline (the dashboard timeline).';
COMMENT ON COLUMN marts.amendment_changes.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.amendment_changes.session IS 'Legislative session.';
COMMENT ON COLUMN marts.amendment_changes.bill_id IS 'Bill or statute section.';
COMMENT ON COLUMN marts.amendment_changes.old_version_id IS 'The amended version.';
COMMENT ON COLUMN marts.amendment_changes.new_version_id IS 'The amending version.';
COMMENT ON COLUMN marts.amendment_changes.change_no IS 'Order of the change within the amendment.';
COMMENT ON COLUMN marts.amendment_changes.kind IS 'added, removed or modified.';
COMMENT ON COLUMN marts.amendment_changes.old_section IS 'Section path of the clause in the old version.';
COMMENT ON COLUMN marts.amendment_changes.new_section IS 'Section path of the clause in the new version.';
COMMENT ON COLUMN marts.amendment_changes.old_text IS 'Clause text before (raw bill text: escape before rendering).';
COMMENT ON COLUMN marts.amendment_changes.new_text IS 'Clause text after (raw bill text: escape before rendering).';
COMMENT ON COLUMN marts.amendment_changes.redline IS 'JSON list of [op, words] with op equal, insert or delete (raw bill text: escape before rendering).';

CREATE VIEW marts.amendment_signals AS
SELECT
    a.jurisdiction, a.session, a.bill_id, s.old_version_id, s.new_version_id, s.signal, s.severity,
    s.old_text, s.new_text
FROM analysis.drift_signals s
JOIN analysis.amendments a USING (old_version_id, new_version_id);

COMMENT ON VIEW marts.amendment_signals IS 'Every drift signal that fired on an amendment, with old and new evidence text.';
COMMENT ON COLUMN marts.amendment_signals.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.amendment_signals.session IS 'Legislative session.';
COMMENT ON COLUMN marts.amendment_signals.bill_id IS 'Bill or statute section.';
COMMENT ON COLUMN marts.amendment_signals.old_version_id IS 'The amended version.';
COMMENT ON COLUMN marts.amendment_signals.new_version_id IS 'The amending version.';
COMMENT ON COLUMN marts.amendment_signals.signal IS 'Signal id from the codebook, e.g. sanction_added.';
COMMENT ON COLUMN marts.amendment_signals.severity IS 'H, M or L away from the model, or toward.';
COMMENT ON COLUMN marts.amendment_signals.old_text IS 'Evidence in the old version; empty for a pure addition (raw bill text).';
COMMENT ON COLUMN marts.amendment_signals.new_text IS 'Evidence in the new version; empty for a pure deletion (raw bill text).';

CREATE VIEW marts.drift_by_state_year AS
SELECT
    jurisdiction, year,
    count(*) AS amendments,
    count(DISTINCT (session, bill_id)) AS bills_amended,
    count(*) FILTER (WHERE direction = 'drift-away') AS drift_away,
    count(*) FILTER (WHERE direction = 'toward-model') AS toward_model,
    count(*) FILTER (WHERE direction = 'mixed') AS mixed,
    count(*) FILTER (WHERE direction = 'no-change') AS no_change,
    avg(fidelity_delta) AS mean_fidelity_delta,
    sum(signals_high)::BIGINT AS signals_high
FROM marts.version_timeline
WHERE direction IS NOT NULL
GROUP BY jurisdiction, year;

COMMENT ON VIEW marts.drift_by_state_year IS 'Drift over time per state: amendments per year by direction.';
COMMENT ON COLUMN marts.drift_by_state_year.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.drift_by_state_year.year IS 'Year of the amending version (session start when undated).';
COMMENT ON COLUMN marts.drift_by_state_year.amendments IS 'Amendments (consecutive version pairs) that year.';
COMMENT ON COLUMN marts.drift_by_state_year.bills_amended IS 'Distinct bills with at least one amendment that year.';
COMMENT ON COLUMN marts.drift_by_state_year.drift_away IS 'Amendments that drift away from the model.';
COMMENT ON COLUMN marts.drift_by_state_year.toward_model IS 'Amendments that move toward the model.';
COMMENT ON COLUMN marts.drift_by_state_year.mixed IS 'Amendments with mixed direction.';
COMMENT ON COLUMN marts.drift_by_state_year.no_change IS 'Amendments with no change in substance.';
COMMENT ON COLUMN marts.drift_by_state_year.mean_fidelity_delta IS 'Average fidelity change per amendment (model lens).';
COMMENT ON COLUMN marts.drift_by_state_year.signals_high IS 'High-severity drift signals that year.';

CREATE VIEW marts.state_summary AS
SELECT
    jurisdiction,
    count(*) AS bills,
    sum(version_count)::BIGINT AS versions,
    avg(model_score) AS mean_model_score,
    avg(organizer_score) AS mean_organizer_score,
    count(*) FILTER (WHERE last_change_direction = 'drift-away') AS bills_drifting_away,
    count(*) FILTER (WHERE last_change_direction = 'toward-model') AS bills_toward_model,
    max(latest_version_date) AS last_version_date
FROM marts.bill_latest
GROUP BY jurisdiction;

COMMENT ON VIEW marts.state_summary IS 'The picture by state: bills, latest fidelity and where the last changes went.';
COMMENT ON COLUMN marts.state_summary.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.state_summary.bills IS 'Tracked bills with at least one version.';
COMMENT ON COLUMN marts.state_summary.versions IS 'Versions of those bills.';
COMMENT ON COLUMN marts.state_summary.mean_model_score IS 'Average model-lens fidelity of the bills'' latest versions.';
COMMENT ON COLUMN marts.state_summary.mean_organizer_score IS 'Average organizer-lens fidelity of the bills'' latest versions.';
COMMENT ON COLUMN marts.state_summary.bills_drifting_away IS 'Bills whose last amendment drifts away from the model.';
COMMENT ON COLUMN marts.state_summary.bills_toward_model IS 'Bills whose last amendment moves toward the model.';
COMMENT ON COLUMN marts.state_summary.last_version_date IS 'Most recent version date in the state.';

CREATE VIEW marts.clause_counts AS
SELECT
    t.jurisdiction, t.year, l.category,
    count(DISTINCT (l.version_id, l.clause_no)) AS clause_count,
    count(DISTINCT l.version_id) AS version_count,
    count(DISTINCT (t.session, t.bill_id)) AS bill_count
FROM analysis.clause_labels l
JOIN marts.version_timeline t ON t.version_id = l.version_id
GROUP BY t.jurisdiction, t.year, l.category;

COMMENT ON VIEW marts.clause_counts IS 'Clause counts by codebook category, state and year, over every version dated that year.';
COMMENT ON COLUMN marts.clause_counts.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.clause_counts.year IS 'Year of the version (session start when undated).';
COMMENT ON COLUMN marts.clause_counts.category IS 'Clause category id from the codebook.';
COMMENT ON COLUMN marts.clause_counts.clause_count IS 'Clauses with this category across the year''s versions (a clause repeated in two versions counts twice).';
COMMENT ON COLUMN marts.clause_counts.version_count IS 'Versions with at least one clause of this category.';
COMMENT ON COLUMN marts.clause_counts.bill_count IS 'Bills with at least one clause of this category that year.';

CREATE VIEW marts.alerts_feed AS
SELECT
    o.created_at, o.sent_at, o.status, o.channel, o.attempts, o.last_error, o.subscription_id,
    o.version_id, o.jurisdiction, v.session, v.bill_id, b.title, v.version_label, v.version_date,
    v.url AS version_url, a.direction, a.fidelity_new - a.fidelity_old AS fidelity_delta, o.payload
FROM alerts.outbox o
LEFT JOIN core.bill_versions v ON v.version_id = o.version_id
LEFT JOIN core.bills b ON b.jurisdiction = v.jurisdiction AND b.session = v.session AND b.bill_id = v.bill_id
LEFT JOIN analysis.amendments a ON a.new_version_id = o.version_id;

COMMENT ON VIEW marts.alerts_feed IS 'The alerts feed: every alert queued for a subscription and channel, with the bill it is about and its delivery state.';
COMMENT ON COLUMN marts.alerts_feed.created_at IS 'When the alert was queued.';
COMMENT ON COLUMN marts.alerts_feed.sent_at IS 'When it was delivered; NULL while pending or dead.';
COMMENT ON COLUMN marts.alerts_feed.status IS 'pending, sent or dead (given up).';
COMMENT ON COLUMN marts.alerts_feed.channel IS 'Delivery channel name from the subscription, e.g. atom, email.';
COMMENT ON COLUMN marts.alerts_feed.attempts IS 'Delivery attempts so far.';
COMMENT ON COLUMN marts.alerts_feed.last_error IS 'Why the last attempt failed (secrets scrubbed).';
COMMENT ON COLUMN marts.alerts_feed.subscription_id IS 'Subscription the alert matched.';
COMMENT ON COLUMN marts.alerts_feed.version_id IS 'The new bill version the alert is about.';
COMMENT ON COLUMN marts.alerts_feed.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.alerts_feed.session IS 'Legislative session of the bill.';
COMMENT ON COLUMN marts.alerts_feed.bill_id IS 'Bill or statute section.';
COMMENT ON COLUMN marts.alerts_feed.title IS 'Bill title.';
COMMENT ON COLUMN marts.alerts_feed.version_label IS 'Label of the new version.';
COMMENT ON COLUMN marts.alerts_feed.version_date IS 'Date of the new version.';
COMMENT ON COLUMN marts.alerts_feed.version_url IS 'Official URL of the new version.';
COMMENT ON COLUMN marts.alerts_feed.direction IS 'Direction of the amendment into the new version; NULL for a bill''s first version.';
COMMENT ON COLUMN marts.alerts_feed.fidelity_delta IS 'Fidelity change of that amendment (model lens).';
COMMENT ON COLUMN marts.alerts_feed.payload IS 'The alert as sent: changed clauses, signals, fidelity delta (JSON; contains raw bill text).';

-- marts.funding_shares comes from 003_funding.sql; its columns are documented here with the other marts.
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

CREATE VIEW marts.funding_by_recipient_type AS
SELECT
    state AS jurisdiction, year, regexp_replace(recipient_column, '_amount$', '') AS recipient_type,
    amount, amount / nullif(total_amount, 0) AS share, total_amount
FROM (
    UNPIVOT (
        SELECT state, year, total_amount, law_enforcement_amount, prosecution_amount, courts_corrections_amount,
               services_amount, evaluation_amount, other_amount
        FROM marts.funding_shares
    )
    ON law_enforcement_amount, prosecution_amount, courts_corrections_amount, services_amount, evaluation_amount,
       other_amount
    INTO NAME recipient_column VALUE amount
);

COMMENT ON VIEW marts.funding_by_recipient_type IS 'Funding by recipient type: one row per state, year and recipient group, with its share of the year''s diversion money.';
COMMENT ON COLUMN marts.funding_by_recipient_type.jurisdiction IS 'Two-letter state code, or US when the award names no state.';
COMMENT ON COLUMN marts.funding_by_recipient_type.year IS 'Fiscal year of the prime award.';
COMMENT ON COLUMN marts.funding_by_recipient_type.recipient_type IS 'law_enforcement, prosecution, courts_corrections, services, evaluation or other.';
COMMENT ON COLUMN marts.funding_by_recipient_type.amount IS 'Dollars reaching that group (sub-awards followed).';
COMMENT ON COLUMN marts.funding_by_recipient_type.share IS 'amount / total_amount; NULL when the year has no money.';
COMMENT ON COLUMN marts.funding_by_recipient_type.total_amount IS 'All diversion-related dollars for the state and year.';

-- Data health: what each source did per state, from run records, fetch errors and stored versions.
CREATE VIEW marts.data_health AS
WITH keys AS (
    SELECT source, jurisdiction FROM core.source_runs
    UNION SELECT source, jurisdiction FROM core.fetch_errors
    UNION SELECT source, jurisdiction FROM core.bill_versions
),
runs AS (
    SELECT
        source, jurisdiction,
        count(*) AS runs,
        max(finished_at) AS last_run_at,
        max(finished_at) FILTER (WHERE items_ok > 0 OR items_failed = 0) AS last_success_at,
        sum(items_ok)::BIGINT AS items_ok,
        sum(items_failed)::BIGINT AS items_failed,
        sum(downloaded)::BIGINT AS downloaded,
        sum(not_modified)::BIGINT AS not_modified,
        arg_max(items_failed / nullif(items_ok + items_failed, 0), finished_at) AS last_run_error_rate
    FROM core.source_runs
    GROUP BY source, jurisdiction
),
extraction_errors AS (
    SELECT source, jurisdiction, count(*) AS failures
    FROM core.fetch_errors
    WHERE regexp_matches(reason, '(expected \S+, got|pdf|no text|extract|decod|encoding)', 'i')
    GROUP BY source, jurisdiction
),
stored AS (
    SELECT source, jurisdiction, count(*) AS versions, count(*) FILTER (WHERE text_sha256 = sha256('')) AS empty_texts
    FROM core.bill_versions
    GROUP BY source, jurisdiction
)
SELECT
    k.source, k.jurisdiction,
    coalesce(r.runs, 0) AS runs,
    r.last_run_at,
    r.last_success_at,
    coalesce(r.items_ok, 0) AS items_ok,
    coalesce(r.items_failed, 0) AS items_failed,
    r.items_failed / nullif(r.items_ok + r.items_failed, 0) AS error_rate,
    r.last_run_error_rate,
    r.not_modified / nullif(r.downloaded + r.not_modified, 0) AS not_modified_rate,
    coalesce(s.versions, 0) AS versions_stored,
    coalesce(e.failures, 0) + coalesce(s.empty_texts, 0) AS extraction_failures,
    (coalesce(e.failures, 0) + coalesce(s.empty_texts, 0))
        / nullif(coalesce(s.versions, 0) + coalesce(e.failures, 0), 0) AS extraction_failure_rate,
    date_diff('minute', r.last_success_at, current_localtimestamp()) / 60.0 AS hours_since_success,
    r.last_success_at IS NULL OR r.last_success_at < current_localtimestamp() - INTERVAL 7 DAY AS stale
FROM keys k
LEFT JOIN runs r USING (source, jurisdiction)
LEFT JOIN extraction_errors e USING (source, jurisdiction)
LEFT JOIN stored s USING (source, jurisdiction);

COMMENT ON VIEW marts.data_health IS 'Data health per source and state: last successful fetch, error rate, text-extraction failure rate, freshness.';
COMMENT ON COLUMN marts.data_health.source IS 'Source connector name.';
COMMENT ON COLUMN marts.data_health.jurisdiction IS 'Two-letter state code (empty for sources that are not per state).';
COMMENT ON COLUMN marts.data_health.runs IS 'Runs recorded in core.source_runs.';
COMMENT ON COLUMN marts.data_health.last_run_at IS 'When the source last finished a run.';
COMMENT ON COLUMN marts.data_health.last_success_at IS 'Last run that loaded at least one item or failed none.';
COMMENT ON COLUMN marts.data_health.items_ok IS 'Items loaded over all runs.';
COMMENT ON COLUMN marts.data_health.items_failed IS 'Items that failed over all runs.';
COMMENT ON COLUMN marts.data_health.error_rate IS 'items_failed / (items_ok + items_failed) over all runs.';
COMMENT ON COLUMN marts.data_health.last_run_error_rate IS 'The same ratio for the most recent run only.';
COMMENT ON COLUMN marts.data_health.not_modified_rate IS 'Share of fetches answered "not modified" (conditional requests that saved a download).';
COMMENT ON COLUMN marts.data_health.versions_stored IS 'Bill versions from this source in the warehouse.';
COMMENT ON COLUMN marts.data_health.extraction_failures IS 'Fetch errors whose reason names text extraction ("expected X, got Y", PDF, no text, extract, decoding, encoding) plus stored versions whose text is empty (by text_sha256, so no text is read).';
COMMENT ON COLUMN marts.data_health.extraction_failure_rate IS 'extraction_failures / (versions_stored + extraction fetch errors).';
COMMENT ON COLUMN marts.data_health.hours_since_success IS 'Freshness: hours since last_success_at, at query time (local clock, like the run records).';
COMMENT ON COLUMN marts.data_health.stale IS 'True when no successful run is recorded in the last 7 days.';
