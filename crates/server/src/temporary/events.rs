//! The `data` of the temporary movement events: what access provisioning and ESR need to act
//! (who, where from, where to, which kind, which days), as identifiers and dates, not the
//! verified credentials themselves.
use passport_store::TemporaryMovement;
use serde_json::{json, Value};

/// The event data of `m`; `ended_at` (seconds) for the `ended` event, with why it ended.
///
/// ```json
/// {"movement": "tm-...", "request": "tr-...", "kind": "secondment",
///  "host": "R0A", "home": "RHQ", "bank": null, "lead_employer": null,
///  "start": "2026-09-01", "end": "2027-02-28", "profile": "non-clinical-temporary-mover",
///  "person": {"name": "...", "email": "...", "registration_number": null},
///  "ended": {"reason": "end_date", "at": "2027-03-01T00:00:05Z"}}
/// ```
/// `ended` is present in the `ended` event only; its `reason` is `end_date` (the scheduled
/// task, the day after the end date) or `ended_early` (HR).
pub fn event_data(m: &TemporaryMovement, ended_at: Option<i64>) -> Value {
    let mut data = json!({
        "movement": m.id,
        "request": m.request_id,
        "kind": m.kind,
        "host": m.org,
        "home": m.home_org,
        "bank": m.bank,
        "lead_employer": m.lead_employer,
        "start": m.start_date,
        "end": m.end_date,
        "profile": m.profile_id,
        "person": {
            "name": m.person_name,
            "email": m.person_email,
            "registration_number": m.registration_number,
        },
    });
    if let (Some(at), Some(object)) = (ended_at, data.as_object_mut()) {
        let at = time::OffsetDateTime::from_unix_timestamp(at)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            });
        object.insert("ended".into(), json!({"reason": m.end_reason, "at": at}));
    }
    data
}
