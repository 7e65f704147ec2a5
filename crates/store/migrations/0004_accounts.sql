-- Accounts and sign-in (issue 6): a user holds one or more (organisation, role) memberships and
-- a session acts for one of them; local accounts gain a TOTP second factor and a lockout
-- counter; users can be linked to OpenID Connect identities (issuer + subject).

-- What a user may act as. Authorisation reads only this table (through the session's acting
-- membership); users.org and users.role stay (NOT NULL since 0001) as the home organisation and
-- first role, written from the first membership, never read to decide anything.
CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id),
    org TEXT NOT NULL REFERENCES organisations (ods_code),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, org, role)
);
CREATE INDEX memberships_by_org ON memberships (org);

-- Every existing user keeps working: their one organisation and role become their membership.
INSERT INTO memberships (user_id, org, role, created_at)
    SELECT id, org, role, created_at FROM users;

-- Lockout: failed sign-ins since the last success, and the time the account is locked until.
ALTER TABLE users ADD COLUMN failed_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until BIGINT NOT NULL DEFAULT 0;
-- TOTP (RFC 6238): the secret sealed with AES-256-GCM (never stored or shown in clear after
-- enrolment), a secret offered but not yet confirmed, and the last time step accepted (a code is
-- accepted once: only steps after it are).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- A session is 'active' (acting for one membership) or part-way through signing in: 'totp'
-- (password checked, code next), 'enrol' (must set up TOTP first), 'choose' (must pick a
-- membership). Existing sessions act for their user's one membership.
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'active';
ALTER TABLE sessions ADD COLUMN acting_org TEXT;
ALTER TABLE sessions ADD COLUMN acting_role TEXT;
UPDATE sessions SET
    acting_org = (SELECT u.org FROM users u WHERE u.id = sessions.user_id),
    acting_role = (SELECT u.role FROM users u WHERE u.id = sessions.user_id);

-- OpenID Connect identities linked to local accounts by an administrator. An identity names at
-- most one account; an identity not here is refused (accounts are never created on sign-in).
CREATE TABLE external_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_by_user ON external_identities (user_id);

-- OpenID Connect authorisation requests in flight: looked up by the hash of `state`, used once.
CREATE TABLE oidc_flows (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Per-deployment values of the account layer, e.g. the salt of the key that seals TOTP secrets.
CREATE TABLE account_settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
