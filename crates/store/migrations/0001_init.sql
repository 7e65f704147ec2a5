-- One schema for SQLite and PostgreSQL: only TEXT and BIGINT columns, application-made ids,
-- times as seconds since the epoch. JSON is kept as TEXT (claims are validated before storing).

CREATE TABLE organisations (
    ods_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- A person as one organisation knows them: the single view of that trust's systems.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    date_of_birth TEXT,
    email TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX persons_by_name ON persons (org, search_name);

-- Every identifier a system knows the person by; (org, scheme, value) names at most one person.
CREATE TABLE person_identifiers (
    org TEXT NOT NULL,
    scheme TEXT NOT NULL,
    value TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (org, scheme, value)
);
CREATE INDEX person_identifiers_by_person ON person_identifiers (person_id);

-- Source records. At most one 'current' row per (org, record_key); older ones are 'superseded',
-- records the source withdrew are 'withdrawn'. Rows are never updated in place except state.
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    source TEXT NOT NULL,
    record_key TEXT NOT NULL,
    type_name TEXT NOT NULL,
    claims TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX records_by_key ON records (org, record_key, state);
CREATE INDEX records_by_person ON records (person_id, state);

-- Records whose person could not be matched for certain: a person decides.
CREATE TABLE review_queue (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    record_key TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    reason TEXT NOT NULL,
    candidates TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_by TEXT,
    resolved_at BIGINT
);
CREATE INDEX review_queue_open ON review_queue (org, state);

CREATE TABLE import_runs (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    created BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    superseded BIGINT NOT NULL,
    withdrawn BIGINT NOT NULL,
    queued BIGINT NOT NULL,
    revoked BIGINT NOT NULL,
    at BIGINT NOT NULL
);

-- Token Status List: indices are handed out through a permutation of a counter, so an index
-- says nothing about when a credential was issued.
CREATE TABLE status_lists (
    org TEXT NOT NULL,
    list_id BIGINT NOT NULL,
    bits BIGINT NOT NULL,
    size BIGINT NOT NULL,
    next_counter BIGINT NOT NULL,
    mult BIGINT NOT NULL,
    shift BIGINT NOT NULL,
    PRIMARY KEY (org, list_id)
);
-- Only non-VALID entries are stored.
CREATE TABLE status_entries (
    org TEXT NOT NULL,
    list_id BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    status BIGINT NOT NULL,
    PRIMARY KEY (org, list_id, idx)
);

CREATE TABLE issued_credentials (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    person_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    type_name TEXT NOT NULL,
    list_id BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    holder_jkt TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    revoke_reason TEXT,
    wallet_event TEXT
);
CREATE INDEX issued_by_record ON issued_credentials (record_id);
CREATE INDEX issued_by_person ON issued_credentials (org, person_id);
CREATE INDEX issued_by_notification ON issued_credentials (notification_id);

-- OpenID4VCI pre-authorised offers. Only hashes of the code and transaction code are kept.
CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    code_hash TEXT NOT NULL UNIQUE,
    tx_code_hash TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    redeemed_at BIGINT,
    failed_attempts BIGINT NOT NULL
);
CREATE INDEX offers_by_person ON offers (org, person_id);

CREATE TABLE access_tokens (
    token_hash TEXT PRIMARY KEY,
    offer_id TEXT NOT NULL,
    org TEXT NOT NULL,
    person_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- The credential datasets an access token may fetch: one per current record at token time.
CREATE TABLE token_grants (
    token_hash TEXT NOT NULL,
    credential_identifier TEXT NOT NULL,
    record_id TEXT NOT NULL,
    type_name TEXT NOT NULL,
    PRIMARY KEY (token_hash, credential_identifier)
);

CREATE TABLE nonces (
    nonce TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
