//! Run as a user would: `passport walkthrough` must show the engine's journey working and every
//! attack refused; `passport demo` must seed its synthetic NHS and say how to sign in.
#![allow(clippy::unwrap_used)]
use std::process::Command;

#[test]
fn walkthrough_runs_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["walkthrough", "--data-dir"])
        .arg(dir.path())
        .env_remove("PASSPORT_KEYSTORE_PASSPHRASE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.matches(": VALID from RHQ").count(), 2, "{text}");
    assert_eq!(text.matches("refused:").count(), 3, "{text}");
    assert!(!text.contains("ACCEPTED"), "{text}");
    assert!(text.contains("credential has been revoked"));
    // The key store is encrypted: no PKCS#8 key in clear, and a second run reuses the same keys.
    let store = std::fs::read_to_string(dir.path().join("issuer.keystore")).unwrap();
    assert!(store.contains("argon2id") && !store.contains("BEGIN"));
    let again = Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["walkthrough", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let kid = |t: &str| {
        t.lines()
            .find(|l| l.contains("RHQ ") && l.contains("kid="))
            .map(str::to_string)
    };
    assert_eq!(kid(&text), kid(&String::from_utf8_lossy(&again.stdout)));
}

#[test]
fn demo_seeds_trusts_and_staff_and_prints_the_logins() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_passport"))
            .args(["demo", "--seed-only", "--staff", "40", "--data-dir"])
            .arg(dir.path())
            .env_remove("PASSPORT_KEYSTORE_PASSPHRASE")
            .env_remove("PASSPORT_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = run();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("database: sqlite"), "{text}");
    assert!(text.contains("40 staff"), "{text}");
    for login in ["rhq.hr", "r0a.hr", "rth.hr", "x24.training", "ohp01.oh"] {
        assert!(text.contains(login), "{login} missing: {text}");
    }
    assert!(text.contains("/portal/login"));
    assert!(dir.path().join("passport.db").exists());
    // Seeding again changes nothing: the same records, the same queue.
    let again = run();
    assert!(again.status.success());
    let summary = |t: &str| t.lines().nth(2).map(str::to_string);
    assert_eq!(
        summary(&text),
        summary(&String::from_utf8_lossy(&again.stdout))
    );
}

#[test]
fn catalogue_prints_type_metadata() {
    let out = Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["catalogue", "--type", "DBSCheckOutcome"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let docs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        docs[0]["vct"],
        "https://w3id.org/nhs-staff-passport/vct/dbs-check-outcome/v1"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["catalogue", "--type", "Salary"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
