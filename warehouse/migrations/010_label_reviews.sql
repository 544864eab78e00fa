-- Analyst reviews of clause labels and drift signals: append-only, the latest review of an item wins,
-- and the marts show reviewed labels over predicted ones.
CREATE SEQUENCE analysis.label_review_ids START 1;

CREATE TABLE analysis.label_reviews (
    review_id      BIGINT PRIMARY KEY DEFAULT nextval('analysis.label_review_ids'),
    version_id     VARCHAR NOT NULL,
    clause_start   INTEGER,
    clause_end     INTEGER,
    clause_sha256  VARCHAR,
    item_kind      VARCHAR NOT NULL CHECK (item_kind IN ('label', 'signal')),
    category       VARCHAR NOT NULL,
    verdict        VARCHAR NOT NULL CHECK (verdict IN ('correct', 'wrong', 'missing')),
    right_category VARCHAR,
    reviewer       VARCHAR NOT NULL,
    reviewed_at    TIMESTAMP NOT NULL,
    note           VARCHAR,
    model_version  VARCHAR,
    probability    DOUBLE,
    origin         VARCHAR NOT NULL,
    CHECK (item_kind = 'signal' OR (clause_start IS NOT NULL AND clause_end IS NOT NULL AND clause_sha256 IS NOT NULL))
);
COMMENT ON TABLE analysis.label_reviews IS 'Every analyst review of a clause label or drift signal, never updated: the latest review of an item wins, the history stays.';
COMMENT ON COLUMN analysis.label_reviews.review_id IS 'Order in which reviews were recorded; breaks ties between reviews made at the same time.';
COMMENT ON COLUMN analysis.label_reviews.version_id IS 'Version of the reviewed clause; for a signal, the amending (new) version.';
COMMENT ON COLUMN analysis.label_reviews.clause_start IS 'Start offset of the reviewed clause in the version text; NULL for a signal.';
COMMENT ON COLUMN analysis.label_reviews.clause_end IS 'End offset of the reviewed clause; NULL for a signal.';
COMMENT ON COLUMN analysis.label_reviews.clause_sha256 IS 'SHA-256 of the clause text as reviewed, so a review never lands on a clause whose text changed.';
COMMENT ON COLUMN analysis.label_reviews.item_kind IS 'label (a clause category) or signal (a drift signal of an amendment).';
COMMENT ON COLUMN analysis.label_reviews.category IS 'Codebook category (or signal id) the verdict is about.';
COMMENT ON COLUMN analysis.label_reviews.verdict IS 'correct (the engine was right), wrong (the label should not be there) or missing (the engine missed this category).';
COMMENT ON COLUMN analysis.label_reviews.right_category IS 'For a wrong label, the category the reviewer gave instead (also recorded as a review of its own: correct when the engine has it, else missing).';
COMMENT ON COLUMN analysis.label_reviews.reviewer IS 'Who reviewed.';
COMMENT ON COLUMN analysis.label_reviews.reviewed_at IS 'When the review was made (UTC).';
COMMENT ON COLUMN analysis.label_reviews.note IS 'Free-text reason given by the reviewer.';
COMMENT ON COLUMN analysis.label_reviews.model_version IS 'Clause model version whose label was reviewed; NULL for rule-only labels and missing ones.';
COMMENT ON COLUMN analysis.label_reviews.probability IS 'Probability the model gave the reviewed label; NULL for rule-only labels and missing ones.';
COMMENT ON COLUMN analysis.label_reviews.origin IS 'Where the review came from: cli, or the imported file name (CSV or dashboard inbox).';

CREATE VIEW analysis.label_reviews_latest AS
SELECT *
FROM analysis.label_reviews
QUALIFY row_number() OVER (
    PARTITION BY version_id, clause_start, clause_end, clause_sha256, item_kind, category
    ORDER BY reviewed_at DESC, review_id DESC
) = 1;
COMMENT ON VIEW analysis.label_reviews_latest IS 'The review in force for each item: the latest one.';

