//! The Response URI (`direct_post.jwt`): decrypt with this request's key, check `state`, check
//! the VP Token against the DCQL query, verify every presentation (engine checks, trust list,
//! key binding to this request's nonce and client_id, status list), evaluate the compliance
//! report and store everything at once. A response that cannot be read as this request's, or
//! in which no presentation verifies, changes nothing and is logged against the request with
//! its reason.
use crate::{ServerError, Shared};
use passport_compliance::{
    evaluate_with, Arrangement, DeclaredItem, LocalPeriods, Placement, PlacementKind, Presented,
    Report, RoleProfile, Status,
};
use passport_credentials::{
    PresentationVerifier, SelfDeclaredCredential, StatusLists, VerifiedCredential,
};
use passport_jose::b64;
use passport_oid4vp::{
    check_presentation, check_response, decrypt_response, parse_response_form, DcqlQuery,
    EncryptionKey, Oid4vpError, ResponseForm, ResponsePayload,
};
use passport_sd_jwt::KbExpectation;
use passport_store::{PresentedRow, TransferRequest};
use serde_json::{Map, Value};

/// The reason stored for an accepted self-declared presentation.
pub const SELF_DECLARED_REASON: &str = "self-declared (not verified)";

/// Whether a stored presentation is of the self-declared type (decided by its `vct`, never by
/// the wording of its reason).
pub fn is_self_declared(catalogue: &passport_catalogue::Catalogue, row: &PresentedRow) -> bool {
    row.vct
        .as_deref()
        .is_some_and(|v| catalogue.is_self_declared(v))
}

/// How old a KB-JWT may be when it arrives.
const KB_MAX_AGE_SECS: i64 = 300;

/// Why a response was refused as a whole (the OpenID4VP error code and a description).
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
    /// The person's wallet said no (`access_denied` with this request's state).
    pub declined: bool,
}

impl Refused {
    fn bad(error: &'static str, description: impl Into<String>) -> Self {
        Refused {
            status: 400,
            error,
            description: description.into(),
            declined: false,
        }
    }

    fn declined(description: String) -> Self {
        Refused {
            status: 200,
            error: "access_denied",
            description,
            declined: true,
        }
    }
}

impl From<Oid4vpError> for Refused {
    fn from(e: Oid4vpError) -> Self {
        Refused::bad(e.code(), e.to_string())
    }
}

/// The request's stored parts needed to read a response.
pub(crate) struct Context {
    /// The `client_id` the request was signed under (the certificate of its day).
    pub(crate) client_id: String,
    query: DcqlQuery,
}

/// Reads `client_id` and `dcql_query` back from the stored, signed Request Object.
pub(crate) fn context(req: &TransferRequest) -> Result<Context, ServerError> {
    let jws = passport_jose::jws::CompactJws::parse(&req.request_object)
        .map_err(|e| ServerError::Internal(format!("stored request object: {e}")))?;
    let client_id = jws
        .payload
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ServerError::Internal("stored request object has no client_id".into()))?
        .to_string();
    let query = jws
        .payload
        .get("dcql_query")
        .cloned()
        .ok_or_else(|| ServerError::Internal("stored request object has no dcql_query".into()))
        .and_then(|v| DcqlQuery::from_value(v).map_err(|e| ServerError::Internal(e.to_string())))?;
    Ok(Context { client_id, query })
}

