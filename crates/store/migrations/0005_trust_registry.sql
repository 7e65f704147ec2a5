-- The national trust list registry (issue 6): kept only by a node that holds the registry
-- signing key. The registry is national, not one organisation's: these tables are not scoped
-- by organisation, and only registry administrators reach them (portal/policy.rs).

-- The draft of the next version, one row per organisation, edited in the portal. The server
-- validates every row before it is written (ODS code, issuer, a JWK Set of public P-256 keys,
-- credential types from the catalogue); publishing signs the whole draft as one new version.
CREATE TABLE registry_draft (
    ods_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    -- The JWK Set as JSON text.
    jwks TEXT NOT NULL,
    -- The vct values it may issue, as a JSON array.
    may_issue TEXT NOT NULL,
    may_verify BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX registry_draft_by_issuer ON registry_draft (issuer);

-- Every version published, as signed. The highest is the one served at /trust-list; versions
-- are never changed or deleted, and the primary key makes two publications of the same
-- version impossible (two administrators publishing at once: one of them is refused).
CREATE TABLE registry_versions (
    version BIGINT PRIMARY KEY,
    jwt TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    organisations BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL
);