-- Predicted labels minus those reviewed wrong, plus categories reviewers added; each row says whether it was reviewed.
CREATE VIEW analysis.reviewed_clause_labels AS
WITH reviews AS (
    SELECT * FROM analysis.label_reviews_latest WHERE item_kind = 'label'
),
located AS (
    SELECT r.*, c.jurisdiction, c.clause_no
    FROM reviews r
    JOIN analysis.clauses c
        ON c.version_id = r.version_id AND c.start_offset = r.clause_start AND c.end_offset = r.clause_end
        AND sha256(c.text) = r.clause_sha256
),
predicted AS (
    SELECT l.version_id, l.jurisdiction, l.clause_no, l.category, l.rule, l.evidence_start, l.evidence_end,
           l.model_version, l.probability, r.verdict, r.reviewer, r.reviewed_at
    FROM analysis.clause_labels l
    LEFT JOIN located r USING (version_id, clause_no, category)
)
SELECT version_id, jurisdiction, clause_no, category, rule, evidence_start, evidence_end, model_version, probability,
       verdict IS NOT NULL AS reviewed, verdict, reviewer, reviewed_at
FROM predicted
WHERE verdict IS DISTINCT FROM 'wrong'
UNION ALL
SELECT r.version_id, r.jurisdiction, r.clause_no, r.category, 'review' AS rule, r.clause_start, r.clause_end,
       NULL, NULL, TRUE, r.verdict, r.reviewer, r.reviewed_at
FROM located r
WHERE r.verdict = 'missing'
  AND NOT EXISTS (SELECT 1 FROM analysis.clause_labels l
                  WHERE l.version_id = r.version_id AND l.clause_no = r.clause_no AND l.category = r.category);
COMMENT ON VIEW analysis.reviewed_clause_labels IS 'Clause labels as analysts corrected them: predicted labels reviewed wrong are gone, missing ones added.';

CREATE VIEW marts.clause_labels AS
SELECT
    t.jurisdiction, t.session, t.bill_id, l.version_id, t.version_label, l.clause_no, c.section,
    c.start_offset, c.end_offset, c.text AS clause_text, l.category, l.rule, l.probability, l.model_version,
    l.reviewed, l.verdict, l.reviewer, l.reviewed_at
FROM analysis.reviewed_clause_labels l
JOIN analysis.clauses c USING (version_id, clause_no)
JOIN marts.version_timeline t ON t.version_id = l.version_id;

COMMENT ON VIEW marts.clause_labels IS 'Every clause label in force: reviewed labels over predicted ones, with the reviewed flag.';
COMMENT ON COLUMN marts.clause_labels.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.clause_labels.session IS 'Legislative session.';
COMMENT ON COLUMN marts.clause_labels.bill_id IS 'Bill or statute section.';
COMMENT ON COLUMN marts.clause_labels.version_id IS 'Key of the version in core.bill_versions.';
COMMENT ON COLUMN marts.clause_labels.version_label IS 'Version name as the source gives it.';
COMMENT ON COLUMN marts.clause_labels.clause_no IS 'Order of the clause within its version.';
COMMENT ON COLUMN marts.clause_labels.section IS 'Section path of the clause.';
COMMENT ON COLUMN marts.clause_labels.start_offset IS 'Start offset of the clause in the version text (what a review names).';
COMMENT ON COLUMN marts.clause_labels.end_offset IS 'End offset of the clause in the version text.';
COMMENT ON COLUMN marts.clause_labels.clause_text IS 'Clause text (raw bill text: escape before rendering).';
COMMENT ON COLUMN marts.clause_labels.category IS 'Clause category id from the codebook.';
COMMENT ON COLUMN marts.clause_labels.rule IS 'Rule or model that gave the label; review when a reviewer added it.';
COMMENT ON COLUMN marts.clause_labels.probability IS 'Model probability of the label; NULL for rule-only and reviewer-added labels.';
COMMENT ON COLUMN marts.clause_labels.model_version IS 'Clause model version that predicted the label.';
COMMENT ON COLUMN marts.clause_labels.reviewed IS 'True when an analyst reviewed this label (confirmed it or added it).';
COMMENT ON COLUMN marts.clause_labels.verdict IS 'The review in force: correct or missing; NULL when not reviewed.';
COMMENT ON COLUMN marts.clause_labels.reviewer IS 'Who gave the review in force.';
COMMENT ON COLUMN marts.clause_labels.reviewed_at IS 'When the review in force was made.';

CREATE OR REPLACE VIEW marts.clause_counts AS
SELECT
    t.jurisdiction, t.year, l.category,
    count(DISTINCT (l.version_id, l.clause_no)) AS clause_count,
    count(DISTINCT l.version_id) AS version_count,
    count(DISTINCT (t.session, t.bill_id)) AS bill_count,
    count(DISTINCT (l.version_id, l.clause_no)) FILTER (WHERE l.reviewed) AS reviewed_clause_count
