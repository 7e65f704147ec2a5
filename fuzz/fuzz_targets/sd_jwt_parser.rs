//! The SD-JWT parser and verifier on arbitrary text: must return an error, never panic, hang or
//! exhaust memory. The issuer key is fixed, so signature checks fail fast; the structural parsing
//! before them (split, base64, strict JSON, disclosures, digest walk for the holder view) is what
//! the fuzzer explores.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passport_sd_jwt::{KeyBinding, SdJwt, SdJwtError, VerifyOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(sd) = SdJwt::parse(text) {
        let _ = sd.claims_and_paths();
        let _ = sd.serialize();
    }
    let resolve = |_: &passport_jose::jws::HeaderInfo, _: &serde_json::Map<String, serde_json::Value>| {
        Err::<passport_jose::VerifyingKey, _>(SdJwtError::IssuerKey("fuzz".into()))
    };
    let _ = passport_sd_jwt::verify::verify(text, &resolve, &VerifyOptions::new(0, KeyBinding::NotRequired));
});
