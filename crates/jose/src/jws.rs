//! Compact JWS (RFC 7515) with JSON object payloads, ES256 only.
use crate::{b64, JoseError, Signer, VerifyingKey, ES256};
use serde_json::{Map, Value};

/// The protected header members the passport sets when signing.
#[derive(Debug, Clone, Default)]
pub struct JwsHeader {
    pub typ: Option<String>,
    /// Extra members (e.g. `x5c` or `trust_chain` in future); `alg` and `kid` are always set by
    /// [`sign`] from the signer and cannot be overridden here.
    pub extra: Map<String, Value>,
    /// Whether to put the signer's `kid` in the header.
    pub with_kid: bool,
}

impl JwsHeader {
    pub fn typed(typ: &str) -> Self {
        JwsHeader {
            typ: Some(typ.into()),
            extra: Map::new(),
            with_kid: true,
        }
    }
}

/// Signs `payload` as a compact JWS with `alg: ES256`.
pub fn sign(header: &JwsHeader, payload: &Value, signer: &dyn Signer) -> Result<String, JoseError> {
    let mut h = Map::new();
    h.insert("alg".into(), ES256.into());
    if let Some(typ) = &header.typ {
        h.insert("typ".into(), typ.clone().into());
    }
    if header.with_kid {
        h.insert("kid".into(), signer.kid().into());
    }
    for (k, v) in &header.extra {
        if k != "alg" && k != "kid" && k != "typ" {
            h.insert(k.clone(), v.clone());
        }
    }
    let header_json = serde_json::to_vec(&Value::Object(h)).map_err(json_err("header"))?;
    let payload_json = serde_json::to_vec(payload).map_err(json_err("payload"))?;
    let mut out = String::with_capacity((header_json.len() + payload_json.len()) * 4 / 3 + 100);
    out.push_str(&b64::encode(header_json));
    out.push('.');
    out.push_str(&b64::encode(payload_json));
    let signature = signer.sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&b64::encode(signature));
    Ok(out)
}

fn json_err(part: &'static str) -> impl Fn(serde_json::Error) -> JoseError {
    move |e| JoseError::Json {
        part,
        reason: e.to_string(),
    }
}

/// A parsed, not yet verified, compact JWS. Nothing in it may be trusted until [`Self::verify`]
/// has succeeded with a key the caller chose. The payload is a JSON object by default, or any
/// type that deserialises from one ([`CompactJws::parse_typed`]); the signing input is borrowed
/// from the text, not copied.
#[derive(Debug, Clone)]
pub struct CompactJws<'a, P = Map<String, Value>> {
    pub header: Map<String, Value>,
    pub payload: P,
    signing_input: &'a str,
    signature: [u8; 64],
}

/// A JWS split into its checked header, raw payload bytes, signing input and signature.
type Split<'a, H = Map<String, Value>> = (H, Vec<u8>, &'a str, [u8; 64]);

/// Splits and checks everything but the payload: three parts, ES256 only, no `crit`, 64-byte
/// signature. Returns the header, the payload bytes and the signing input.
fn split(compact: &str) -> Result<Split<'_>, JoseError> {
    split_with(compact, |bytes| {
        let header = parse_object(bytes, "JWS header")?;
        check_header(&header)?;
        Ok(header)
    })
}

/// `alg` is ES256 and there is no `crit`.
fn check_header(header: &Map<String, Value>) -> Result<(), JoseError> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ES256 => {}
        Some(Value::String(alg)) => return Err(JoseError::AlgorithmNotAllowed(alg.clone())),
        _ => return Err(JoseError::Malformed("header has no string alg".into())),
    }
    if header.contains_key("crit") {
        return Err(JoseError::Malformed(
            "crit header parameters are not supported".into(),
        ));
    }
    Ok(())
}

fn split_with<H>(
    compact: &str,
    read_header: impl FnOnce(&[u8]) -> Result<H, JoseError>,
) -> Result<Split<'_, H>, JoseError> {
    let mut parts = compact.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    // Headers are small: decoded on the stack when they fit.
    let mut stack = [0u8; 256];
    let heap;
    let header_bytes: &[u8] = if b64::decoded_len(h) <= stack.len() {
        b64::decode_into(h, &mut stack)?
    } else {
        heap = b64::decode(h)?;
        &heap
    };
    let header = read_header(header_bytes)?;
    if b64::decoded_len(s) != 64 {
        return Err(JoseError::Malformed(
            "ES256 signature must be 64 bytes".into(),
        ));
    }
    let mut signature = [0u8; 64];
    b64::decode_into(s, &mut signature)?;
    Ok((
        header,
        b64::decode(p)?,
        &compact[..h.len() + 1 + p.len()],
        signature,
    ))
}

/// The protected header members a verifier of credentials uses. The header was checked as
/// [`CompactJws::parse`] checks it (ES256, no `crit`, no duplicate names); other members are
/// ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderInfo {
    /// `typ`, if it is a string.
    pub typ: Option<String>,
    /// `kid`, if it is a string.
    pub kid: Option<String>,
}