/// Handles one POST to the Response URI of request `id` of `ods`. Returns the same-device
/// response code to put in `redirect_uri`.
pub async fn handle(
    state: &Shared,
    ods: &str,
    id: &str,
    body: &[u8],
    now: i64,
) -> Result<Result<String, Refused>, ServerError> {
    let Some(req) = state.store.transfer_request(ods, id).await? else {
        return Ok(Err(Refused {
            status: 404,
            error: "invalid_request",
            description: "no such request".into(),
            declined: false,
        }));
    };
    let outcome = read(state, &req, body, now).await?;
    let (payload_hash_input, rows, report, holder) = match outcome {
        Ok(v) => v,
        Err(refused) => {
            if refused.declined {
                state.store.decline_transfer(ods, id).await?;
            }
            state
                .store
                .record_response_failure(ods, id, &refused.description, now)
                .await?;
            return Ok(Err(refused));
        }
    };
    let code = crate::issuance::random_token();
    let report_json = report
        .to_json()
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    // The wallet key the presentations were bound to: the person proves it to read their
    // access log (`crate::access_log`).
    match state
        .store
        .record_response_of(
            ods,
            id,
            &payload_hash_input,
            &rows,
            &report_json,
            Some(&code),
            holder.as_deref(),
            now,
        )
        .await?
    {
        Ok(()) => Ok(Ok(code)),
        Err(refusal) => {
            let why = match refusal {
                passport_store::ResponseRefusal::Replayed => "this response was already received",
                passport_store::ResponseRefusal::NotAwaiting => {
                    "this request is not awaiting a response (answered or expired)"
                }
            };
            state
                .store
                .record_response_failure(ods, id, why, now)
                .await?;
            Ok(Err(Refused::bad("invalid_request", why)))
        }
    }
}

/// The response (for its hash), the presentation rows, the report, and the RFC 7638 thumbprint
/// of the one wallet key every accepted credential was bound to.
type Read = (String, Vec<PresentedRow>, Report, Option<String>);

async fn read(
    state: &Shared,
    req: &TransferRequest,
    body: &[u8],
    now: i64,
) -> Result<Result<Read, Refused>, ServerError> {
    if req.status == passport_store::RequestStatus::Responded {
        return Ok(Err(Refused::bad(
            "invalid_request",
            "this request already has its response",
        )));
    }
    if now >= req.expires_at {
        return Ok(Err(Refused::bad(
            "invalid_request",
            "this request has expired",
        )));
    }
    let jwe = match parse_response_form(body) {
        Ok(ResponseForm::Encrypted(jwe)) => jwe,
        Ok(ResponseForm::Error(e)) => {
            // The sender chose these words: keep the RFC 6749 characters only, briefly.
            let words = passport_oid4vp::sanitize_description(&format!(
                "the person declined to share: their wallet answered {}{}",
                e.error,
                e.error_description
                    .as_deref()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default()
            ));
            // A refusal names the request by its state (RFC 6749 section 4.1.2.1).
            if e.error == "access_denied" && e.state.as_deref() == Some(req.state.as_str()) {
                return Ok(Err(Refused::declined(words)));
            }
            return Ok(Err(Refused::bad("invalid_request", words)));
        }
        Err(e) => return Ok(Err(e.into())),
    };
    let key_bytes = b64::decode(&req.enc_key)
        .map_err(|e| ServerError::Internal(format!("stored encryption key: {e}")))?;
    let key = EncryptionKey::from_bytes(&key_bytes)
        .map_err(|e| ServerError::Internal(format!("stored encryption key: {e}")))?;
    let payload = match decrypt_response(&jwe, &key) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e.into())),
    };
    if let Err(e) = payload.expect_state(&req.state) {
        return Ok(Err(e.into()));
    }
    let response = match payload {
        ResponsePayload::Success(r) => r,
        ResponsePayload::Error(e) => {
            let words = format!(
                "the person declined to share: their wallet answered {}",
                e.error
            );
            if e.error == "access_denied" {
                return Ok(Err(Refused::declined(words)));
            }
            return Ok(Err(Refused::bad("invalid_request", words)));
        }
    };
    let ctx = context(req)?;
    if let Err(e) = check_response(&ctx.query, &response.vp_token) {
        return Ok(Err(e.into()));
    }
    let (rows, presented, holder) = verify_all(state, req, &ctx, &response.vp_token, now).await;
    // Anyone holding the link can encrypt to this request's key and state: a response in which
    // no presentation verifies (none at all, or all bound to another nonce) is refused whole, so
    // it cannot use the request up before the person answers.
    // A self-declared credential proves nothing (anyone can sign one), so it never counts here.
    if !rows
        .iter()
        .any(|r| r.accepted && !is_self_declared(state.catalogue, r))
    {
        let why: Vec<String> = rows
            .iter()
            .map(|r| format!("{}: {}", r.query_id, r.reason))
            .collect();
        return Ok(Err(Refused::bad(
            "invalid_request",
            format!("no presented credential verified ({})", why.join("; ")),
        )));
    }
    let mut report = match report(state, req, &presented, &rows, now).await? {
        Ok(r) => r,
        Err(why) => return Ok(Err(Refused::bad("invalid_request", why))),
    };
    report.self_declared = declared_items(state, &rows);
    Ok(Ok((jwe, rows, report, holder)))
}

