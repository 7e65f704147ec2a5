//! The answer of `POST <node>/access-log`: JSON, one object.
//!
//! ```json
//! {
//!   "node": "https://passport.example.nhs.uk",
//!   "key": "<RFC 7638 thumbprint of the proof's key>",
//!   "retention_days": 90,
//!   "truncated": false,
//!   "requests": [{
//!     "id": "tr-...",
//!     "organisation": {"ods": "R0A", "name": "..."},
//!     "audience": "hr",
//!     "role": "Foundation doctor (FY1/FY2)",
//!     "asked_at": 1750000000,
//!     "shared_at": 1750000100,
//!     "decision": {"outcome": "accepted", "at": 1750000900},
//!     "deleted": null,
//!     "entries_truncated": false,
//!     "entries": [
//!       {"at": 1750000000, "what": "asked", "action": "transfer-requested", "role": "hr", "purpose": "transfer"},
//!       {"at": 1750000200, "what": "viewed", "action": "view-transfer", "role": "hr", "purpose": "transfer"},
//!       {"at": 1750000300, "what": "exported", "format": "csv", "action": "export-report", "role": "hr", "purpose": "transfer"},
//!       {"at": 1750000900, "what": "decided", "decision": "accepted", "action": "transfer-decided", "role": "hr", "purpose": "transfer"}
//!     ]
//!   }]
//! }
//! ```
//!
//! Who looked is said by team (the role they acted in: `hr`, `medical-staffing`, `oh`,
//! `training`, `admin`), never by name or username: the person needs the organisation and the
//! team to ask questions, and staff usernames are the organisation's own business. Only
//! accesses that were allowed or changes that were made are listed (a refused attempt showed
//! nothing). `deleted` is set once the node's retention policy (or an erasure) deleted what
//! was shared; the decision and these entries stay.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLog {
    /// The node that answered: its public URL, the proof's `aud`.
    pub node: String,
    /// RFC 7638 thumbprint of the key the proof was signed with: every request listed was
    /// answered with credentials bound to this key.
    pub key: String,
    /// Days the node keeps what was shared after the decision (or after an undecided request
    /// expired).
    pub retention_days: i64,
    /// Newest first, at most [`crate::MAX_REQUESTS`].
    pub requests: Vec<SharedRequest>,
    /// Older requests were left out.
    pub truncated: bool,
}

/// One transfer request this key answered at the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedRequest {
    pub id: String,
    pub organisation: Organisation,
    /// Who asked: `hr` (HR or medical staffing) or `occupational-health` (the OH team, who
    /// see occupational health detail).
    pub audience: String,
    /// Why: the role the person's passport was checked against (its requirement profile).
    pub role: String,
    pub asked_at: i64,
    pub shared_at: Option<i64>,
    pub decision: Option<Decision>,
    pub deleted: Option<Deletion>,
    /// Oldest first, at most [`crate::MAX_ENTRIES`].
    pub entries: Vec<Entry>,
    pub entries_truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub ods: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// `accepted` or `rejected`.
    pub outcome: String,
    pub at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deletion {
    pub at: i64,
    /// `retention` (the node's policy) or `erasure` (the person was erased there).
    pub reason: String,
}

/// One audit entry about the request, as the person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: i64,
    pub what: What,
    /// `csv` or `json`, for [`What::Exported`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `accepted` or `rejected`, for [`What::Decided`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The node's own name for it (its audit log's action), for anything [`What::Other`].
    pub action: String,
    /// The team: the role the member of staff acted in.
    pub role: String,
    /// Why, as recorded: `transfer` for a transfer request or temporary arrangement.
    pub purpose: String,
}

/// What was done with the shared data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum What {
    /// The request (or temporary arrangement) was made.
    Asked,
    /// The report of what was shared was opened.
    Viewed,
    /// The report was downloaded (`format`).
    Exported,
    /// The decision was recorded (`decision`).
    Decided,
    /// A temporary arrangement was ended early.
    Ended,
    /// Anything else recorded about the request (`action` names it).
    #[serde(other)]
    Other,
}

/// What an audit entry about a request means to the person: the kind, and the export format or
/// decision it names. `None` for entries that add nothing to what the person reads: the
/// authorisation of a change whose own `done` entry follows, and the waiting page's polling.
/// The action names are the portal's (`passport-server` `portal/policy.rs` and its handlers).
pub fn classify(action: &str, detail: &str) -> Option<(What, Option<String>, Option<String>)> {
    let last_word = detail.rsplit([' ', ',']).next().unwrap_or("");
    Some(match action {
        "transfer-requested" | "temporary-movement-requested" => (What::Asked, None, None),
        "view-transfer" | "view-temporary-movements" => (What::Viewed, None, None),
        "export-report" => {
            let format = ["csv", "json"].contains(&last_word);
            (What::Exported, format.then(|| last_word.to_string()), None)
        }
        "transfer-decided" => {
            let decision = ["accepted", "rejected"].contains(&detail);
            (What::Decided, None, decision.then(|| detail.to_string()))
        }
        "temporary-movement-accepted" => (What::Decided, None, Some("accepted".into())),
        "temporary-movement-rejected" => (What::Decided, None, Some("rejected".into())),
        "temporary-movement-ended" => (What::Ended, None, None),
        "decide-transfer"
        | "decide-temporary-movement"
        | "end-temporary-movement"
        | "poll-transfer" => return None,
        _ => (What::Other, None, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_read_as_what_was_done() {
        let csv = classify("export-report", "audience hr, csv");
        assert_eq!(csv, Some((What::Exported, Some("csv".into()), None)));
        let json = classify("export-report", "json");
        assert_eq!(json, Some((What::Exported, Some("json".into()), None)));
        let decided = classify("transfer-decided", "accepted");
        assert_eq!(
            decided,
            Some((What::Decided, None, Some("accepted".into())))
        );
        let viewed = classify("view-transfer", "audience occupational-health");
        assert_eq!(viewed, Some((What::Viewed, None, None)));
        assert_eq!(classify("decide-transfer", "audience hr"), None);
        assert_eq!(classify("poll-transfer", ""), None);
        assert_eq!(
            classify("something-new", "x"),
            Some((What::Other, None, None))
        );
    }

    #[test]
    fn an_unknown_kind_from_a_newer_node_reads_as_other() {
        let e: Entry = serde_json::from_value(serde_json::json!({
            "at": 1, "what": "forwarded", "action": "forward", "role": "hr", "purpose": "transfer"
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.what, What::Other);
        let text = serde_json::to_string(&What::Exported).unwrap_or_default();
        assert_eq!(text, "\"exported\"");
    }
}