impl HeaderInfo {
    /// Reads the header without building a JSON object when it is plain (each member once,
    /// `alg` the string ES256, `typ` and `kid` strings, no `crit`); otherwise the general reading
    /// decides, with its error.
    fn read(bytes: &[u8]) -> Result<Self, JoseError> {
        if let Some(info) = Self::plain(bytes) {
            return Ok(info);
        }
        let header = parse_object(bytes, "JWS header")?;
        check_header(&header)?;
        let text = |name: &str| header.get(name).and_then(Value::as_str).map(str::to_string);
        Ok(HeaderInfo {
            typ: text("typ"),
            kid: text("kid"),
        })
    }

    fn plain(bytes: &[u8]) -> Option<Self> {
        let mut r = crate::strict_json::Reader::new(bytes);
        r.begin_object().ok()?;
        let mut info = HeaderInfo::default();
        let mut alg = false;
        let mut others: Vec<String> = Vec::new();
        let mut first = true;
        while let Some(key) = r.next_key(first).ok()? {
            first = false;
            let value = r.value().ok()?;
            let slot = match key.as_str() {
                "alg" if !alg && value.as_str() == Some(ES256) => {
                    alg = true;
                    continue;
                }
                "alg" | "crit" => return None,
                "typ" => &mut info.typ,
                "kid" => &mut info.kid,
                _ if others.contains(&key) => return None,
                _ => {
                    others.push(key);
                    continue;
                }
            };
            match value {
                Value::String(text) if slot.is_none() => *slot = Some(text),
                _ => return None,
            }
        }
        r.finish().ok()?;
        alg.then_some(info)
    }
}

/// A compact JWS with its header read into [`HeaderInfo`] and its payload left as bytes: what a
/// credential verifier needs, without building the header as a JSON object.
pub struct RawJws<'a> {
    pub header: HeaderInfo,
    pub payload: Vec<u8>,
    signing_input: &'a str,
    signature: [u8; 64],
}

impl<'a> RawJws<'a> {
    /// Splits and checks `header.payload.signature` as [`CompactJws::parse`] does, leaving the
    /// payload undecoded as JSON.
    pub fn parse(compact: &'a str) -> Result<Self, JoseError> {
        let (header, payload, signing_input, signature) = split_with(compact, HeaderInfo::read)?;
        Ok(RawJws {
            header,
            payload,
            signing_input,
            signature,
        })
    }

    /// Checks the signature with the key the caller chose for this token.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), JoseError> {
        key.verify(self.signing_input.as_bytes(), &self.signature)
    }
}

impl<'a> CompactJws<'a> {
    /// Parses `header.payload.signature`. Rejects at once any algorithm other than ES256 (so `none`
    /// and HMAC never reach a key), any `crit` header (no extensions are understood), non-object
    /// JSON, duplicate member names, and a signature that is not 64 bytes.
    pub fn parse(compact: &'a str) -> Result<Self, JoseError> {
        let (header, payload, signing_input, signature) = split(compact)?;
        Ok(CompactJws {
            header,
            payload: parse_object(&payload, "JWS payload")?,
            signing_input,
            signature,
        })
    }
}

/// The parts of a compact JWS whose protected header is exactly `header` (base64url text, as
/// this system writes a fixed header such as a KB-JWT's): the header is known, so it is neither
/// decoded nor parsed. Returns the payload bytes, the signing input and the signature, or `None`
/// if the header differs or anything else is off; the caller then takes [`CompactJws::parse`] or
/// [`CompactJws::parse_typed`], which give the precise error. `header` must decode to an
/// ES256 header without `crit`.
pub fn split_known_header<'a>(
    compact: &'a str,
    header: &str,
) -> Option<(Vec<u8>, &'a str, [u8; 64])> {
    let rest = compact.strip_prefix(header)?.strip_prefix('.')?;
    let (payload, signature) = rest.split_once('.')?;
    if signature.contains('.') || b64::decoded_len(signature) != 64 {
        return None;
    }
    let mut sig = [0u8; 64];
    b64::decode_into(signature, &mut sig).ok()?;
    let payload_bytes = b64::decode(payload).ok()?;
    Some((
        payload_bytes,
        &compact[..header.len() + 1 + payload.len()],
        sig,
    ))
}

impl<'a, P: serde::de::DeserializeOwned> CompactJws<'a, P> {
    /// Like [`CompactJws::parse`], with the payload read straight into `P` (a derived
    /// `Deserialize` refuses duplicate fields itself). For small fixed-shape tokens such as KB-JWTs.
    pub fn parse_typed(compact: &'a str) -> Result<Self, JoseError> {
        let (header, payload, signing_input, signature) = split(compact)?;
        let payload = serde_json::from_slice(&payload).map_err(|e| JoseError::Json {
            part: "JWS payload",
            reason: e.to_string(),
        })?;
        Ok(CompactJws {
            header,
            payload,
            signing_input,
            signature,
        })
    }
}

