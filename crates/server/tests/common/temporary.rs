//! Temporary arrangements for the tests: a configuration with collaborative banks, the
//! new-arrangement form as HR fills it in, and the person's answer stored without a wallet (for
//! tests about what happens after it: webhooks, restarts).
#![allow(dead_code, clippy::unwrap_used)]
use passport_server::temporary::{Bank, MovementInput};
use passport_server::{AppState, Config};
use passport_store::{PresentedRow, TemporaryMovement};
use time::{Date, Duration};

/// The profile every arrangement here is for.
pub const PROFILE: &str = "non-clinical-temporary-mover";

/// Two synthetic banks: R0A and RHQ share one; RHQ and RTH another (R0A is not a member).
pub fn with_banks(c: &mut Config) {
    c.temporary.banks = vec![
        Bank {
            id: "eastbridge-northfield".into(),
            name: "Eastbridge and Northfield Collaborative Bank".into(),
            members: vec!["R0A".into(), "RHQ".into()],
        },
        Bank {
            id: "northfield-westmoor".into(),
            name: "Northfield and Westmoor Collaborative Bank".into(),
            members: vec!["RHQ".into(), "RTH".into()],
        },
    ];
}

pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// `today + days` as `YYYY-MM-DD`.
pub fn day(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

/// The form of a secondment from RHQ for `name`, from tomorrow for 30 days; change fields with
/// [`set`].
pub fn form(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("email", "sam.example@nhs.example".into()),
        ("registration", String::new()),
        ("profile", PROFILE.into()),
        ("kind", "secondment".into()),
        ("home", "RHQ".into()),
        ("bank", String::new()),
        ("start", day(1)),
        ("end", day(30)),
        ("lead", String::new()),
    ]
}

/// `fields` with `name` set to `value`.
pub fn set(
    mut fields: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    for (k, v) in &mut fields {
        if *k == name {
            *v = value.to_string();
        }
    }
    fields
}

/// The movement of R0A for the person `name`.
pub async fn movement_of(state: &AppState, name: &str) -> Option<TemporaryMovement> {
    state
        .store
        .temporary_movements("R0A", 500)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.person_name == name)
}

/// (movements, transfer requests, webhook deliveries) of R0A and RHQ: what a refused
/// attempt must leave as it was (a subscription makes every event a delivery).
pub async fn counts(state: &AppState) -> (usize, usize, usize) {
    let mut out = (0, 0, 0);
    for org in ["R0A", "RHQ"] {
        let store = &state.store;
        out.0 += store.temporary_movements(org, 10_000).await.unwrap().len();
        out.1 += store.transfer_requests(org, 10_000).await.unwrap().len();
        out.2 += store.deliveries(org, None, 10_000).await.unwrap().len();
    }
    out
}

/// A secondment of `name` from RHQ to R0A made by the server's own function (no portal).
pub async fn create(
    state: &passport_server::Shared,
    name: &str,
    start: i64,
    end: i64,
) -> (String, String) {
    let stored = state.store.profile("R0A", PROFILE).await.unwrap().unwrap();
    let profile = passport_compliance::RoleProfile::from_json(&stored.body).unwrap();
    let input = MovementInput {
        person_name: name.into(),
        person_email: "sam.example@nhs.example".into(),
        registration_number: None,
        profile_id: PROFILE.into(),
        kind: "secondment".into(),
        start: today() + Duration::days(start),
        end: today() + Duration::days(end),
        home_org: "RHQ".into(),
        bank: None,
        lead_employer: None,
    };
    passport_server::temporary::create(
        state,
        "R0A",
        "r0a.hr",
        &profile,
        &input,
        passport_server::now(),
    )
    .await
    .unwrap()
}

/// The person's answer as the verifier would have stored it (one verified identity credential,
/// the report of nothing presented): for tests of what follows the answer, not of the answer.
pub async fn answered(state: &AppState, request_id: &str) {
    let req = state
        .store
        .transfer_request("R0A", request_id)
        .await
        .unwrap()
        .unwrap();
    let profile = passport_compliance::RoleProfile::from_json(&req.profile).unwrap();
    let date = |s: &str| passport_server::verifier::response::parse_date(s).unwrap();
    let placement = passport_compliance::Placement {
        start: date(&req.start_date),
        end: date(&req.end_date),
        kind: passport_compliance::PlacementKind::parse(&req.move_kind).unwrap(),
    };
    let report = passport_compliance::evaluate(
        &profile,
        &passport_compliance::LocalPeriods::national_defaults(),
        &placement,
        &[],
        today(),
    )
    .unwrap()
    .to_json()
    .unwrap();
    let row = PresentedRow {
        query_id: "identity".into(),
        vct: Some("https://w3id.org/nhs-staff-passport/vct/identity/v1".into()),
        iss: Some("https://passport.example.nhs.uk/issuers/RHQ".into()),
        issuer_ods: Some("RHQ".into()),
        accepted: true,
        reason: "verified".into(),
        claims: Some("{}".into()),
    };
    state
        .store
        .record_response(
            "R0A",
            request_id,
            &format!("synthetic response {request_id}"),
            &[row],
            &report,
            None,
            passport_server::now(),
        )
        .await
        .unwrap()
        .unwrap();
}
