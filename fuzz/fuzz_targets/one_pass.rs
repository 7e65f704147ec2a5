//! The verifier's one pass over an SD-JWT payload against the general path. The input is a
//! payload template on the first line and one disclosure (as JSON) per following line; each
//! disclosure is base64url-encoded and every `@N` in the template becomes the digest of
//! disclosure N, so the fuzzer reaches real matches. Whatever the one pass accepts, the general
//! path must accept with the same claims and paths (`check_against_general` panics otherwise).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let Some(template) = lines.next() else { return };
    let encoded: Vec<String> = lines.take(10).map(passport_jose::b64::encode).collect();
    let mut payload = template.to_string();
    for (i, d) in encoded.iter().enumerate().rev() {
        let digest = passport_sd_jwt::Digest::of(d.as_bytes());
        payload = payload.replace(&format!("@{i}"), digest.as_str());
    }
    let texts: Vec<&str> = encoded.iter().map(String::as_str).collect();
    passport_sd_jwt::check_against_general(payload.as_bytes(), &texts);
});
