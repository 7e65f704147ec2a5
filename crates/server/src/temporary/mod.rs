//! Temporary movements at a receiving (host) trust: a person who stays employed by their own
//! trust works here for a fixed period on an honorary contract, a secondment, a licence to
//! attend, or shifts of a collaborative staff bank.
//!
//! The host verifies their passport exactly as for a transfer (a transfer request of its own:
//! the same signed OpenID4VP request, the same report, optionally under the lead employer
//! arrangement), then HR accepts it for the period or not. Acceptance makes the arrangement
//! active for [start, end]; the scheduled task ([`end_due`], started by `crate::serve`) ends it
//! the day after its end date, and HR may end it earlier. Acceptance and end each queue a
//! signed CloudEvents webhook (`crate::webhooks`: [`TEMPORARY_MOVEMENT_ACCEPTED`],
//! [`TEMPORARY_MOVEMENT_ENDED`]) in the same transaction as the change, so access provisioning
//! and ESR hear of every arrangement that starts and every one that ends, once each.
//!
//! Collaborative bank work is allowed only between members of one configured bank
//! (`[[temporary.banks]]`): the host and the person's home trust must both be members.
//!
//! Handlers call [`create`], [`accept`], [`reject`] and [`end_early`] after authorising; each
//! checks its input again here, whatever the form did.
use crate::verifier::request::{self as vp_request, TransferInput};
use crate::verifier::response::date_of;
use crate::webhooks::{TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use crate::{AppState, ServerError, Shared};
use passport_compliance::{Audience, RoleProfile};
use passport_store::{EndReason, MovementEvent, NewTemporaryMovement, StoreError};
use time::Date;

mod config;
mod events;
mod job;

pub use config::{apply_env, Bank, TemporaryConfig};
pub use events::event_data;
pub use job::{end_due, spawn, EndJob};

/// The kinds of temporary movement (stored names, as `passport_compliance::PlacementKind`
/// spells them) and their labels.
pub const KINDS: [(&str, &str); 4] = [
    ("honorary_contract", "Honorary contract"),
    ("secondment", "Secondment"),
    ("licence_to_attend", "Licence to attend"),
    ("collaborative_bank", "Collaborative bank shifts"),
];

/// The label of a stored kind.
pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, label)| label)
}

/// What HR asks for: the person, the role, the kind and period, the home trust, and the bank or
/// lead employer where they apply.
#[derive(Debug, Clone)]
pub struct MovementInput {
    pub person_name: String,
    pub person_email: String,
    pub registration_number: Option<String>,
    pub profile_id: String,
    pub kind: String,
    pub start: Date,
    pub end: Date,
    /// The person's substantive employer (ODS code).
    pub home_org: String,
    /// The collaborative bank's id (collaborative bank work only).
    pub bank: Option<String>,
    /// The lead employer whose pre-employment checks are accepted (ODS code).
    pub lead_employer: Option<String>,
}

/// One thing wrong with the input: the form field it belongs to, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

