//! A JSON reader for the verifier's hot path: RFC 8259 text straight into `serde_json::Value`,
//! refusing duplicate member names at any depth.
//!
//! It accepts exactly what `serde_json::from_slice::<Value>` accepts (same nesting limit, lone
//! surrogates refused, numbers beyond `f64` refused, integers as `u64`/`i64` when they fit) and
//! builds the same value; the differential tests below and the `strict_json` fuzz target hold it
//! to that. It is faster because each object is allocated once at its final size (members are
//! gathered on a shared stack first) and because strings without escapes are copied in one step.
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// serde_json's default recursion limit: 127 nested arrays or objects are read, 128 are not.
const MAX_DEPTH: usize = 128;

pub(crate) struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    /// Members of the objects being read, innermost last.
    members: Vec<(String, Value)>,
    scratch: Vec<u8>,
}

type Res<T> = Result<T, String>;

impl<'a> Parser<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Parser {
            bytes,
            pos: 0,
            depth: 0,
            members: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn err<T>(&self, what: &str) -> Res<T> {
        Err(format!("{what} at byte {}", self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    /// The whole input is one value, with nothing but whitespace after it.
    pub(crate) fn document(mut self) -> Res<Value> {
        self.skip_ws();
        let v = self.value()?;
        self.end()?;
        Ok(v)
    }

    pub(crate) fn end(&mut self) -> Res<()> {
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return self.err("trailing characters");
        }
        Ok(())
    }

    /// Consumes `b` after optional whitespace.
    pub(crate) fn expect(&mut self, b: u8, what: &str) -> Res<()> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(what)
        }
    }

    /// After optional whitespace: `true` and consumed if the next byte is `b`.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn peek_kind(&mut self) -> Res<crate::strict_json::Next> {
        use crate::strict_json::Next;
        self.skip_ws();
        match self.peek() {
            Some(b'{') => Ok(Next::Object),
            Some(b'[') => Ok(Next::Array),
            Some(_) => Ok(Next::Scalar),
            None => self.err("EOF while parsing a value"),
        }
    }

    /// Consumes the opening bracket `b` of an object or array (after whitespace).
    pub(crate) fn open(&mut self, b: u8, what: &str) -> Res<()> {
        self.skip_ws();
        if self.peek() != Some(b) {
            return self.err(what);
        }
        self.enter()
    }

    /// In an object or array closed by `close`: `false` (and the close consumed) at its end,
    /// otherwise `true` with the `,` before a non-first element consumed.
    pub(crate) fn next_in(&mut self, close: u8, first: bool) -> Res<bool> {
        if self.eat(close) {
            // A trailing comma never gets here: it is refused below, when it is read.
            self.depth -= 1;
            return Ok(false);
        }
        if !first {
            self.expect(b',', "expected ',' or a closing bracket")?;
            self.skip_ws();
            if self.peek() == Some(close) {
                return self.err("trailing comma");
            }
        }
        Ok(true)
    }

    pub(crate) fn value(&mut self) -> Res<Value> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.err("expected value"),
            None => self.err("EOF while parsing a value"),
        }
    }

    fn literal(&mut self, text: &[u8], v: Value) -> Res<Value> {
        if self.bytes[self.pos..].starts_with(text) {
            self.pos += text.len();
            Ok(v)
        } else {
            self.err("expected ident")
        }
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return self.err("recursion limit exceeded");
        }
        self.pos += 1;
        Ok(())
    }

    fn object(&mut self) -> Res<Value> {
        self.enter()?;
        let start = self.members.len();
        if !self.eat(b'}') {
            loop {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return self.err("key must be a string");
                }
                let key = self.string()?;
                self.expect(b':', "expected ':'")?;
                let value = self.value()?;
                self.members.push((key, value));
                if self.eat(b',') {
                    continue;
                }
                self.expect(b'}', "expected ',' or '}'")?;
                break;
            }
        }
        self.depth -= 1;
        // An object with an `_sd` array is an SD-JWT payload level: the verifier will add one
        // member per digest it discloses, so room for them is made now rather than by regrowing.
        let spare = self.members[start..]
            .iter()
            .find(|(key, _)| key == "_sd")
            .and_then(|(_, v)| v.as_array())
            .map_or(0, Vec::len);
        let mut map = Map::with_capacity(self.members.len() - start + spare);
        for (key, value) in self.members.drain(start..) {
            match map.entry(key) {
                Entry::Occupied(seen) => {
                    return Err(format!("duplicate member name {:?}", seen.key()));
                }
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
            }
        }
        Ok(Value::Object(map))
    }

    fn array(&mut self) -> Res<Value> {
        self.enter()?;
        let mut items = Vec::new();
        if !self.eat(b']') {
            loop {
                items.push(self.value()?);
                if self.eat(b',') {
                    continue;
                }
                self.expect(b']', "expected ',' or ']'")?;
                break;
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    /// A string item (the current byte must be its opening quote), borrowed from the text when
    /// it has no escapes.
    pub(crate) fn str_item(&mut self) -> Res<std::borrow::Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return self.err("expected a string");
        }
        let start = self.pos + 1;
        self.pos = start;
        self.skip_plain();
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    let bytes: &'a [u8] = self.bytes;
                    let text = std::str::from_utf8(&bytes[start..self.pos])
                        .map_err(|_| format!("invalid unicode code point at byte {start}"))?;
                    self.pos += 1;
                    return Ok(std::borrow::Cow::Borrowed(text));
                }
                b'\\' => break,
                0x00..=0x1f => return self.err("control character in string"),
                _ => self.pos += 1,
            }
        }
        if self.pos >= self.bytes.len() {
            return self.err("EOF while parsing a string");
        }
        // Escapes: the plain part so far, then the rest decoded, in the reused scratch buffer.
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        out.extend_from_slice(&self.bytes[start..self.pos]);
        let r = self.escaped(&mut out);
        let s = r.and_then(|()| {
            std::str::from_utf8(&out)
                .map(str::to_owned)
                .map_err(|_| format!("invalid unicode code point at byte {start}"))
        });
        self.scratch = out;
        s.map(std::borrow::Cow::Owned)
    }

    /// A string at the current position (which holds its opening quote), owned.
    fn string(&mut self) -> Res<String> {
        self.str_item().map(std::borrow::Cow::into_owned)
    }

    /// Skips string bytes eight at a time while none of them is a quote, a backslash or a control
    /// character; the byte loop of [`Self::str_item`] then reads from the first chunk that may hold
    /// one. (A chunk is flagged if any byte is `"`, `\\` or below 0x20; a flag may be false only
    /// for bytes after the first real one, so no special byte is skipped.)
    fn skip_plain(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let special = has_zero(x ^ (ONES * u64::from(b'"')))
                | has_zero(x ^ (ONES * u64::from(b'\\')))
                | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
            if special != 0 {
                return;
            }
            self.pos += 8;
        }
    }

    /// The rest of a string that has escapes, from the first backslash.
    fn escaped(&mut self, out: &mut Vec<u8>) -> Res<()> {
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.err("EOF while parsing a string");
            };
            self.pos += 1;
            match b {
                b'"' => return Ok(()),
                b'\\' => {
                    let Some(&e) = self.bytes.get(self.pos) else {
                        return self.err("EOF while parsing a string");
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let c = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return self.err("invalid escape"),
                    }
                }
                0x00..=0x1f => return self.err("control character in string"),
                _ => out.push(b),
            }
        }
    }

    fn hex4(&mut self) -> Res<u16> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            return self.err("EOF while parsing a string");
        };
        let mut n = 0u16;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return self.err("invalid escape"),
            };
            n = (n << 4) | u16::from(v);
        }
        self.pos += 4;
        Ok(n)
    }

    /// `\uXXXX` (the `\u` consumed), with a following low surrogate when it is a high one.
    fn unicode_escape(&mut self) -> Res<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return self.err("unexpected end of hex escape");
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return self.err("lone leading surrogate in hex escape");
                }
                0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            0xDC00..=0xDFFF => return self.err("lone leading surrogate in hex escape"),
            n => u32::from(n),
        };
        char::from_u32(code).map_or_else(|| self.err("invalid unicode code point"), Ok)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Res<Value> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err("invalid number"),
        }
        let int_end = self.pos;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return self.err("invalid number");
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return self.err("invalid number");
            }
            float = true;
        }
        if !float {
            if let Some(n) = integer(&self.bytes[int_start..int_end], negative) {
                return Ok(Value::Number(n));
            }
        }
        // ASCII digits, sign, '.', 'e': always UTF-8.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default();
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => self.err("number out of range"),
        }
    }
}