/// Verifies every presentation; returns one row per presentation (accepted or with its
/// reason), the accepted ones for the compliance engine, and the thumbprint of the wallet key
/// they are all bound to.
async fn verify_all(
    state: &Shared,
    req: &TransferRequest,
    ctx: &Context,
    vp_token: &passport_oid4vp::VpToken,
    now: i64,
) -> (Vec<PresentedRow>, Vec<Presented>, Option<String>) {
    let trust = &*state.trust_list();
    let expect = KbExpectation {
        aud: ctx.client_id.clone(),
        nonce: req.nonce.clone(),
        max_age_secs: KB_MAX_AGE_SECS,
    };
    let opts =
        passport_sd_jwt::VerifyOptions::new(now, passport_sd_jwt::KeyBinding::Required(expect))
            .with_leeway(60)
            .with_typ(passport_sd_jwt::VC_TYP)
            .without_disclosure_paths();
    let empty = StatusLists::default();
    let first_pass = PresentationVerifier {
        trust,
        statuses: &empty,
        catalogue: state.catalogue,
        leeway_secs: 60,
    };
    // First every check but status; then fetch the status lists named; then status.
    let mut checked: Vec<(String, Result<VerifiedCredential, String>)> = Vec::new();
    let mut declared: Vec<(String, Result<SelfDeclaredCredential, String>)> = Vec::new();
    for (query_id, presentations) in vp_token {
        for p in presentations {
            // The one branch off the strict path: a presentation whose vct is the self-declared
            // type is signed by its own holder key, so it is checked on its own path (the vct is
            // checked again after the signature there). Every other vct goes the strict way, and
            // a self-signed credential claiming one is refused by the trust list.
            if first_pass.claims_self_declared(p) {
                let result = first_pass
                    .verify_self_declared(p, &opts)
                    .map_err(|e| e.to_string())
                    .and_then(|v| {
                        let Some(query) = ctx.query.credential(query_id) else {
                            return Err("answers no query of this request".to_string());
                        };
                        check_presentation(query, &v.vct, &v.claims)
                            .map(|()| v)
                            .map_err(|e| e.to_string())
                    });
                declared.push((query_id.clone(), result));
                continue;
            }
            let result = first_pass
                .verify_before_status(p, &opts)
                .map_err(|e| e.to_string())
                .and_then(|v| {
                    let Some(query) = ctx.query.credential(query_id) else {
                        return Err("answers no query of this request".to_string());
                    };
                    check_presentation(query, &v.vct, &v.claims)
                        .map(|()| v)
                        .map_err(|e| e.to_string())
                });
            checked.push((query_id.clone(), result));
        }
    }
    let mut uris: Vec<String> = checked
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok().map(|v| v.status.uri.clone()))
        .collect();
    uris.sort();
    uris.dedup();
    let mut lists = StatusLists::default();
    let failures = state.statuses.fill(&uris, trust, &mut lists, now).await;
    let verifier = PresentationVerifier {
        trust,
        statuses: &lists,
        catalogue: state.catalogue,
        leeway_secs: 60,
    };
    // One response, one wallet: every credential must be bound to the same holder key, the key
    // of the identity credential if one was presented (else of the first that verified). This
    // stops two people pooling their credentials into one answer: each KB-JWT proves only
    // possession of its own credential's key.
    let thumbprint = |v: &VerifiedCredential| v.holder.as_ref().map(|k| k.thumbprint());
    let anchor = checked
        .iter()
        .filter_map(|(q, r)| r.as_ref().ok().map(|v| (q, v)))
        .min_by_key(|(q, _)| q.as_str() != "identity")
        .and_then(|(_, v)| thumbprint(v));
    let mut rows = Vec::new();
    let mut presented = Vec::new();
    for (query_id, result) in checked {
        let result = result.and_then(|v| {
            if thumbprint(&v) != anchor {
                return Err(
                    "bound to a different wallet key from the rest of this response: \
                            credentials shared together must come from one wallet"
                        .into(),
                );
            }
            if let Some((_, why)) = failures.iter().find(|(u, _)| *u == v.status.uri) {
                return Err(format!("status list unavailable: {why}"));
            }
            verifier
                .check_status(&v)
                .map(|()| v)
                .map_err(|e| e.to_string())
        });
        match result {
            Ok(v) => {
                let claims = subject_claims(&v.claims);
                let issuer_name = trust
                    .by_issuer(&v.iss)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                rows.push(PresentedRow {
                    query_id,
                    vct: Some(v.vct.clone()),
                    iss: Some(v.iss.clone()),
                    issuer_ods: Some(v.issuer_ods.clone()),
                    accepted: true,
                    reason: "verified".into(),
                    claims: Some(Value::Object(claims.clone()).to_string()),
                });
                presented.push(Presented {
                    vct: v.vct,
                    iss: v.iss,
                    issuer_ods: v.issuer_ods,
                    issuer_name,
                    claims,
                });
            }
            Err(reason) => rows.push(PresentedRow {
                query_id,
                vct: None,
                iss: None,
                issuer_ods: None,
                accepted: false,
                reason,
                claims: None,
            }),
        }
    }
    // Self-declared details: believed only as coming from the same wallet as the verified
    // credentials (one response, one wallet); without any, they are not taken at all.
    for (query_id, result) in declared {
        let result = result.and_then(|v| {
            if anchor.is_none() || Some(v.holder.thumbprint()) != anchor {
                return Err(
                    "self-declared details bound to a different wallet key from the verified \
                     credentials of this response (or shared without any): not taken"
                        .into(),
                );
            }
            Ok(v)
        });
        rows.push(match result {
            Ok(v) => PresentedRow {
                query_id,
                vct: Some(v.vct.clone()),
                iss: Some(v.iss.clone()),
                issuer_ods: None,
                accepted: true,
                reason: SELF_DECLARED_REASON.into(),
                claims: Some(Value::Object(subject_claims(&v.claims)).to_string()),
            },
            Err(reason) => PresentedRow {
                query_id,
                vct: None,
                iss: None,
                issuer_ods: None,
                accepted: false,
                reason,
                claims: None,
            },
        });
    }
    (rows, presented, anchor)
}

