//! The status list decoder on arbitrary `lst` text and on arbitrary zlib input: errors, never a
//! panic or an unbounded allocation; every index of a decoded list reads back in range.
#![no_main]
use libfuzzer_sys::fuzz_target;
use passport_status_list::StatusList;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let bits = [1u64, 2, 4, 8, 3][data[0] as usize % 5];
    let rest = &data[1..];
    let candidates = [
        std::str::from_utf8(rest).ok().map(str::to_string),
        Some(passport_jose::b64::encode(rest)),
    ];
    for lst in candidates.into_iter().flatten() {
        if let Ok(list) = StatusList::decode(bits, &lst) {
            let len = list.len();
            for i in [0, len / 2, len.saturating_sub(1)] {
                if len > 0 {
                    let s = list.get(i).expect("in range");
                    assert!(u16::from(s) < (1u16 << bits));
                }
            }
            assert!(list.get(len).is_err());
        }
    }
});
