-- The receiving trust: role requirement profiles and local renewal periods (JSON validated by
-- passport-compliance before storing), transfer requests (OpenID4VP), what was presented, the
-- compliance report and HR's decision.

CREATE TABLE role_profiles (
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org, id)
);

CREATE TABLE local_periods (
    org TEXT PRIMARY KEY REFERENCES organisations (ods_code),
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One OpenID4VP authorization request. The nonce and state are random per request; the
-- encryption key is the private half of this request's response encryption key (one key per
-- request, so a response made for one request cannot be opened as another's).
CREATE TABLE transfer_requests (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    person_name TEXT NOT NULL,
    person_email TEXT NOT NULL,
    registration_number TEXT,
    profile_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    move_kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL UNIQUE,
    request_object TEXT NOT NULL,
    enc_key TEXT NOT NULL,
    status TEXT NOT NULL,
    fetched_at BIGINT,
    responded_at BIGINT,
    response_code_hash TEXT,
    report TEXT,
    decision TEXT,
    decision_note TEXT,
    decided_by TEXT,
    decided_at BIGINT
);
CREATE INDEX transfer_requests_by_org ON transfer_requests (org, created_at);

-- Every response ever accepted, by the hash of its JWE: the same response twice is a replay.
CREATE TABLE seen_responses (
    response_hash TEXT PRIMARY KEY,
    request_id TEXT NOT NULL,
    at BIGINT NOT NULL
);

-- Responses refused before they could be read as this request's (the request is unchanged).
CREATE TABLE response_failures (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    request_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX response_failures_by_request ON response_failures (org, request_id);

-- Each presented credential with its verification outcome and reason.
CREATE TABLE presented_credentials (
    id TEXT PRIMARY KEY,
    org TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES transfer_requests (id),
    query_id TEXT NOT NULL,
    vct TEXT,
    iss TEXT,
    issuer_ods TEXT,
    accepted BIGINT NOT NULL,
    reason TEXT NOT NULL,
    claims TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX presented_by_request ON presented_credentials (org, request_id);
