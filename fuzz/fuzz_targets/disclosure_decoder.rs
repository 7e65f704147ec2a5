//! The disclosure decoder on arbitrary base64url text and on arbitrary JSON (encoded first, so the
//! fuzzer reaches the shape checks as well as the base64 and JSON layers).
#![no_main]
use libfuzzer_sys::fuzz_target;
use passport_sd_jwt::Disclosure;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(d) = Disclosure::parse(text) {
            assert_eq!(d.encoded, text);
        }
    }
    let encoded = passport_jose::b64::encode(data);
    if let Ok(d) = Disclosure::parse(&encoded) {
        assert!(d.name.as_deref() != Some("_sd") && d.name.as_deref() != Some("..."));
    }
});