fn problem(field: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// `text` as another organisation on the trust list (upper-cased, trimmed): the home trust or
/// the lead employer. Never the host itself.
pub fn other_organisation(state: &AppState, own: &str, text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if !passport_trust_list::valid_ods_code(&code) {
        return Err("an ODS code has 3 to 9 letters and digits, like RHQ".into());
    }
    if code == own {
        return Err(format!("{code} is your own organisation"));
    }
    if state.trust_list().by_ods(&code).is_none() {
        return Err(format!("{code} is not an organisation on the trust list"));
    }
    Ok(code)
}

/// Every rule the input breaks, on `today`: kind, period (end on or after start, not already
/// over, at most `max_days`), home trust, bank membership, lead employer.
pub fn check(state: &AppState, org: &str, input: &MovementInput, today: Date) -> Vec<Problem> {
    let config = &state.config.temporary;
    let home = input.home_org.trim().to_ascii_uppercase();
    let mut problems = Vec::new();
    if !KINDS.iter().any(|(k, _)| *k == input.kind) {
        problems.push(problem("kind-0", "Choose the kind of arrangement"));
    }
    if input.end < input.start {
        problems.push(problem(
            "end",
            "The end date must be the same as or after the start date",
        ));
    } else if input.end < today {
        problems.push(problem("end", "The end date has passed"));
    } else if (input.end - input.start).whole_days() + 1 > config.max_days {
        problems.push(problem(
            "end",
            format!("An arrangement can last at most {} days", config.max_days),
        ));
    }
    if let Err(why) = other_organisation(state, org, &input.home_org) {
        problems.push(problem(
            "home",
            format!("Enter their employing trust's ODS code: {why}"),
        ));
    }
    if let Some(lead) = &input.lead_employer {
        if let Err(why) = other_organisation(state, org, lead) {
            problems.push(problem(
                "lead",
                format!("Enter the lead employer's ODS code, or leave it empty: {why}"),
            ));
        }
    }
    match (input.kind.as_str(), input.bank.as_deref()) {
        ("collaborative_bank", None) => {
            problems.push(problem("bank", "Choose the collaborative bank"));
        }
        ("collaborative_bank", Some(id)) => match config.bank(id) {
            None => problems.push(problem("bank", "Choose the collaborative bank")),
            Some(bank) if !bank.has(org) => problems.push(problem(
                "bank",
                format!("Your organisation is not a member of {}", bank.name),
            )),
            Some(bank) if !bank.has(&home) => problems.push(problem(
                "bank",
                format!(
                    "Collaborative bank work is only between members of {}: {} is not one",
                    bank.name, home
                ),
            )),
            Some(_) => {}
        },
        (_, Some(_)) => problems.push(problem(
            "bank",
            "A bank is named only for collaborative bank shifts",
        )),
        (_, None) => {}
    }
    problems
}

fn refuse(problems: &[Problem]) -> ServerError {
    let words: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    ServerError::BadRequest(words.join("; "))
}

/// Creates the movement and its transfer request (HR's audience, as any HR transfer request:
/// the same signed request object and report); returns (movement id, request id).
pub async fn create(
    state: &Shared,
    org: &str,
    user_id: &str,
    profile: &RoleProfile,
    input: &MovementInput,
    now: i64,
) -> Result<(String, String), ServerError> {
    let problems = check(state, org, input, date_of(now));
    if !problems.is_empty() {
        return Err(refuse(&problems));
    }
    let transfer = TransferInput {
        person_name: input.person_name.clone(),
        person_email: input.person_email.clone(),
        registration_number: input.registration_number.clone(),
        profile_id: input.profile_id.clone(),
        start_date: input.start,
        end_date: input.end,
        move_kind: input.kind.clone(),
        lead_employer: input.lead_employer.clone(),
    };
    let prepared = vp_request::prepare(state, org, user_id, Audience::Hr, profile, &transfer, now)?;
    let movement = NewTemporaryMovement {
        home_org: input.home_org.trim().to_ascii_uppercase(),
        bank: input.bank.clone(),
    };
    let ids = state
        .store
        .create_temporary_movement(&prepared.new, &movement, now, |id| prepared.sign(id))
        .await?;
    Ok(ids)
}

/// HR accepts the passport for movement `id`: active for its period, `accepted` event queued.
/// Refused when its end date has passed (nothing left to provision).
pub async fn accept(
    state: &AppState,
    org: &str,
    id: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<String, ServerError> {
    let movement = state
        .store
        .temporary_movement(org, id)
        .await?
        .ok_or_else(|| ServerError::NotFound("temporary arrangement".into()))?;
    if movement.end_date < date_of(now).to_string() {
        return Err(ServerError::BadRequest(
            "the arrangement's end date has passed: it cannot be accepted now".into(),
        ));
    }
    let event = MovementEvent {
        event_type: TEMPORARY_MOVEMENT_ACCEPTED,
        data: |m: &passport_store::TemporaryMovement| event_data(m, None),
    };
    Ok(state
        .store
        .accept_temporary_movement(org, id, note, by, now, event)
        .await?)
}

/// HR does not accept the passport for movement `id`.
pub async fn reject(
    state: &AppState,
    org: &str,
    id: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<(), ServerError> {
    Ok(state
        .store
        .reject_temporary_movement(org, id, note, by, now)
        .await?)
}

/// HR ends the active movement `id` before its end date: `ended` event queued.
pub async fn end_early(
    state: &AppState,
    org: &str,
    id: &str,
    note: &str,
    by: &str,
    now: i64,
) -> Result<String, ServerError> {
    let event = MovementEvent {
        event_type: TEMPORARY_MOVEMENT_ENDED,
        data: |m: &passport_store::TemporaryMovement| event_data(m, Some(now)),
    };
    let ended = state
        .store
        .end_temporary_movement(org, id, Some(by), EndReason::EndedEarly, note, now, event)
        .await;
    match ended {
        Err(StoreError::Conflict(_)) => Err(ServerError::BadRequest(
            "only an accepted arrangement that has not ended can be ended".into(),
        )),
        other => Ok(other?),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
