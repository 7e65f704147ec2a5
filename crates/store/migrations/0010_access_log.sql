-- The person's own access log (issue 6): which organisation looked at what they shared.
--
-- When a transfer request's response verifies, the RFC 7638 thumbprint of the wallet key the
-- presented credentials were bound to (one response, one wallet key) is kept on the request.
-- The wallet proves it holds that key to read the audit entries about the requests it
-- answered here (crates/store/src/access_log.rs). The thumbprint adds nothing a receiving trust
-- did not already hold: the key itself is in every presented credential's `cnf`. It stays
-- after retention or erasure purges the request, so the person can still see that the data was
-- deleted, and when.
ALTER TABLE transfer_requests ADD COLUMN holder_jkt TEXT;
CREATE INDEX transfer_requests_by_holder ON transfer_requests (holder_jkt, responded_at);

-- Proofs already used to read a log (their `jti`), kept until the proof would be refused as
-- stale anyway: a proof works once.
CREATE TABLE access_log_proofs (
    jti TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX access_log_proofs_by_expiry ON access_log_proofs (expires_at);
