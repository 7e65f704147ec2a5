//! JSON parsing that refuses duplicate object member names, at any depth. Two parsers that
//! disagree on which duplicate wins (first or last) can be made to see different claims; refusing
//! duplicates closes that gap. Otherwise the rules are serde_json's (the reader in
//! `strict_parser.rs` is tested against it): at most 127 nested arrays or objects, lone
//! surrogates and numbers beyond `f64` refused.
use serde_json::Value;

/// Parses JSON text, refusing duplicate member names.
pub fn from_slice(bytes: &[u8]) -> Result<Value, String> {
    crate::strict_parser::Parser::new(bytes).document()
}

/// What comes next in a [`Reader`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Object,
    Array,
    /// A string, number, `true`, `false` or `null`.
    Scalar,
}

/// A pull reader over JSON text with the rules of [`from_slice`] (duplicates aside, which the
/// caller building objects must refuse itself): for callers that handle some members specially
/// instead of building the whole value, such as an SD-JWT verifier reading `_sd` digests without
/// allocating them, or a disclosure's salt without keeping it. Nesting counts against the same
/// limit as [`from_slice`]. Every method reports malformed text as an error.
pub struct Reader<'a>(crate::strict_parser::Parser<'a>);

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader(crate::strict_parser::Parser::new(bytes))
    }

    /// The kind of the next value (whitespace skipped).
    pub fn peek(&mut self) -> Result<Next, String> {
        self.0.peek_kind()
    }

    /// Consumes the `{` of an object.
    pub fn begin_object(&mut self) -> Result<(), String> {
        self.0.open(b'{', "expected an object")
    }

    /// The next member name of the object being read (its `:` consumed), or `None` at its `}`.
    /// `first` is true for the first call after [`Self::begin_object`].
    pub fn next_key(&mut self, first: bool) -> Result<Option<String>, String> {
        Ok(self.next_key_str(first)?.map(std::borrow::Cow::into_owned))
    }

    /// Like [`Self::next_key`], borrowing the name from the text when it has no escapes, for a
    /// caller that keeps only some members.
    pub fn next_key_str(
        &mut self,
        first: bool,
    ) -> Result<Option<std::borrow::Cow<'a, str>>, String> {
        if !self.0.next_in(b'}', first)? {
            return Ok(None);
        }
        self.0.skip_ws();
        let key = self.0.str_item()?;
        self.0.expect(b':', "expected ':'")?;
        Ok(Some(key))
    }

    /// Consumes the `[` of an array.
    pub fn begin_array(&mut self) -> Result<(), String> {
        self.0.open(b'[', "expected an array")
    }

    /// Whether another item of the array being read follows (consuming the `,` before it);
    /// `false` at its `]`. `first` is true for the first call after [`Self::begin_array`].
    pub fn next_item(&mut self, first: bool) -> Result<bool, String> {
        self.0.next_in(b']', first)
    }

    /// The next value, whole.
    pub fn value(&mut self) -> Result<Value, String> {
        self.0.value()
    }

    /// The next value, which must be a string: borrowed from the text when it has no escapes.
    pub fn str(&mut self) -> Result<std::borrow::Cow<'a, str>, String> {
        self.0.skip_ws();
        self.0.str_item()
    }

    /// Checks that nothing but whitespace follows the value read.
    pub fn finish(mut self) -> Result<(), String> {
        self.0.end()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn duplicates_rejected_at_depth() {
        assert!(super::from_slice(br#"{"a":{"b":1,"b":2}}"#).is_err());
        assert!(super::from_slice(br#"[{"x":1},{"x":1}]"#).is_ok());
        assert_eq!(
            super::from_slice(br#"{"a":[1,2.5,"s",null,true]}"#).unwrap(),
            serde_json::json!({"a":[1,2.5,"s",null,true]})
        );
    }
}
