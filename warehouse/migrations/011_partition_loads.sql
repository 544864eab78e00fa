-- Partition files already brought into the warehouse, so a load skips a partition whose content has not changed.
CREATE TABLE core.partition_loads (
    partition_key VARCHAR PRIMARY KEY,
    jurisdiction  VARCHAR NOT NULL,
    session       VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    input_hash    VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL
);
COMMENT ON TABLE core.partition_loads IS 'Each (jurisdiction, session) partition file set loaded from the partition location, with the content hash it had.';
