//! `passport wallet access-log --node URL`: the person's own access log at each node named,
//! asked for with a proof signed by the wallet's device key (`passport_holder`), printed as
//! one block per request: the organisation and role, the decision, whether the data is still
//! kept, then what each team did and when (UTC).
use anyhow::Result;
use passport_access_log::{AccessLog, Entry, SharedRequest, What};

/// Fetches and prints the log of `wallet` at every node.
pub async fn print_logs(wallet: &passport_holder::Wallet, nodes: &[String]) -> Result<()> {
    let http = passport_holder::http_client()?;
    for node in nodes {
        let log = wallet
            .access_log(node, &http, passport_server::now())
            .await?;
        print!("{}", render(&log));
    }
    Ok(())
}

/// The log as text.
pub fn render(log: &AccessLog) -> String {
    let mut out = format!("{}: ", log.node);
    if log.requests.is_empty() {
        out.push_str("no record of anything shared with this wallet's key\n");
        return out;
    }
    out.push_str(&format!("{} request(s)\n", log.requests.len()));
    for r in &log.requests {
        out.push_str(&request(r, log.retention_days));
    }
    if log.truncated {
        out.push_str("  (older requests left out)\n");
    }
    out
}

fn request(r: &SharedRequest, days: i64) -> String {
    let org = format!("{} ({})", r.organisation.name, r.organisation.ods);
    let shared = r.shared_at.map_or_else(|| "not yet".to_string(), when);
    let decision = match &r.decision {
        Some(d) => format!(
            "{}{}",
            d.outcome,
            d.at.map(|t| format!(" {}", when(t))).unwrap_or_default()
        ),
        None => "none yet".into(),
    };
    let kept = match &r.deleted {
        Some(d) => format!("deleted {} ({})", when(d.at), d.reason),
        None => format!("kept for {days} days after the decision"),
    };
    let mut out = format!(
        "  {org}, {} request for {}\n    shared {shared}; decision: {decision}; data {kept}\n",
        r.audience, r.role
    );
    for e in &r.entries {
        out.push_str(&format!(
            "    {}  {:<16}  {}\n",
            when(e.at),
            e.role,
            deed(e)
        ));
    }
    if r.entries_truncated {
        out.push_str("    (older entries left out)\n");
    }
    out
}

fn deed(e: &Entry) -> String {
    match e.what {
        What::Asked => "asked for the passport".into(),
        What::Viewed => "opened the report".into(),
        What::Exported => format!(
            "downloaded the report ({})",
            e.format.as_deref().unwrap_or("?")
        ),
        What::Decided => format!("decided: {}", e.decision.as_deref().unwrap_or("?")),
        What::Ended => "ended the temporary arrangement".into(),
        What::Other => format!("recorded {}", e.action),
    }
}

/// `2026-12-05 16:54 UTC`.
fn when(unix: i64) -> String {
    let day = passport_server::verifier::response::date_of(unix);
    let secs = unix.rem_euclid(86_400);
    format!("{day} {:02}:{:02} UTC", secs / 3600, secs % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use passport_access_log::{Decision, Organisation};

    #[test]
    fn a_log_reads_as_one_block_per_request_with_teams_not_people() {
        let entry = |at, what, format: Option<&str>| Entry {
            at,
            what,
            format: format.map(str::to_owned),
            decision: None,
            action: "x".into(),
            role: "hr".into(),
            purpose: "transfer".into(),
        };
        let log = AccessLog {
            node: "https://b.example".into(),
            key: "k".into(),
            retention_days: 90,
            truncated: false,
            requests: vec![SharedRequest {
                id: "tr-1".into(),
                organisation: Organisation {
                    ods: "R0A".into(),
                    name: "Trust B".into(),
                },
                audience: "hr".into(),
                role: "FY2".into(),
                asked_at: 0,
                shared_at: Some(86_400 + 3_660),
                decision: Some(Decision {
                    outcome: "accepted".into(),
                    at: None,
                }),
                deleted: None,
                entries: vec![
                    entry(90_000, What::Viewed, None),
                    entry(90_060, What::Exported, Some("csv")),
                ],
                entries_truncated: false,
            }],
        };
        let text = render(&log);
        assert!(text.contains("Trust B (R0A), hr request for FY2"), "{text}");
        assert!(
            text.contains("shared 1970-01-02 01:01 UTC; decision: accepted; data kept for 90 days")
        );
        assert!(text.contains("1970-01-02 01:00 UTC  hr                opened the report"));
        assert!(text.contains("downloaded the report (csv)"));
    }
}
