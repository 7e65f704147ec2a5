-- The outbox (issue 7): events and e-mails written in the same transaction as the change that
-- causes them, and delivered later by the server's background worker with retries. A restart
-- loses nothing (the rows are the queue) and a rolled-back change sends nothing (its rows roll
-- back with it).
--
-- Times ending in `_ms` are milliseconds since the epoch (retry delays are shorter than a
-- second in tests); the others are seconds, as everywhere else.
--
-- Claiming: a worker takes due rows by setting `lease_owner` and `lease_until_ms` in one UPDATE
-- (on PostgreSQL its subquery also locks with FOR UPDATE SKIP LOCKED), so two server processes
-- on one database never hold the same row at once; a worker that dies mid-delivery loses its
-- lease when `lease_until_ms` passes and another takes the row again.

-- Where an organisation's events go. `event_types` is a JSON array of CloudEvents types; an
-- empty array means every type.
CREATE TABLE webhook_subscriptions (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_subscriptions_by_org ON webhook_subscriptions (org);

-- One event, as the business change described it. `data` is JSON text.
CREATE TABLE outbox_events (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    event_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    time BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX outbox_events_by_org ON outbox_events (org, time);

-- One event to one subscription. `state` is `pending`, `delivered` or `dead` (attempts used up:
-- the dead-letter record, with the last error kept).
CREATE TABLE outbox_deliveries (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    event_id TEXT NOT NULL REFERENCES outbox_events (id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (state, next_attempt_at_ms);
CREATE INDEX outbox_deliveries_by_org ON outbox_deliveries (org, state);
CREATE INDEX outbox_deliveries_by_event ON outbox_deliveries (event_id);

-- One e-mail, with the same delivery columns.
CREATE TABLE outbox_mail (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX outbox_mail_due ON outbox_mail (state, next_attempt_at_ms);
CREATE INDEX outbox_mail_by_org ON outbox_mail (org, state);
