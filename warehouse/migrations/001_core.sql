-- Core facts: tracked bills, every version of their text, raw payloads and fetch errors.
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE core.bill_search_hits (
    jurisdiction VARCHAR NOT NULL,
    session      VARCHAR NOT NULL,
    bill_id      VARCHAR NOT NULL,
    title        VARCHAR,
    url          VARCHAR,
    source       VARCHAR NOT NULL,
    found_at     TIMESTAMP NOT NULL
);
COMMENT ON TABLE core.bill_search_hits IS 'Bills the configured searches found in the latest run, per jurisdiction.';

CREATE TABLE core.bills (
    jurisdiction VARCHAR NOT NULL,
    session      VARCHAR NOT NULL,
    bill_id      VARCHAR NOT NULL,
    title        VARCHAR,
    url          VARCHAR,
    source       VARCHAR NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (jurisdiction, session, bill_id)
);
COMMENT ON TABLE core.bills IS 'One row per tracked bill or statute section.';

CREATE TABLE core.bill_versions (
    version_id     VARCHAR PRIMARY KEY,
    jurisdiction   VARCHAR NOT NULL,
    session        VARCHAR NOT NULL,
    bill_id        VARCHAR NOT NULL,
    version_label  VARCHAR NOT NULL,
    version_date   DATE,
    version_order  INTEGER NOT NULL DEFAULT 0,
    revision       INTEGER NOT NULL,
    url            VARCHAR,
    source         VARCHAR NOT NULL,
    document_format VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    text_sha256    VARCHAR NOT NULL,
    markup         JSON,
    payload_sha256 VARCHAR,
    loaded_at      TIMESTAMP NOT NULL,
    UNIQUE (jurisdiction, session, bill_id, version_label, version_date, revision)
);
COMMENT ON TABLE core.bill_versions IS 'Append-only: every version of every bill with full text; a changed text for a known version is a new revision.';
COMMENT ON COLUMN core.bill_versions.version_order IS 'Position of the version in the bill''s legislative order, as its source lists it.';
COMMENT ON COLUMN core.bill_versions.markup IS 'Inserted/deleted spans of the version''s own amendment markup: [{"kind","start","end"}].';

CREATE TABLE core.raw_payloads (
    sha256       VARCHAR PRIMARY KEY,
    url          VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    content_type VARCHAR,
    fetched_at   TIMESTAMP NOT NULL,
    body         BLOB NOT NULL
);
COMMENT ON TABLE core.raw_payloads IS 'Response bodies exactly as fetched, for provenance.';

CREATE TABLE core.fetch_errors (
    jurisdiction VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    item         VARCHAR NOT NULL,
    url          VARCHAR,
    reason       VARCHAR NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    run_id       VARCHAR NOT NULL
);
COMMENT ON TABLE core.fetch_errors IS 'One row per item that failed in a run; the next run retries the item.';

CREATE TABLE core.source_runs (
    run_id        VARCHAR NOT NULL,
    jurisdiction  VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    finished_at   TIMESTAMP NOT NULL,
    items_ok      INTEGER NOT NULL,
    items_failed  INTEGER NOT NULL,
    downloaded    INTEGER NOT NULL,
    not_modified  INTEGER NOT NULL,
    PRIMARY KEY (run_id, jurisdiction, source)
);
COMMENT ON TABLE core.source_runs IS 'What each source did in each run: items loaded and failed, full downloads and conditional hits (data health).';

CREATE TABLE core.sync_state (
    source       VARCHAR NOT NULL,
    jurisdiction VARCHAR NOT NULL,
    key          VARCHAR NOT NULL,
    value        VARCHAR NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (source, jurisdiction, key)
);
COMMENT ON TABLE core.sync_state IS 'Incremental-sync markers per source (e.g. LegiScan change_hash per bill), so unchanged bills are not fetched again.';
