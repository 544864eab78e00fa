-- What each jurisdiction's analysis was last completed for, so a re-run with the same versions and engine skips it.
CREATE TABLE analysis.partition_state (
    jurisdiction  VARCHAR PRIMARY KEY,
    input_hash    VARCHAR NOT NULL,
    versions      INTEGER NOT NULL,
    run_id        VARCHAR NOT NULL,
    analysed_at   TIMESTAMP NOT NULL
);
COMMENT ON TABLE analysis.partition_state IS 'Per jurisdiction: the hash of the versions and analysis engine whose analysis and alerts last completed.';
COMMENT ON COLUMN analysis.partition_state.jurisdiction IS 'Two-letter state code (US for federal bills).';
COMMENT ON COLUMN analysis.partition_state.input_hash IS 'Hash of the version ids, their text hashes and the engine fingerprint (code, rules, model).';
COMMENT ON COLUMN analysis.partition_state.versions IS 'How many versions that analysis covered.';
COMMENT ON COLUMN analysis.partition_state.run_id IS 'The Dagster run whose alerts step completed it.';
COMMENT ON COLUMN analysis.partition_state.analysed_at IS 'When it completed.';
