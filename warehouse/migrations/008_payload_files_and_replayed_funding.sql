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
-- so dashboards can label replayed money.
ALTER TABLE funding.opportunities ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.announcements ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.awards ADD COLUMN replayed BOOLEAN DEFAULT false;
ALTER TABLE funding.subawards ADD COLUMN replayed BOOLEAN DEFAULT false;
COMMENT ON COLUMN funding.opportunities.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';
COMMENT ON COLUMN funding.announcements.replayed IS 'True when the row comes from the bundled recorded responses, not a live page.';
COMMENT ON COLUMN funding.awards.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';
COMMENT ON COLUMN funding.subawards.replayed IS 'True when the row comes from the bundled recorded responses, not a live API.';
-- The funding marts carry the flag from migration 009 on, which redefines them.
