//! `passport bench changeover` at a small size, as its user runs it: the whole code path (the
//! real server in process, imports, issuance, the rotation list upload, the outbox, every
//! wallet answering over HTTP, dashboard and CSV) on SQLite and PostgreSQL. The figures are
//! checked for consistency, not for speed: every doctor issued their credentials, invited once,
//! answered, verified and counted where the synthetic data says they stand.
#![allow(clippy::unwrap_used)]
use serde_json::Value;
use std::process::{Command, Output};

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["bench", "changeover"])
        .args(args)
        .env_remove("PASSPORT_CONFIG")
        .env_remove("PASSPORT_DATABASE_URL")
        .output()
        .unwrap()
}

fn figures(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

fn positive(v: &Value) -> f64 {
    let x = v.as_f64().unwrap_or_else(|| panic!("a figure: {v}"));
    assert!(x > 0.0, "{v}");
    x
}

/// Every figure of one database's run agrees with `doctors` doctors of `per_doctor` credentials
/// who all answered; returns the standings.
fn consistent(r: &Value, doctors: u64, per_doctor: u64) -> Value {
    let s = &r["stages"];
    assert_eq!(num(&s["issue"]["records_imported"]), doctors * per_doctor);
    assert_eq!(num(&s["issue"]["credentials_issued"]), doctors * per_doctor);
    assert_eq!(num(&s["invite"]["transfer_requests"]), doctors);
    assert_eq!(num(&s["invite"]["invitations_delivered"]), doctors);
    assert_eq!(num(&s["present_verify"]["transfers"]), doctors);
    let presented = num(&s["present_verify"]["presentations_verified"]);
    assert!(presented >= doctors, "at least one presentation each");
    assert!(presented <= doctors * per_doctor, "never more than held");
    let report = &s["report"]["figures"];
    assert_eq!(num(&report["csv_rows"]), doctors);
    let standings = report["standings"].clone();
    let counted: u64 = ["ready", "gaps", "not-responded", "declined"]
        .iter()
        .map(|k| num(&standings[*k]))
        .sum();
    assert_eq!(counted, doctors, "{standings}");
    let seconds: f64 = ["issue", "invite", "present_verify", "report"]
        .iter()
        .map(|k| {
            let x = s[*k]["seconds"].as_f64().unwrap();
            assert!(x >= 0.0, "{k}: {x}");
            x
        })
        .sum();
    let total = positive(&r["total_seconds"]);
    assert!((total - seconds).abs() < 0.5, "{total} vs {seconds}");
    for figure in [
        "transfers_per_sec",
        "credentials_issued_per_sec",
        "presentations_verified_per_sec",
        "ratio_presentations_verified_to_raw_es256_verify",
        "peak_rss_mib",
        "database_mib",
    ] {
        positive(&r[figure]);
    }
    standings
}

#[test]
fn twenty_doctors_change_over_on_sqlite_and_postgresql_and_every_figure_adds_up() {
    let out = bench(&["--doctors", "20", "--workers", "3", "--backend", "both"]);
    let report = figures(&out);
    assert_eq!(num(&report["doctors"]), 20);
    positive(&report["raw_es256_verify_per_sec"]);
    let results = report["results"].as_array().unwrap();
    let databases: Vec<&str> = results
        .iter()
        .map(|r| r["database"].as_str().unwrap())
        .collect();
    assert_eq!(databases, ["sqlite", "postgres"]);
    for r in results {
        let standings = consistent(r, 20, 20);
        // Twenty credentials hold everything the foundation profile asks for.
        assert_eq!(num(&standings["ready"]), 20, "{standings}");
        // The profile asks for 19 of them; the twentieth is not shared.
        assert_eq!(
            num(&r["stages"]["present_verify"]["presentations_verified"]),
            20 * 19
        );
    }
}

#[test]
fn doctors_lacking_training_are_counted_with_gaps() {
    // 15 credentials: the last four of the eleven subjects the profile asks for are missing.
    let out = bench(&[
        "--doctors",
        "6",
        "--credentials-per-doctor",
        "15",
        "--backend",
        "sqlite",
    ]);
    let report = figures(&out);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let standings = consistent(&results[0], 6, 15);
    assert_eq!(num(&standings["gaps"]), 6, "{standings}");
    assert_eq!(num(&standings["ready"]), 0, "{standings}");
}

#[test]
fn impossible_sizes_are_refused_before_anything_runs() {
    for (args, words) in [
        (&["--doctors", "0"][..], "--doctors must be 1 to 100000"),
        (
            &["--doctors", "100001"][..],
            "--doctors must be 1 to 100000",
        ),
        (
            &["--doctors", "5", "--credentials-per-doctor", "7"][..],
            "--credentials-per-doctor must be 8 to 27",
        ),
        (
            &["--doctors", "5", "--workers", "0"][..],
            "--workers must be at least 1",
        ),
        (
            &["--doctors", "5", "--backend", "mysql"][..],
            "invalid value 'mysql'",
        ),
    ] {
        let out = bench(args);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: no figures");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
    }
}
