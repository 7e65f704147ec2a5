-- The audit log: append-only, one hash chain for the whole node. Each entry's hash is SHA-256
-- over a canonical encoding of the entry and the previous entry's hash (crates/store/src/audit.rs),
-- so an entry edited, deleted or moved behind the server's back breaks the chain at that entry.
--
-- `audit_head` is one row: the last seq and hash. Every append locks it first with an UPDATE
-- (a row lock on PostgreSQL, the single writer lock on SQLite: the same SQL serialises both), so
-- two appends never read the same last entry and the chain never forks; and entries cut off the
-- end of the log no longer reach the head, so a truncated tail is detected too.

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    org TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    purpose TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_org ON audit_log (org, seq);
CREATE INDEX audit_log_by_subject ON audit_log (org, subject, seq);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
