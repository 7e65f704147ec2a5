//! Making a transfer request: the role profile becomes a DCQL query asking only for the claims
//! that decide each requirement, signed into an OpenID4VP Request Object (x509_hash client
//! identifier, `direct_post.jwt` to a per-request encryption key) and stored; the wallet fetches
//! it by `request_uri`.
use super::VerifierIdentity;
use crate::{ServerError, Shared};
use passport_catalogue::Catalogue;
use passport_compliance::{requested_credentials, Audience, CredentialRequest, RoleProfile};
use passport_jose::b64;
use passport_oid4vp::{
    authorization_url, random_value, sign_request, AuthorizationRequest, ClaimsQuery,
    ClientMetadata, CredentialQuery, CredentialSetQuery, DcqlQuery, EncryptionKey, Meta,
    PathElement, FORMAT_SD_JWT_VC, OPENID4VP_SCHEME,
};
use passport_store::NewTransferRequest;
use serde_json::{Map, Value};

/// What HR asks for.
#[derive(Debug, Clone)]
pub struct TransferInput {
    pub person_name: String,
    pub person_email: String,
    pub registration_number: Option<String>,
    pub profile_id: String,
    pub start_date: time::Date,
    pub end_date: time::Date,
    /// `rotation`, `honorary_contract` or `secondment` ([`MOVE_KINDS`]); a temporary movement's
    /// kind when made by `crate::temporary`.
    pub move_kind: String,
    /// The lead employer whose pre-employment checks the report accepts (ODS code), if any.
    pub lead_employer: Option<String>,
}

pub const MOVE_KINDS: [(&str, &str); 3] = [
    ("rotation", "Rotation (doctor in training)"),
    ("honorary_contract", "Honorary contract"),
    ("secondment", "Secondment"),
];

/// The request URI, response URI and invocation URL of request `id` of `ods`.
pub fn request_uri(state: &Shared, ods: &str, id: &str) -> String {
    format!("{}/verifiers/{ods}/requests/{id}", state.base_url)
}

pub fn response_uri(state: &Shared, ods: &str, id: &str) -> String {
    format!("{}/verifiers/{ods}/responses/{id}", state.base_url)
}

pub fn invocation_url(state: &Shared, ods: &str, id: &str, client_id: &str) -> String {
    authorization_url(OPENID4VP_SCHEME, client_id, &request_uri(state, ods, id))
}

/// The DCQL query for `requests`. Every requirement is its own optional credential set, so a
/// person who lacks one credential can still share the rest (the report says "missing").
/// Claims the credential type does not always carry (not `required` in its JSON Schema) are
/// made optional by a second claim set of the required ones, so a credential without, say, an
/// end date still matches.
pub fn dcql_query(requests: &[CredentialRequest], catalogue: &Catalogue) -> DcqlQuery {
    let credentials = requests
        .iter()
        .map(|r| {
            let required: Vec<&str> = catalogue
                .by_vct(&r.vct)
                .and_then(|t| t.json_schema().get("required"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let claims: Vec<ClaimsQuery> = r
                .claims
                .iter()
                .enumerate()
                .map(|(i, path)| ClaimsQuery {
                    id: Some(format!("c{i}")),
                    path: path.iter().cloned().map(PathElement::Key).collect(),
                    values: r
                        .values
                        .iter()
                        .find(|v| &v.path == path)
                        .map(|v| v.values.iter().cloned().map(Value::String).collect()),
                })
                .collect();
            let all: Vec<String> = claims.iter().filter_map(|c| c.id.clone()).collect();
            let must: Vec<String> = r
                .claims
                .iter()
                .enumerate()
                .filter(|(_, p)| p.len() == 1 && required.contains(&p[0].as_str()))
                .map(|(i, _)| format!("c{i}"))
                .collect();
            let claim_sets = if must.len() < all.len() && !must.is_empty() {
                Some(vec![all, must])
            } else {
                None
            };
            CredentialQuery {
                id: r.id.clone(),
                format: FORMAT_SD_JWT_VC.into(),
                multiple: r.multiple,
                meta: Meta {
                    vct_values: Some(vec![r.vct.clone()]),
                    other: Map::new(),
                },
                trusted_authorities: None,
                require_cryptographic_holder_binding: true,
                claims: (!claims.is_empty()).then_some(claims),
                claim_sets,
            }
        })
        .collect();
    let credential_sets = requests
        .iter()
        .map(|r| CredentialSetQuery {
            options: vec![vec![r.id.clone()]],
            required: false,
        })
        .collect();
    DcqlQuery {
        credentials,
        credential_sets: Some(credential_sets),
    }
}

/// Id of the optional credential query for the person's self-declared details.
pub const SELF_DECLARED_QUERY: &str = "self_declared";

/// Adds to `query` one optional credential query, `self_declared`, for the catalogue's
/// self-declared type (personal details the person signs with their own wallet, to pre-fill
/// forms; shown apart and never meeting a requirement). Every detail is optional, so its claim
/// sets are every subset of them, largest first: a wallet meets the first it can, which is
/// exactly the details it holds. `recordType` (always disclosed) keeps each set non-empty.
pub fn add_self_declared(query: &mut DcqlQuery, catalogue: &Catalogue) {
    let Some(ty) = catalogue.self_declared() else {
        return;
    };
    let names: Vec<&str> = ty
        .json_schema()
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let details: Vec<&str> = names.into_iter().filter(|n| *n != "recordType").collect();
    let mut claims = vec![ClaimsQuery {
        id: Some("c0".into()),
        path: vec![PathElement::Key("recordType".into())],
        values: None,
    }];
    claims.extend(details.iter().enumerate().map(|(i, name)| ClaimsQuery {
        id: Some(format!("c{}", i + 1)),
        path: vec![PathElement::Key((*name).into())],
        values: None,
    }));
    let mut masks: Vec<u32> = (0..(1u32 << details.len())).collect();
    masks.sort_by_key(|m| std::cmp::Reverse(m.count_ones()));
    let claim_sets = masks
        .into_iter()
        .map(|m| {
            std::iter::once("c0".to_string())
                .chain(
                    (0..details.len())
                        .filter(|i| m & (1 << i) != 0)
                        .map(|i| format!("c{}", i + 1)),
                )
                .collect()
        })
        .collect();
    query.credentials.push(CredentialQuery {
        id: SELF_DECLARED_QUERY.into(),
        format: FORMAT_SD_JWT_VC.into(),
        multiple: false,
        meta: Meta {
            vct_values: Some(vec![ty.vct.clone()]),
            other: Map::new(),
        },
        trusted_authorities: None,
        require_cryptographic_holder_binding: true,
        claims: Some(claims),
        claim_sets: Some(claim_sets),
    });
    query
        .credential_sets
        .get_or_insert_with(Vec::new)
        .push(CredentialSetQuery {
            options: vec![vec![SELF_DECLARED_QUERY.into()]],
            required: false,
        });
}

/// A transfer request ready to store: its row, and what signing its request object needs once
/// the store has given it an id (the object names the id in its `response_uri`).
pub struct Prepared<'a> {
    pub new: NewTransferRequest,
    state: &'a Shared,
    identity: &'a VerifierIdentity,
    issuer: &'a crate::state::Issuer,
    query: DcqlQuery,
    client_metadata: ClientMetadata,
    now: i64,
}

impl Prepared<'_> {
    /// The signed Request Object of the request `id`.
    pub fn sign(&self, id: &str) -> Result<String, String> {
        let request = AuthorizationRequest::new(
            self.identity.client_id.clone(),
            response_uri(self.state, &self.new.org, id),
            self.new.nonce.clone(),
            self.new.state.clone(),
            self.query.clone(),
            self.client_metadata.clone(),
            self.now,
            self.new.expires_at,
        );
        sign_request(&request, &self.issuer.signer, &self.identity.certificate)
            .map_err(|e| e.to_string())
    }
}

