//! The holder's side: parse what was issued, choose what to reveal, bind it to the verifier.
use crate::disclosure::Disclosure;
use crate::path::ClaimPath;
use crate::process::process;
use crate::SdJwtError;
use passport_jose::jws::CompactJws;
use passport_jose::Signer;
use serde_json::{Map, Value};

/// An SD-JWT in compact form: `<JWT>~<D1>~...~<Dn>~[<KB-JWT>]` (RFC 9901 section 4).
#[derive(Debug, Clone)]
pub struct SdJwt {
    pub jwt: String,
    pub disclosures: Vec<Disclosure>,
    pub kb_jwt: Option<String>,
}

/// Upper bounds that keep a hostile input from costing more than a normal one.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
pub const MAX_DISCLOSURES: usize = 1024;

impl SdJwt {
    /// Splits the compact form and decodes every disclosure. Does not verify anything.
    pub fn parse(text: &str) -> Result<Self, SdJwtError> {
        if text.len() > MAX_INPUT_BYTES {
            return Err(SdJwtError::TooLarge(text.len()));
        }
        // <JWT>~<D1>~...~<Dn>~<KB-JWT or nothing>
        let Some((jwt, rest)) = text.split_once('~') else {
            return Err(SdJwtError::Malformed(
                "no '~' separator: not an SD-JWT".into(),
            ));
        };
        if jwt.is_empty() {
            return Err(SdJwtError::Malformed("empty issuer-signed JWT".into()));
        }
        let (middle, last) = match rest.rfind('~') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => ("", rest),
        };
        let kb_jwt = (!last.is_empty()).then(|| last.to_string());
        // Counting the separators costs a pass over the text; text this short cannot hold more
        // than MAX_DISCLOSURES parts, so only longer text is counted.
        if middle.len() > 2 * MAX_DISCLOSURES && middle.matches('~').count() >= MAX_DISCLOSURES {
            return Err(SdJwtError::Malformed("too many disclosures".into()));
        }
        // Disclosures are seldom shorter than 64 characters.
        let mut disclosures = Vec::with_capacity(middle.len() / 64 + 1);
        if !middle.is_empty() {
            for p in middle.split('~') {
                if p.is_empty() {
                    return Err(SdJwtError::Malformed("empty disclosure ('~~')".into()));
                }
                disclosures.push(Disclosure::parse(p)?);
            }
        }
        Ok(SdJwt {
            jwt: jwt.to_string(),
            disclosures,
            kb_jwt,
        })
    }

    /// `<JWT>~<D1>~...~<Dn>~`: the part the KB-JWT's `sd_hash` covers.
    pub fn prefix(&self) -> String {
        let mut out = self.jwt.clone();
        out.push('~');
        for d in &self.disclosures {
            out.push_str(&d.encoded);
            out.push('~');
        }
        out
    }

    pub fn serialize(&self) -> String {
        let mut out = self.prefix();
        if let Some(kb) = &self.kb_jwt {
            out.push_str(kb);
        }
        out
    }

    /// The issuer-signed payload, decoded but NOT verified (for the holder's display).
    pub fn unverified_payload(&self) -> Result<Map<String, Value>, SdJwtError> {
        Ok(CompactJws::parse(&self.jwt)
            .map_err(SdJwtError::IssuerJwt)?
            .payload)
    }

    /// Every claim with all disclosures applied, and the path of each disclosure.
    pub fn claims_and_paths(&self) -> Result<(Map<String, Value>, Vec<ClaimPath>), SdJwtError> {
        let p = process(self.unverified_payload()?, &mut self.disclosures.clone())?;
        Ok((p.claims, p.paths))
    }

    /// Keeps the disclosures that `selection` reveals: a selected claim with everything beneath it,
    /// and every concealed parent on the way to it (RFC 9901 section 7.2: a nested disclosure is
    /// useless without its parents).
    pub fn select(&self, selection: &[ClaimPath]) -> Result<SdJwt, SdJwtError> {
        let (_, paths) = self.claims_and_paths()?;
        let disclosures = self
            .disclosures
            .iter()
            .zip(&paths)
            .filter(|(_, path)| {
                selection
                    .iter()
                    .any(|sel| sel.covers(path) || path.is_ancestor_of_pattern(sel))
            })
            .map(|(d, _)| d.clone())
            .collect();
        Ok(SdJwt {
            jwt: self.jwt.clone(),
            disclosures,
            kb_jwt: None,
        })
    }

    /// Selects, then appends a Key Binding JWT for `aud` and `nonce`, signed by the holder key.
    pub fn present(
        &self,
        selection: &[ClaimPath],
        aud: &str,
        nonce: &str,
        iat: i64,
        holder: &dyn Signer,
    ) -> Result<String, SdJwtError> {
        let mut chosen = self.select(selection)?;
        chosen.kb_jwt = Some(crate::kb::sign(&chosen.prefix(), aud, nonce, iat, holder)?);
        Ok(chosen.serialize())
    }
}
