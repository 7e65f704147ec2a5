-- Data governance (issue 6): retention of presentation data and erasure of a person.
--
-- Retention: a transfer request's presentation data (presented claims, the report, refused
-- responses, the person's name, email, registration number and placement dates, the request's
-- private key) is deleted a configurable number of days after the decision, or after the
-- request expired if nobody decided; the row stays with the decision (who, when, accepted or
-- not), the profile and its id, and `purged_at` says when the rest went. Erasure of the person
-- purges their requests the same way; `purge_reason` says which it was.
ALTER TABLE transfer_requests ADD COLUMN purged_at BIGINT;
ALTER TABLE transfer_requests ADD COLUMN purge_reason TEXT;
CREATE INDEX transfer_requests_unpurged ON transfer_requests (org, purged_at);

-- Erasure: a person erased at an organisation. Their personal data is deleted; their id
-- (random, so it says nothing about them) stays here as the tombstone that the audit entries
-- about them still name. Nothing in the audit log is edited: it never held the personal data.
CREATE TABLE erased_persons (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    erased_by TEXT NOT NULL,
    erased_at BIGINT NOT NULL
);
CREATE INDEX erased_persons_by_org ON erased_persons (org, erased_at);