/// The accepted self-declared claims as report items, labelled from the type's schema, in
/// schema order; `recordType` left out. `None` when none were accepted.
fn declared_items(state: &Shared, rows: &[PresentedRow]) -> Option<Vec<DeclaredItem>> {
    let ty = state.catalogue.self_declared()?;
    let properties = ty
        .json_schema()
        .get("properties")
        .and_then(Value::as_object)?;
    let mut items = Vec::new();
    for row in rows
        .iter()
        .filter(|r| r.accepted && is_self_declared(state.catalogue, r))
    {
        let Some(Value::Object(claims)) = row
            .claims
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
        else {
            continue;
        };
        for (name, property) in properties {
            let Some(value) = claims.get(name).filter(|_| name != "recordType") else {
                continue;
            };
            let label = property
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(name);
            items.push(DeclaredItem {
                claim: name.clone(),
                label: label.to_string(),
                value: declared_text(value),
            });
        }
    }
    (!items.is_empty()).then_some(items)
}

/// A declared value as a person reads it: an address's lines and postcode joined with commas,
/// each emergency contact as `name (relationship), phone`, separated by semicolons.
fn declared_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(declared_text)
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(o) => {
            if let (Some(name), Some(relationship), Some(phone)) = (
                o.get("name").and_then(Value::as_str),
                o.get("relationship").and_then(Value::as_str),
                o.get("phone").and_then(Value::as_str),
            ) {
                return format!("{name} ({relationship}), {phone}");
            }
            let mut parts: Vec<String> = o
                .get("lines")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(p) = o.get("postcode").and_then(Value::as_str) {
                parts.push(p.to_owned());
            }
            parts.join(", ")
        }
        other => other.to_string(),
    }
}

