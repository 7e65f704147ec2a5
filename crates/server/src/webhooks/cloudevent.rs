//! A stored event as a CloudEvents 1.0 JSON document (HTTP structured content mode).
use super::OutboxError;
use passport_store::outbox::StoredEvent;
use serde_json::{json, Map, Value};

/// The media type of a structured-mode CloudEvent.
pub const CONTENT_TYPE: &str = "application/cloudevents+json";

/// The exact bytes sent (and signed) for `event` from the organisation whose issuer identifier
/// is `source`. `id` is the event's id, the same on every attempt, so a receiver deduplicates
/// on (`source`, `id`); `subject` is left out when empty, as CloudEvents has it optional.
pub fn body(event: &StoredEvent, source: &str) -> Result<Vec<u8>, OutboxError> {
    let time = time::OffsetDateTime::from_unix_timestamp(event.time)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .ok_or_else(|| OutboxError::Event(format!("event time {} out of range", event.time)))?;
    let mut doc = Map::new();
    doc.insert("specversion".into(), json!("1.0"));
    doc.insert("id".into(), json!(event.id));
    doc.insert("source".into(), json!(source));
    doc.insert("type".into(), json!(event.event_type));
    if !event.subject.is_empty() {
        doc.insert("subject".into(), json!(event.subject));
    }
    doc.insert("time".into(), json!(time));
    doc.insert("datacontenttype".into(), json!("application/json"));
    doc.insert("data".into(), event.data.clone());
    serde_json::to_vec(&Value::Object(doc)).map_err(|e| OutboxError::Event(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn event(subject: &str) -> StoredEvent {
        StoredEvent {
            id: "ev-1".into(),
            org: "RHQ".into(),
            event_type: "uk.nhs.passport.temporary-movement.accepted.v1".into(),
            subject: subject.into(),
            time: 1_785_000_000,
            data: json!({"person": "p-1"}),
        }
    }

    #[test]
    fn required_attributes_and_data_in_a_fixed_order() {
        let body = body(&event("tr-1"), "https://x/issuers/RHQ").unwrap();
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "{\"specversion\":\"1.0\",\"id\":\"ev-1\",\"source\":\"https://x/issuers/RHQ\",\
             \"type\":\"uk.nhs.passport.temporary-movement.accepted.v1\",\"subject\":\"tr-1\",\
             \"time\":\"2026-07-25T17:20:00Z\",\"datacontenttype\":\"application/json\",\
             \"data\":{\"person\":\"p-1\"}}"
        );
        let without: Value = serde_json::from_slice(&body_of("")).unwrap();
        assert!(without.get("subject").is_none());
    }

    fn body_of(subject: &str) -> Vec<u8> {
        body(&event(subject), "https://x/issuers/RHQ").unwrap()
    }
}