FROM analysis.reviewed_clause_labels l
JOIN marts.version_timeline t ON t.version_id = l.version_id
GROUP BY t.jurisdiction, t.year, l.category;

-- CREATE OR REPLACE drops a view's comments: the documentation again, plus the new column.
COMMENT ON VIEW marts.clause_counts IS 'Clause counts by codebook category, state and year, over every version dated that year, with reviewed labels over predicted ones.';
COMMENT ON COLUMN marts.clause_counts.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.clause_counts.year IS 'Year of the version (session start when undated).';
COMMENT ON COLUMN marts.clause_counts.category IS 'Clause category id from the codebook.';
COMMENT ON COLUMN marts.clause_counts.clause_count IS 'Clauses with this category across the year''s versions (a clause repeated in two versions counts twice); labels reviewed wrong are left out, labels reviewers added are in.';
COMMENT ON COLUMN marts.clause_counts.version_count IS 'Versions with at least one clause of this category.';
COMMENT ON COLUMN marts.clause_counts.bill_count IS 'Bills with at least one clause of this category that year.';
COMMENT ON COLUMN marts.clause_counts.reviewed_clause_count IS 'Of clause_count, the clauses whose label an analyst reviewed.';

CREATE OR REPLACE VIEW marts.amendment_signals AS
SELECT
    a.jurisdiction, a.session, a.bill_id, s.old_version_id, s.new_version_id, s.signal, s.severity,
    s.old_text, s.new_text, r.verdict IS NOT NULL AS reviewed
FROM analysis.drift_signals s
JOIN analysis.amendments a USING (old_version_id, new_version_id)
LEFT JOIN analysis.label_reviews_latest r
    ON r.item_kind = 'signal' AND r.version_id = s.new_version_id AND r.category = s.signal
WHERE r.verdict IS DISTINCT FROM 'wrong';

COMMENT ON VIEW marts.amendment_signals IS 'Every drift signal that fired on an amendment, with old and new evidence text; signals reviewed wrong are left out.';
COMMENT ON COLUMN marts.amendment_signals.jurisdiction IS 'Two-letter state code, upper case.';
COMMENT ON COLUMN marts.amendment_signals.session IS 'Legislative session.';
COMMENT ON COLUMN marts.amendment_signals.bill_id IS 'Bill or statute section.';
COMMENT ON COLUMN marts.amendment_signals.old_version_id IS 'The amended version.';
COMMENT ON COLUMN marts.amendment_signals.new_version_id IS 'The amending version.';
COMMENT ON COLUMN marts.amendment_signals.signal IS 'Signal id from the codebook, e.g. sanction_added.';
COMMENT ON COLUMN marts.amendment_signals.severity IS 'H, M or L away from the model, or toward.';
COMMENT ON COLUMN marts.amendment_signals.old_text IS 'Evidence in the old version; empty for a pure addition (raw bill text).';
COMMENT ON COLUMN marts.amendment_signals.new_text IS 'Evidence in the new version; empty for a pure deletion (raw bill text).';
COMMENT ON COLUMN marts.amendment_signals.reviewed IS 'True when an analyst confirmed the signal.';

CREATE VIEW marts.review_agreement AS
SELECT
    category, date_trunc('month', reviewed_at)::DATE AS month,
    count(*) AS reviews,
    count(*) FILTER (WHERE verdict = 'correct') AS agreed,
    count(*) FILTER (WHERE verdict = 'correct') / count(*) AS agreement
FROM analysis.label_reviews_latest
WHERE item_kind = 'label'
GROUP BY ALL;

COMMENT ON VIEW marts.review_agreement IS 'How often the labels analysts reviewed were right, per category and month of review (a missed category counts as a disagreement).';
COMMENT ON COLUMN marts.review_agreement.category IS 'Clause category id from the codebook.';
COMMENT ON COLUMN marts.review_agreement.month IS 'First day of the month the reviews in force were made.';
COMMENT ON COLUMN marts.review_agreement.reviews IS 'Reviews in force made that month.';
COMMENT ON COLUMN marts.review_agreement.agreed IS 'Of those, labels the reviewer marked correct.';
COMMENT ON COLUMN marts.review_agreement.agreement IS 'agreed / reviews.';
