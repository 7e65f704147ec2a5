//! `passport bench crypto` as its user runs it, for a moment per figure: the JSON has every
//! figure, each ratio is its two rates divided, and what it timed was real work (a verification
//! of the presentation against a national-sized trust list). Speed itself is never asserted here.
#![allow(clippy::unwrap_used)]
use serde_json::Value;
use std::process::Command;

fn rate(r: &Value, name: &str) -> f64 {
    let x = r[name].as_f64().unwrap_or_else(|| panic!("{name}: {r}"));
    assert!(x > 0.0, "{name}: {x}");
    x
}

#[test]
fn the_crypto_bench_reports_every_figure_and_its_ratios() {
    let out = Command::new(env!("CARGO_BIN_EXE_passport"))
        .args(["bench", "crypto", "--seconds", "0.05", "--rounds", "1"])
        .arg("--no-openssl")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (sign, verify) = (
        rate(&r, "raw_es256_sign_per_sec"),
        rate(&r, "raw_es256_verify_per_sec"),
    );
    let issue = rate(&r, "issuance_per_sec");
    let present = rate(&r, "presentation_verification_per_sec");
    let close = |ratio: &str, want: f64| {
        let got = r[ratio].as_f64().unwrap();
        assert!((got - want).abs() < 0.002, "{ratio}: {got} against {want}");
    };
    close("ratio_issuance_to_sign", issue / sign);
    close("ratio_verification_to_verify", present / verify);
    assert_eq!(r["trust_list_organisations"], 250);
    assert_eq!(r["targets"]["ratio_verification_to_verify"], 0.45);
    assert!(r["presentation_bytes"].as_u64().unwrap() > 1000);
    assert!(r.get("openssl_verify_per_sec").is_none());
}