/// Checks `input` and makes the request's DCQL query, keys, nonce and state: everything but
/// its id. Refused: an organisation that may not verify, a placement ending before it starts,
/// a profile asking this team for nothing.
pub fn prepare<'a>(
    state: &'a Shared,
    ods: &str,
    user_id: &str,
    audience: Audience,
    profile: &RoleProfile,
    input: &TransferInput,
    now: i64,
) -> Result<Prepared<'a>, ServerError> {
    let identity: &VerifierIdentity = state.verifier(ods)?;
    let issuer = state.issuer(ods)?;
    if input.end_date < input.start_date {
        return Err(ServerError::BadRequest(
            "the placement ends before it starts".into(),
        ));
    }
    let requests = requested_credentials(profile, audience)
        .map_err(|e| ServerError::BadRequest(e.to_string()))?;
    if requests.is_empty() {
        return Err(ServerError::BadRequest(
            "this role profile asks for nothing this team may see".into(),
        ));
    }
    let mut query = dcql_query(&requests, state.catalogue);
    // HR may be offered the person's own details to pre-fill its forms; OH is not.
    if audience == Audience::Hr {
        add_self_declared(&mut query, state.catalogue);
    }
    query
        .validate()
        .map_err(|e| ServerError::Internal(format!("DCQL query: {e}")))?;
    // Its kid is its RFC 7638 thumbprint: unique per request, saying nothing about when.
    let key = EncryptionKey::generate().map_err(|e| ServerError::Internal(e.to_string()))?;
    let nonce = random_value().map_err(|e| ServerError::Internal(e.to_string()))?;
    let state_value = random_value().map_err(|e| ServerError::Internal(e.to_string()))?;
    let expires_at = now + state.config.request_ttl_secs;
    let profile_json =
        serde_json::to_string(profile).map_err(|e| ServerError::Internal(e.to_string()))?;
    let new = NewTransferRequest {
        org: ods.into(),
        created_by: user_id.into(),
        person_name: input.person_name.clone(),
        person_email: input.person_email.clone(),
        registration_number: input.registration_number.clone(),
        profile_id: input.profile_id.clone(),
        profile: profile_json,
        start_date: input.start_date.to_string(),
        end_date: input.end_date.to_string(),
        move_kind: input.move_kind.clone(),
        lead_employer: input.lead_employer.clone(),
        audience: audience_str(audience).into(),
        nonce,
        state: state_value,
        enc_key: b64::encode(key.to_bytes()),
        expires_at,
    };
    Ok(Prepared {
        new,
        state,
        identity,
        issuer,
        query,
        client_metadata: ClientMetadata::for_request(&key),
        now,
    })
}

/// Creates, signs and stores a transfer request; returns its id.
pub async fn create(
    state: &Shared,
    ods: &str,
    user_id: &str,
    audience: Audience,
    profile: &RoleProfile,
    input: &TransferInput,
    now: i64,
) -> Result<String, ServerError> {
    let prepared = prepare(state, ods, user_id, audience, profile, input, now)?;
    let id = state
        .store
        .create_transfer_request(&prepared.new, now, |id| prepared.sign(id))
        .await?;
    Ok(id)
}

pub fn audience_str(a: Audience) -> &'static str {
    match a {
        Audience::Hr => "hr",
        Audience::OccupationalHealth => "occupational-health",
    }
}

pub fn parse_audience(s: &str) -> Option<Audience> {
    match s {
        "hr" => Some(Audience::Hr),
        "occupational-health" => Some(Audience::OccupationalHealth),
        _ => None,
    }
}