/// An integer that fits `u64` (or `i64` when negative), as serde_json reads it; `-0` is the
/// float `-0.0` there, so it is left to the float path.
fn integer(digits: &[u8], negative: bool) -> Option<Number> {
    let mut n: u64 = 0;
    for &d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if !negative {
        return Some(n.into());
    }
    if n == 0 {
        return None;
    }
    let neg = 0i64.checked_sub_unsigned(n)?;
    Some(neg.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Parser;
    use serde_json::Value;

    fn ours(text: &[u8]) -> Result<Value, String> {
        Parser::new(text).document()
    }

    /// Same acceptance and same value as serde_json (duplicates aside, which serde_json keeps).
    fn same(text: &str) {
        let theirs = serde_json::from_slice::<Value>(text.as_bytes());
        let mine = ours(text.as_bytes());
        match (&theirs, &mine) {
            (Ok(a), Ok(b)) => assert!(equal(a, b), "{text:?}: {a:?} vs {b:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{text:?}: serde_json {theirs:?}, ours {mine:?}"),
        }
    }

    /// Equal values; floats may differ in the last place (serde_json's default float reader is
    /// not correctly rounded, ours is).
    fn equal(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                x.to_bits().abs_diff(y.to_bits()) <= 1
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| equal(a, b))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, a), (kb, b))| ka == kb && equal(a, b))
            }
            _ => a == b,
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        for text in [
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
            " \n\t{ \"a\" : [ 1 , 2 ] } \r\n",
            r#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
            r#""\u12""#,
            r#""\x""#,
            "\"tab\tinside\"",
            "\"\u{7f}\u{e9}\"",
            "0",
            "-0",
            "-0.0",
            "01",
            "1.",
            ".5",
            "1e",
            "1e+",
            "1.5e-3",
            "1E400",
            "-1e400",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "0.1",
            "2.2250738585072014e-308",
            "5e-324",
            "1.7976931348623157e308",
            "-",
            "+1",
            "tru",
            "true ",
            "nulls",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{1:2}",
            "[",
            "{",
            "\"open",
            "",
            "   ",
            "[] []",
            "{\"\":\"\"}",
            "[[[[[[[[[[]]]]]]]]]]",
        ] {
            same(text);
        }
        // Invalid UTF-8 inside and outside strings.
        for bytes in [
            &b"\"\xff\""[..],
            b"\"\xc3\"",
            b"[\"a\",\xe9]",
            b"\"\\n\xff\"",
        ] {
            assert!(serde_json::from_slice::<Value>(bytes).is_err());
            assert!(ours(bytes).is_err());
        }
    }

    /// Long strings go through the eight-bytes-at-a-time scan: a special byte at any offset of a
    /// chunk must still be seen.
    #[test]
    fn long_strings_agree() {
        for special in [
            "\\n", "\\\"", "\\u00e9", "\t", "\u{1}", "\u{1f}", "é", "😀", "\u{7f}", "\\",
        ] {
            for at in 0..24 {
                let mut body: String = "abcdefghijklmnopqrstuvwxyz0123".chars().take(at).collect();
                body.push_str(special);
                body.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                same(&format!("\"{body}\""));
                same(&format!("{{\"{body}\":\"{body}\"}}"));
            }
        }
        for at in 0..24 {
            let mut bytes = vec![b'"'];
            bytes.extend(std::iter::repeat_n(b'a', at));
            bytes.push(0xff);
            bytes.extend(std::iter::repeat_n(b'b', 20));
            bytes.push(b'"');
            assert!(ours(&bytes).is_err());
        }
    }

    #[test]
    fn nesting_limit_matches() {
        for depth in [127, 128, 129, 400] {
            same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            same(&objects);
        }
    }

    #[test]
    fn duplicates_refused_at_any_depth() {
        assert!(ours(br#"{"a":1,"a":2}"#).unwrap_err().contains("duplicate"));
        assert!(ours(br#"{"x":[{"b":1,"b":1}]}"#).is_err());
        assert!(ours(br#"{"a":1,"\u0061":2}"#).is_err());
        assert!(ours(br#"[{"x":1},{"x":1}]"#).is_ok());
    }

    #[test]
    fn member_order_kept() {
        let v = ours(br#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#).unwrap();
        assert_eq!(v.to_string(), r#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#);
    }

    /// Pseudo-random documents built from JSON fragments: both parsers agree on each.
    #[test]
    fn random_documents_agree() {
        let pieces: [&str; 24] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"k\"",
            "\"v\\n\"",
            "1",
            "-2",
            "3.5e1",
            "true",
            "null",
            " ",
            "\"\\u00e9\"",
            "{\"a\":",
            "[1,",
            "0",
            "\"x\"",
            "}",
            "]",
            "\"\\ud800\"",
            "1e999",
            "\"dup\":1,\"dup\":2",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut text = String::new();
            let n = (seed % 12) as usize + 1;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            if text.contains("dup") {
                continue;
            }
            same(&text);
        }
    }
}
