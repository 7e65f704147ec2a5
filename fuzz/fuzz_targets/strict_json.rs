//! The strict JSON reader against serde_json on arbitrary bytes: the same acceptance and the same
//! value, except that the reader refuses duplicate member names (serde_json keeps the last) and
//! reads floats correctly rounded (serde_json's default reader may be one unit in the last place
//! off).
#![no_main]
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(1.0));
            x.to_bits().abs_diff(y.to_bits()) <= 1
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((ka, a), (kb, b))| ka == kb && equal(a, b))
        }
        _ => a == b,
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = passport_jose::strict_json::from_slice(data);
    let theirs = serde_json::from_slice::<Value>(data);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert!(equal(a, b), "{a:?} vs {b:?}"),
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => assert!(e.contains("duplicate member name"), "we refuse, serde_json accepts: {e}"),
        (Ok(v), Err(e)) => panic!("we accept {v:?}, serde_json refuses: {e}"),
    }
});
