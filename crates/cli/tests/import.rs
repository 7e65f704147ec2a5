//! `passport import` as a person runs it: a good file lands, the same file again changes
//! nothing, a file with bad rows lists every one with its line and imports nothing.
#![allow(clippy::unwrap_used)]
use std::process::Command;

fn passport(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(args)
        .env("PASSPORT_CONFIG", dir.join("passport.toml"))
        .env_remove("PASSPORT_DATABASE_URL")
        .output()
        .unwrap()
}

fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
}

#[test]
fn import_validates_the_whole_file_first_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("passport.toml"),
        format!(
            "data_dir = {:?}\n[[organisations]]\nods_code = \"RHQ\"\nname = \"Synthetic Trust\"\nkind = \"trust\"\n",
            dir.path().join("data").display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let staff = sample("esr-staff.csv");
    let out = passport(
        dir.path(),
        &[
            "import",
            "--org",
            "RHQ",
            "--kind",
            "esr-staff",
            staff.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(first["created"].as_u64().unwrap() > 0, "{first}");

    let out = passport(
        dir.path(),
        &[
            "import",
            "--org",
            "RHQ",
            "--kind",
            "esr-staff",
            staff.to_str().unwrap(),
        ],
    );
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["created"], 0);
    assert_eq!(again["superseded"], 0);
    assert_eq!(
        again["unchanged"].as_u64().unwrap(),
        first["created"].as_u64().unwrap() + first["unchanged"].as_u64().unwrap()
    );

    // Two bad rows among good ones: a bad date and a malformed GMC number.
    let text = std::fs::read_to_string(&staff).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[1] = lines[1].replace("1999-03-14", "1999-13-40");
    lines[2] = lines[2].replace("9100002", "91X0002");
    lines.push("10009999,20009999,Mr,Extra,Person,1990-01-01,e@nhs.example,,,,,RHQ,T,Admin,Clerk,Clerk,Band 3,Permanent,Active Assignment,1,2020-01-01,,Y".into());
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let out = passport(
        dir.path(),
        &[
            "import",
            "--org",
            "RHQ",
            "--kind",
            "esr-staff",
            bad.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");

    // Nothing changed: the good new row of the bad file did not land either.
    let out = passport(
        dir.path(),
        &[
            "import",
            "--org",
            "RHQ",
            "--kind",
            "esr-staff",
            staff.to_str().unwrap(),
        ],
    );
    let after: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after["created"], 0);
    assert_eq!(after["new_people"], 0);

    let out = passport(
        dir.path(),
        &[
            "import",
            "--org",
            "R0A",
            "--kind",
            "esr-staff",
            staff.to_str().unwrap(),
        ],
    );
    assert!(
        !out.status.success(),
        "an organisation that is not configured"
    );
}