impl<P> CompactJws<'_, P> {
    /// Checks the signature with the key the caller chose for this token.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), JoseError> {
        key.verify(self.signing_input.as_bytes(), &self.signature)
    }

    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    pub fn kid(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    /// Header and payload, consumed (after verification) without copying.
    pub fn into_parts(self) -> (Map<String, Value>, P) {
        (self.header, self.payload)
    }

    /// The `header.payload` part that the signature covers.
    pub fn signing_input(&self) -> &str {
        self.signing_input
    }
}

/// Parses a JSON object, rejecting duplicate member names anywhere in it (RFC 7515 section 5.2
/// allows either rejection or last-wins; rejecting removes a class of parser-confusion attacks).
pub fn parse_object(bytes: &[u8], part: &'static str) -> Result<Map<String, Value>, JoseError> {
    match crate::strict_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::Json {
            part,
            reason: "not a JSON object".into(),
        }),
        Err(reason) => Err(JoseError::Json { part, reason }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Es256Signer;
    use serde_json::json;

    fn forge(header: Value, payload: Value, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64::encode(header.to_string()),
            b64::encode(payload.to_string()),
            b64::encode(sig)
        )
    }

    /// The header read without building an object agrees with the general reading: the same
    /// `typ` and `kid` when both accept, and no acceptance the general reading refuses.
    #[test]
    fn header_info_agrees_with_the_general_reading() {
        for text in [
            r#"{"alg":"ES256","typ":"dc+sd-jwt","kid":"k1"}"#,
            r#"{"kid":"k1","alg":"ES256"}"#,
            r#"{"alg":"ES256","typ":5,"x5c":["a"]}"#,
            r#"{"alg":"ES256","alg":"ES256"}"#,
            r#"{"alg":"none"}"#,
            r#"{"alg":"HS256","typ":"dc+sd-jwt"}"#,
            r#"{"typ":"dc+sd-jwt"}"#,
            r#"{"alg":"ES256","crit":["b64"]}"#,
            r#"{"alg":"ES256","kid":"a","kid":"b"}"#,
            r#"{"alg":"ES256","x":1,"x":2}"#,
            r#"{"alg":"ES256","x":{"y":1,"y":2}}"#,
            r#"{"alg":"ES256"} trailing"#,
            r#"["alg","ES256"]"#,
        ] {
            let general = parse_object(text.as_bytes(), "JWS header").and_then(|h| {
                check_header(&h)?;
                Ok(h)
            });
            match (HeaderInfo::read(text.as_bytes()), general) {
                (Ok(info), Ok(h)) => {
                    assert_eq!(
                        info.typ.as_deref(),
                        h.get("typ").and_then(Value::as_str),
                        "{text}"
                    );
                    assert_eq!(
                        info.kid.as_deref(),
                        h.get("kid").and_then(Value::as_str),
                        "{text}"
                    );
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn sign_parse_verify() {
        let (signer, _) = Es256Signer::generate().unwrap();
        let jws = sign(&JwsHeader::typed("example+jwt"), &json!({"a": 1}), &signer).unwrap();
        let parsed = CompactJws::parse(&jws).unwrap();
        parsed
            .verify(&signer.public_jwk().verifying_key().unwrap())
            .unwrap();
        assert_eq!(parsed.typ(), Some("example+jwt"));
        assert_eq!(parsed.kid(), Some(signer.kid()));
        let (other, _) = Es256Signer::generate().unwrap();
        assert_eq!(
            parsed.verify(&other.public_jwk().verifying_key().unwrap()),
            Err(JoseError::BadSignature)
        );
    }

    #[test]
    fn rejects_none_hmac_crit_duplicates() {
        let none = forge(json!({"alg":"none"}), json!({}), b"");
        assert!(matches!(
            CompactJws::parse(&none),
            Err(JoseError::AlgorithmNotAllowed(_))
        ));
        let hs = forge(json!({"alg":"HS256"}), json!({}), &[0; 32]);
        assert!(matches!(
            CompactJws::parse(&hs),
            Err(JoseError::AlgorithmNotAllowed(_))
        ));
        let crit = forge(
            json!({"alg":"ES256","crit":["x"],"x":1}),
            json!({}),
            &[0; 64],
        );
        assert!(matches!(
            CompactJws::parse(&crit),
            Err(JoseError::Malformed(_))
        ));
        let dup = format!(
            "{}.{}.{}",
            b64::encode(r#"{"alg":"ES256"}"#),
            b64::encode(r#"{"iss":"a","iss":"b"}"#),
            b64::encode([0u8; 64])
        );
        assert!(matches!(
            CompactJws::parse(&dup),
            Err(JoseError::Json { .. })
        ));
        assert!(CompactJws::parse("a.b").is_err());
        assert!(CompactJws::parse("a.b.c.d").is_err());
    }
}
