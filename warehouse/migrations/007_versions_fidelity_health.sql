-- Versions in legislative order across runs, one stored fidelity per version, and fetch errors kept once per cause.

-- An explicit legislative sequence from the source (a sidecar's `sequence`), so order survives runs that see one version.
ALTER TABLE core.bill_versions ADD COLUMN sequence INTEGER;
COMMENT ON COLUMN core.bill_versions.sequence IS 'Legislative sequence the source states for the version (a folder sidecar''s `sequence`); NULL when it states none.';
COMMENT ON COLUMN core.bill_versions.version_order IS 'Position of the version in its bill over every run: source sequence, then date (undated last), then first load; recomputed when a new version arrives.';

-- One fidelity figure per version, stored here only; amendments, marts and alerts quote it.
ALTER TABLE analysis.version_fidelity ADD COLUMN scored_provisions INTEGER;
COMMENT ON COLUMN analysis.version_fidelity.model_score IS 'The version''s fidelity to the LEAD model (codebook section 3, model lens) in [-1, 1], over the provisions every version of the bill shows (a cut-off copy leaves the rest unknown); the one figure marts, alerts and the dashboard use.';
COMMENT ON COLUMN analysis.version_fidelity.organizer_score IS 'The same in the organizer lens (prostitution eligibility weighted 0).';
COMMENT ON COLUMN analysis.version_fidelity.scored_provisions IS 'Model provisions in the score: those whose status every stored version of the bill shows.';
COMMENT ON COLUMN analysis.amendments.fidelity_old IS 'analysis.version_fidelity.model_score of the old version, quoted when the amendment was derived.';
COMMENT ON COLUMN analysis.amendments.fidelity_new IS 'analysis.version_fidelity.model_score of the new version, quoted when the amendment was derived.';

-- Fetch errors: one row per item and cause, with when it was first and last seen and when it stopped recurring.
ALTER TABLE core.fetch_errors ADD COLUMN step VARCHAR DEFAULT '';
ALTER TABLE core.fetch_errors ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE core.fetch_errors ADD COLUMN seen_runs INTEGER DEFAULT 1;
ALTER TABLE core.fetch_errors ADD COLUMN resolved_at TIMESTAMP;
CREATE TEMP TABLE fetch_errors_once AS
SELECT jurisdiction, source, item, any_value(url) AS url, reason, min(occurred_at) AS occurred_at,
       arg_max(run_id, occurred_at) AS run_id, '' AS step, max(occurred_at) AS last_seen_at,
       count(DISTINCT run_id)::INTEGER AS seen_runs, NULL::TIMESTAMP AS resolved_at
FROM core.fetch_errors
GROUP BY jurisdiction, source, item, reason;
DELETE FROM core.fetch_errors;
INSERT INTO core.fetch_errors BY NAME SELECT * FROM fetch_errors_once;
DROP TABLE fetch_errors_once;
UPDATE core.fetch_errors SET last_seen_at = occurred_at WHERE last_seen_at IS NULL;
COMMENT ON TABLE core.fetch_errors IS 'One row per item and cause of failure: recorded once, counted again each run it recurs, resolved when a run of the same step no longer sees it.';
COMMENT ON COLUMN core.fetch_errors.occurred_at IS 'When the cause was first seen.';
COMMENT ON COLUMN core.fetch_errors.run_id IS 'The last run that saw the cause.';
COMMENT ON COLUMN core.fetch_errors.step IS 'What recorded it (bill search, bill versions, a funding source), so only a rerun of that step resolves it; empty for rows from before migration 007.';
COMMENT ON COLUMN core.fetch_errors.last_seen_at IS 'When the cause was last seen.';
COMMENT ON COLUMN core.fetch_errors.seen_runs IS 'How many runs saw the cause.';
COMMENT ON COLUMN core.fetch_errors.resolved_at IS 'When a run of the same step for the same source and state no longer saw it; NULL while open.';

CREATE OR REPLACE VIEW marts.version_timeline AS
WITH ordered AS (
    SELECT
        v.version_id, v.jurisdiction, v.session, v.bill_id, v.version_label, v.version_date, v.revision,
        v.url, v.source, v.loaded_at,
        coalesce(year(v.version_date), TRY_CAST(nullif(regexp_extract(v.session, '(19|20)\d\d', 0), '') AS INTEGER))
            AS year,
        row_number() OVER (
            PARTITION BY v.jurisdiction, v.session, v.bill_id
            ORDER BY v.version_order, v.revision, v.loaded_at, v.version_id
        ) AS version_no,
        count(*) OVER (PARTITION BY v.jurisdiction, v.session, v.bill_id) AS version_count
    FROM core.bill_versions v
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
    p.model_score AS previous_model_score,
    f.model_score - p.model_score AS fidelity_delta,
    coalesce(s.signals_high, 0) AS signals_high,
    coalesce(s.signals_medium, 0) AS signals_medium,
    coalesce(s.signals_low, 0) AS signals_low,
    coalesce(s.signals_toward, 0) AS signals_toward,
    coalesce(s.signal_ids, []::VARCHAR[]) AS signal_ids
FROM ordered o
LEFT JOIN analysis.version_fidelity f ON f.version_id = o.version_id
LEFT JOIN clause_totals c ON c.version_id = o.version_id
LEFT JOIN analysis.amendments a ON a.new_version_id = o.version_id
LEFT JOIN analysis.version_fidelity p ON p.version_id = a.old_version_id
LEFT JOIN signal_counts s ON s.old_version_id = a.old_version_id AND s.new_version_id = a.new_version_id;

COMMENT ON VIEW marts.version_timeline IS 'Drift over time per bill: one row per version in legislative order, with its one stored fidelity and the amendment that produced it.';
COMMENT ON COLUMN marts.version_timeline.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.version_timeline.session IS 'Legislative session as the source writes it, e.g. 2015-16.';
COMMENT ON COLUMN marts.version_timeline.bill_id IS 'Bill or statute section as the legislature writes it, e.g. SB 1110.';
COMMENT ON COLUMN marts.version_timeline.version_id IS 'Key of the version in core.bill_versions.';
COMMENT ON COLUMN marts.version_timeline.version_no IS 'Position of the version in its bill, 1 = oldest: core.bill_versions.version_order (source sequence, then date, across all runs), then revision.';
COMMENT ON COLUMN marts.version_timeline.version_count IS 'How many versions the bill has in the warehouse.';
COMMENT ON COLUMN marts.version_timeline.version_label IS 'Version name as the source gives it, e.g. introduced, amended-senate, enrolled.';
COMMENT ON COLUMN marts.version_timeline.version_date IS 'Date of the version document; NULL when the source gives none.';
COMMENT ON COLUMN marts.version_timeline.year IS 'Year of the version date, or the first year named in the session when undated.';
COMMENT ON COLUMN marts.version_timeline.revision IS 'Revision of the same version label and date; a changed text becomes a new revision.';
COMMENT ON COLUMN marts.version_timeline.url IS 'Official URL of the version document.';
COMMENT ON COLUMN marts.version_timeline.source IS 'Source connector that fetched the version.';
COMMENT ON COLUMN marts.version_timeline.loaded_at IS 'When the version was loaded into the warehouse.';
COMMENT ON COLUMN marts.version_timeline.model_score IS 'The version''s fidelity to the LEAD model (model lens, codebook section 3), in [-1, 1], as stored once in analysis.version_fidelity; NULL when nothing could be scored.';
COMMENT ON COLUMN marts.version_timeline.organizer_score IS 'Fidelity in the organizer lens (prostitution eligibility weighted 0), in [-1, 1].';
COMMENT ON COLUMN marts.version_timeline.flags IS 'Fidelity flags raised for the version, e.g. prostitution offenses made eligible.';
COMMENT ON COLUMN marts.version_timeline.clause_count IS 'Operative clauses found in the version.';
COMMENT ON COLUMN marts.version_timeline.previous_version_id IS 'The version this one amends; NULL for the first version.';
COMMENT ON COLUMN marts.version_timeline.direction IS 'Direction of the amendment into this version: drift-away, toward-model, mixed or no-change; NULL for the first version.';
COMMENT ON COLUMN marts.version_timeline.fidelity_delta IS 'model_score of this version minus previous_model_score: the change along the bill''s fidelity line; NULL for the first version or an unscored side.';
COMMENT ON COLUMN marts.version_timeline.signals_high IS 'High-severity drift signals that fired on the amendment into this version.';
COMMENT ON COLUMN marts.version_timeline.signals_medium IS 'Medium-severity drift signals on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signals_low IS 'Low-severity drift signals on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signals_toward IS 'Signals toward the model on that amendment.';
COMMENT ON COLUMN marts.version_timeline.signal_ids IS 'Codebook ids of every signal on that amendment, sorted.';
COMMENT ON COLUMN marts.version_timeline.previous_model_score IS 'model_score of the version this one amends (the start of the amendment); NULL for the first version.';

-- marts.bill_latest reads the timeline's columns by name, so it follows the new order and delta unchanged.
COMMENT ON COLUMN marts.bill_latest.last_fidelity_delta IS 'fidelity_delta of the latest version in marts.version_timeline: its model_score minus the previous version''s.';

CREATE OR REPLACE VIEW marts.alerts_feed AS
SELECT
    o.created_at, o.sent_at, o.status, o.channel, o.attempts, o.last_error, o.subscription_id,
    o.version_id, o.jurisdiction, v.session, v.bill_id, b.title, v.version_label, v.version_date,
    v.url AS version_url, a.direction, fn.model_score - fo.model_score AS fidelity_delta, o.payload
FROM alerts.outbox o
LEFT JOIN core.bill_versions v ON v.version_id = o.version_id
LEFT JOIN core.bills b ON b.jurisdiction = v.jurisdiction AND b.session = v.session AND b.bill_id = v.bill_id
LEFT JOIN analysis.amendments a ON a.new_version_id = o.version_id
LEFT JOIN analysis.version_fidelity fn ON fn.version_id = o.version_id
LEFT JOIN analysis.version_fidelity fo ON fo.version_id = a.old_version_id;

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
COMMENT ON COLUMN marts.alerts_feed.fidelity_delta IS 'Stored fidelity of the new version minus that of the version it amends (model lens), the same figure as marts.version_timeline.fidelity_delta.';
COMMENT ON COLUMN marts.alerts_feed.payload IS 'The alert as sent: changed clauses, signals, fidelity delta (JSON; contains raw bill text).';

-- Fetch errors people can act on: open, resolved, or a known gap of the recorded demo (the replay has no answer).
CREATE OR REPLACE VIEW marts.fetch_issues AS
SELECT
    source, jurisdiction, step, item, url, reason,
    CASE WHEN resolved_at IS NOT NULL THEN 'resolved'
         WHEN starts_with(reason, 'no recorded response') THEN 'known-gap'
         ELSE 'open' END AS status,
    occurred_at AS first_seen_at, last_seen_at, seen_runs, resolved_at, run_id AS last_run_id
FROM core.fetch_errors;

COMMENT ON VIEW marts.fetch_issues IS 'Every fetch error once per item and cause, with whether it is still open, resolved, or a known gap of the recorded demo.';
COMMENT ON COLUMN marts.fetch_issues.source IS 'Source connector name.';
COMMENT ON COLUMN marts.fetch_issues.jurisdiction IS 'Two-letter state code (US for national funding sources).';
COMMENT ON COLUMN marts.fetch_issues.step IS 'What recorded the error: bill search, bill versions or a funding source.';
COMMENT ON COLUMN marts.fetch_issues.item IS 'What was being fetched, e.g. a bill version or an award.';
COMMENT ON COLUMN marts.fetch_issues.url IS 'URL of the item (secrets scrubbed).';
COMMENT ON COLUMN marts.fetch_issues.reason IS 'Why it failed.';
COMMENT ON COLUMN marts.fetch_issues.status IS 'open; resolved (a later run of the same step no longer saw it); known-gap (the recorded demo holds no response for it, so it cannot succeed offline).';
COMMENT ON COLUMN marts.fetch_issues.first_seen_at IS 'When the cause was first seen.';
COMMENT ON COLUMN marts.fetch_issues.last_seen_at IS 'When the cause was last seen.';
COMMENT ON COLUMN marts.fetch_issues.seen_runs IS 'How many runs saw it.';
COMMENT ON COLUMN marts.fetch_issues.resolved_at IS 'When it was resolved; NULL while open or a known gap.';
COMMENT ON COLUMN marts.fetch_issues.last_run_id IS 'The last run that saw it.';

CREATE OR REPLACE VIEW marts.data_health AS
WITH keys AS (
    SELECT source, jurisdiction FROM core.source_runs
    UNION SELECT source, jurisdiction FROM core.fetch_errors
    UNION SELECT source, jurisdiction FROM core.bill_versions
),
issues AS (
    SELECT
        source, jurisdiction,
        count(*) FILTER (WHERE status = 'open') AS open_errors,
        count(*) FILTER (WHERE status = 'resolved') AS resolved_errors,
        count(*) FILTER (WHERE status = 'known-gap') AS known_gaps,
        coalesce(sum(seen_runs) FILTER (WHERE status = 'known-gap'), 0) AS known_gap_sightings
    FROM marts.fetch_issues
    GROUP BY source, jurisdiction
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
        arg_max(items_ok, finished_at) AS last_items_ok,
        arg_max(items_failed, finished_at) AS last_items_failed,
        arg_max(run_id, finished_at) AS last_run_id
    FROM core.source_runs
    GROUP BY source, jurisdiction
),
last_run_gaps AS (
    SELECT r.source, r.jurisdiction, count(*) AS gaps
    FROM runs r JOIN marts.fetch_issues i
        ON i.source = r.source AND i.jurisdiction = r.jurisdiction AND i.last_run_id = r.last_run_id
        AND i.status = 'known-gap'
    GROUP BY r.source, r.jurisdiction
),
extraction_errors AS (
    SELECT source, jurisdiction, count(*) AS failures
    FROM core.fetch_errors
    WHERE resolved_at IS NULL AND regexp_matches(reason, '(expected \S+, got|pdf|no text|extract|decod|encoding)', 'i')
    GROUP BY source, jurisdiction
),
stored AS (
    SELECT source, jurisdiction, count(*) AS versions, count(*) FILTER (WHERE text_sha256 = sha256('')) AS empty_texts
    FROM core.bill_versions
    GROUP BY source, jurisdiction
),
counted AS (
    SELECT
        k.source, k.jurisdiction, r.runs, r.last_run_at, r.last_success_at, r.items_ok, r.items_failed,
        r.downloaded, r.not_modified, r.last_items_ok,
        greatest(coalesce(r.items_failed, 0) - coalesce(i.known_gap_sightings, 0), 0) AS real_failed,
        greatest(coalesce(r.last_items_failed, 0) - coalesce(g.gaps, 0), 0) AS last_real_failed,
        coalesce(i.open_errors, 0) AS open_errors, coalesce(i.resolved_errors, 0) AS resolved_errors,
        coalesce(i.known_gaps, 0) AS known_gaps,
        coalesce(e.failures, 0) AS extraction_errors, coalesce(s.versions, 0) AS versions, coalesce(s.empty_texts, 0) AS empty_texts
    FROM keys k
    LEFT JOIN runs r USING (source, jurisdiction)
    LEFT JOIN issues i USING (source, jurisdiction)
    LEFT JOIN last_run_gaps g USING (source, jurisdiction)
    LEFT JOIN extraction_errors e USING (source, jurisdiction)
    LEFT JOIN stored s USING (source, jurisdiction)
)
SELECT
    source, jurisdiction,
    coalesce(runs, 0) AS runs,
    last_run_at,
    last_success_at,
    coalesce(items_ok, 0) AS items_ok,
    coalesce(items_failed, 0) AS items_failed,
    real_failed / nullif(coalesce(items_ok, 0) + real_failed, 0) AS error_rate,
    last_real_failed / nullif(coalesce(last_items_ok, 0) + last_real_failed, 0) AS last_run_error_rate,
    open_errors, resolved_errors, known_gaps,
    not_modified / nullif(downloaded + not_modified, 0) AS not_modified_rate,
    versions AS versions_stored,
    extraction_errors + empty_texts AS extraction_failures,
    (extraction_errors + empty_texts) / nullif(versions + extraction_errors, 0) AS extraction_failure_rate,
    date_diff('minute', last_success_at, current_localtimestamp()) / 60.0 AS hours_since_success,
    last_success_at IS NULL OR last_success_at < current_localtimestamp() - INTERVAL 7 DAY AS stale
FROM counted;

COMMENT ON VIEW marts.data_health IS 'Data health per source and state: last successful fetch, error rate without the recorded demo''s known gaps, open / resolved / known-gap errors, text-extraction failure rate, freshness.';
COMMENT ON COLUMN marts.data_health.source IS 'Source connector name.';
COMMENT ON COLUMN marts.data_health.jurisdiction IS 'Two-letter state code (US for national funding sources).';
COMMENT ON COLUMN marts.data_health.runs IS 'Runs recorded in core.source_runs.';
COMMENT ON COLUMN marts.data_health.last_run_at IS 'When the source last finished a run.';
COMMENT ON COLUMN marts.data_health.last_success_at IS 'Last run that loaded at least one item or failed none.';
COMMENT ON COLUMN marts.data_health.items_ok IS 'Items loaded over all runs.';
COMMENT ON COLUMN marts.data_health.items_failed IS 'Items that failed over all runs, known gaps included.';
COMMENT ON COLUMN marts.data_health.error_rate IS 'Failed items that are not known gaps / (items loaded + those failed items), over all runs.';
COMMENT ON COLUMN marts.data_health.last_run_error_rate IS 'The same ratio for the most recent run only.';
COMMENT ON COLUMN marts.data_health.open_errors IS 'Distinct items and causes still failing (marts.fetch_issues status open).';
COMMENT ON COLUMN marts.data_health.resolved_errors IS 'Items and causes that a later run no longer saw (status resolved).';
COMMENT ON COLUMN marts.data_health.known_gaps IS 'Items the recorded demo holds no response for (status known-gap): expected offline, not a source problem.';
COMMENT ON COLUMN marts.data_health.not_modified_rate IS 'Share of fetches answered "not modified" (conditional requests that saved a download).';
COMMENT ON COLUMN marts.data_health.versions_stored IS 'Bill versions from this source in the warehouse.';
COMMENT ON COLUMN marts.data_health.extraction_failures IS 'Open fetch errors whose reason names text extraction ("expected X, got Y", PDF, no text, extract, decoding, encoding) plus stored versions whose text is empty (by text_sha256, so no text is read).';
COMMENT ON COLUMN marts.data_health.extraction_failure_rate IS 'extraction_failures / (versions_stored + open extraction errors).';
COMMENT ON COLUMN marts.data_health.hours_since_success IS 'Freshness: hours since last_success_at, at query time (local clock, like the run records).';
COMMENT ON COLUMN marts.data_health.stale IS 'True when no successful run is recorded in the last 7 days.';