/// The disclosed subject claims: the registered envelope claims (`iss`, `cnf`, `status`,
/// times...) left out.
fn subject_claims(all: &Map<String, Value>) -> Map<String, Value> {
    all.iter()
        .filter(|(k, _)| !passport_catalogue::REGISTERED_CLAIMS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The compliance report of the accepted credentials, with each refused presentation's reason
/// on the line of the requirement it was meant for.
async fn report(
    state: &Shared,
    req: &TransferRequest,
    presented: &[Presented],
    rows: &[PresentedRow],
    now: i64,
) -> Result<Result<Report, String>, ServerError> {
    let profile: RoleProfile = RoleProfile::from_json(&req.profile)
        .map_err(|e| ServerError::Internal(format!("stored profile: {e}")))?;
    let periods = match state.store.local_periods(&req.org).await? {
        Some(json) => LocalPeriods::from_json(&json)
            .map_err(|e| ServerError::Internal(format!("stored local periods: {e}")))?,
        None => LocalPeriods::national_defaults(),
    };
    let (Ok(start), Ok(end)) = (parse_date(&req.start_date), parse_date(&req.end_date)) else {
        return Err(ServerError::Internal("stored placement dates".into()));
    };
    let Some(kind) = PlacementKind::parse(&req.move_kind) else {
        let other = &req.move_kind;
        return Err(ServerError::Internal(format!("stored move kind {other:?}")));
    };
    let today = date_of(now);
    let placement = Placement { start, end, kind };
    // The lead employer named on the request: its pre-employment checks are accepted.
    let arrangement = Arrangement {
        lead_employer: req.lead_employer.clone(),
    };
    let evaluated = evaluate_with(
        &profile,
        &periods,
        &placement,
        presented,
        today,
        &arrangement,
    );
    let mut report = match evaluated {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.to_string())),
    };
    for line in &mut report.lines {
        let refused: Vec<&str> = rows
            .iter()
            .filter(|r| r.query_id == line.key && !r.accepted)
            .map(|r| r.reason.as_str())
            .collect();
        let accepted = rows.iter().any(|r| r.query_id == line.key && r.accepted);
        if !refused.is_empty() && !accepted {
            if let Status::Missing { reason } = &mut line.status {
                *reason = Some(format!(
                    "a credential was presented but refused: {}",
                    refused.join("; ")
                ));
            }
        }
    }
    check_registration_number(&mut report, req.registration_number.as_deref(), presented);
    Ok(Ok(report))
}

/// People are matched on verified identifiers, never on names: when HR gave a GMC or NMC
/// number, a registration credential for another number does not meet the requirement.
fn check_registration_number(report: &mut Report, expected: Option<&str>, presented: &[Presented]) {
    let Some(expected) = expected else { return };
    let shared: Vec<String> = presented
        .iter()
        .filter(|p| p.vct.ends_with("/professional-registration/v1"))
        .filter_map(|p| match p.claims.get("registrationNumber")? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
        .collect();
    if shared.is_empty() || shared.iter().any(|n| n.eq_ignore_ascii_case(expected)) {
        return;
    }
    let Some(line) = report
        .lines
        .iter_mut()
        .find(|l| l.key == "professional_registration")
    else {
        return;
    };
    line.status = Status::Missing {
        reason: Some(format!(
            "the registration number shared ({}) is not the one given for this person ({expected}): \
             confirm who this is before going further",
            shared.join(", ")
        )),
    };
    report.summary = passport_compliance::Summary::of(&report.lines);
}

pub fn parse_date(text: &str) -> Result<time::Date, time::error::Parse> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
}

/// The UTC calendar day of `unix` seconds.
pub fn date_of(unix: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}
