-- Alerts: who wants to hear about new bill versions, and an outbox that delivers each alert exactly once.
CREATE SCHEMA IF NOT EXISTS alerts;

CREATE TABLE alerts.subscriptions (
    subscription_id VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    mode            VARCHAR NOT NULL CHECK (mode IN ('immediate', 'daily')),
    digest_hour     INTEGER NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
    filters         JSON NOT NULL,
    channels        JSON NOT NULL,
    active_since    TIMESTAMP NOT NULL,
    loaded_at       TIMESTAMP NOT NULL
);
COMMENT ON TABLE alerts.subscriptions IS 'Subscriptions loaded from config/subscriptions.toml plus the built-in "feed"; a subscription hears about versions loaded after active_since.';
COMMENT ON COLUMN alerts.subscriptions.filters IS 'JSON: {"jurisdictions", "bills", "categories", "min_severity", "terms"}; an empty or missing list matches everything.';
COMMENT ON COLUMN alerts.subscriptions.channels IS 'JSON list of {"name", "kind", ...}: kind is atom | email | webhook | apprise; secrets appear only as environment variable names.';

-- The zero-config default: every new version lands in the outbox and the Atom feed.
INSERT INTO alerts.subscriptions VALUES (
    'feed', 'Atom feed of every new version', 'immediate', 7, '{}', '[{"name": "atom", "kind": "atom"}]',
    TIMESTAMP '1970-01-01 00:00:00', current_timestamp
);

CREATE TABLE alerts.outbox (
    subscription_id VARCHAR NOT NULL,
    version_id      VARCHAR NOT NULL,
    channel         VARCHAR NOT NULL,
    jurisdiction    VARCHAR NOT NULL,
    status          VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error      VARCHAR,
    payload         JSON NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP,
    PRIMARY KEY (subscription_id, version_id, channel)
);
COMMENT ON TABLE alerts.outbox IS 'One row per (subscription, bill version, channel): the primary key makes enqueueing idempotent, so no alert is sent twice.';
COMMENT ON COLUMN alerts.outbox.channel IS 'The channel''s name within its subscription (defaults to its kind: email, webhook, apprise, atom).';
COMMENT ON COLUMN alerts.outbox.last_error IS 'Why the last attempt failed (secrets scrubbed); for dead rows, why delivery was given up.';
COMMENT ON COLUMN alerts.outbox.payload IS 'The alert as data: bill, version, official url, changed clauses with before/after text and redline, drift signals, fidelity delta.';

CREATE TABLE alerts.seen_versions (
    version_id   VARCHAR PRIMARY KEY,
    jurisdiction VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);
COMMENT ON TABLE alerts.seen_versions IS 'Versions the alerts step has already matched against subscriptions; the new-version sensor skips them, so a lost sensor cursor re-sends nothing.';
