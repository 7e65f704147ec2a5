//! The Verifier's X.509 certificate and the `x509_hash` Client Identifier Prefix (OpenID4VP 1.0
//! section 5.9.3): `x509_hash:` + base64url(SHA-256(DER of the leaf certificate)).
//!
//! DER is encoded and decoded by the RustCrypto `x509-cert`/`der` types (strict DER: definite
//! minimal lengths, no trailing data); the signature is made through [`passport_jose::Signer`],
//! so an HSM signer works too.
use crate::Oid4vpError;
use passport_jose::{b64, Jwk, Signer, VerifyingKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::time::Duration;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::der::asn1::{
    Any, BitString, GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec, UtcTime,
};
use x509_cert::der::oid::AssociatedOid;
use x509_cert::der::{Decode, Encode, Tag, Tagged};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

/// The Client Identifier Prefix HAIP 1.0 section 5 requires for signed requests.
pub const X509_HASH_PREFIX: &str = "x509_hash:";

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// The Client Identifier of the Verifier whose leaf certificate is `cert_der` (section 5.9.3).
pub fn client_id_for(cert_der: &[u8]) -> String {
    let hash = ring::digest::digest(&ring::digest::SHA256, cert_der);
    format!("{X509_HASH_PREFIX}{}", b64::encode(hash.as_ref()))
}

/// A self-signed X.509 v3 certificate (RFC 5280) for the P-256 key of `signer`: subject and
/// issuer `CN=common_name, O=organisation` (the organisation is the ODS code the trust list
/// knows the Verifier by), validity `not_before..=not_after` (Unix seconds), a random 127-bit
/// serial number, `basicConstraints` cA false and `keyUsage` digitalSignature (both critical),
/// signed with ecdsa-with-SHA256. The signer returns a raw `r || s` signature; X.509 needs the
/// DER `Ecdsa-Sig-Value` (RFC 3279 section 2.2.3; RFC 5758 section 3.2 for the algorithm
/// identifier without parameters), so it is converted.
///
/// HAIP 1.0 section 5 says the certificate signing a request "MUST NOT be self-signed". Trust
/// here comes from the trust list pinning the key, not from a chain; [`crate::verify_request`]
/// does not require self-signing, so a certificate issued by a registry CA works unchanged
/// once the registry issues them.
pub fn verifier_certificate(
    signer: &dyn Signer,
    common_name: &str,
    organisation: &str,
    not_before: i64,
    not_after: i64,
) -> Result<Vec<u8>, Oid4vpError> {
    let fail = |e: &dyn std::fmt::Display| Oid4vpError::Signing(format!("certificate: {e}"));
    if common_name.is_empty() || organisation.is_empty() {
        return Err(fail(&"common name and organisation are required"));
    }
    if not_before < 0 || not_after < not_before {
        return Err(fail(
            &"validity must be 1970 or later and not end before it starts",
        ));
    }
    let point = signer
        .public_jwk()
        .to_uncompressed_point()
        .map_err(|e| fail(&e))?;
    let name = name(common_name, organisation).map_err(|e| fail(&e))?;
    let mut serial = [0u8; 16];
    SystemRandom::new()
        .fill(&mut serial)
        .map_err(|_| fail(&"no randomness"))?;
    serial[0] = (serial[0] & 0x7f) | 0x01;
    let algorithm = AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    };
    let extensions = vec![
        extension(
            BasicConstraints::OID,
            &BasicConstraints {
                ca: false,
                path_len_constraint: None,
            },
        )
        .map_err(|e| fail(&e))?,
        extension(KeyUsage::OID, &KeyUsage(KeyUsages::DigitalSignature.into()))
            .map_err(|e| fail(&e))?,
    ];
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(|e| fail(&e))?,
        signature: algorithm.clone(),
        issuer: name.clone(),
        validity: Validity {
            not_before: time(not_before).map_err(|e| fail(&e))?,
            not_after: time(not_after).map_err(|e| fail(&e))?,
        },
        subject: name,
        subject_public_key_info: SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ID_EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&SECP256R1).map_err(|e| fail(&e))?),
            },
            subject_public_key: BitString::from_bytes(&point).map_err(|e| fail(&e))?,
        },
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(|e| fail(&e))?;
    let raw = signer.sign(&tbs_der).map_err(|e| fail(&e))?;
    let certificate = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&ecdsa_sig_value(&raw).map_err(|e| fail(&e))?)
            .map_err(|e| fail(&e))?,
    };
    certificate.to_der().map_err(|e| fail(&e))
}

fn name(common_name: &str, organisation: &str) -> Result<Name, x509_cert::der::Error> {
    let rdn = |oid, value: &str| -> Result<RelativeDistinguishedName, x509_cert::der::Error> {
        let atv = AttributeTypeAndValue {
            oid,
            value: Any::new(Tag::Utf8String, value.as_bytes())?,
        };
        Ok(RelativeDistinguishedName(SetOfVec::try_from(vec![atv])?))
    };
    Ok(RdnSequence(vec![
        rdn(COMMON_NAME, common_name)?,
        rdn(ORGANIZATION, organisation)?,
    ]))
}

fn extension<T: Encode>(
    oid: ObjectIdentifier,
    value: &T,
) -> Result<Extension, x509_cert::der::Error> {
    Ok(Extension {
        extn_id: oid,
        critical: true,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
fn time(unix: i64) -> Result<Time, x509_cert::der::Error> {
    let d =
        Duration::from_secs(u64::try_from(unix).map_err(|_| x509_cert::der::ErrorKind::DateTime)?);
    match UtcTime::from_unix_duration(d) {
        Ok(t) => Ok(Time::UtcTime(t)),
        Err(_) => Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(d)?)),
    }
}

/// `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` from a 64-byte `r || s`.
pub(crate) fn ecdsa_sig_value(raw: &[u8]) -> Result<Vec<u8>, &'static str> {
    if raw.len() != 64 {
        return Err("an ES256 signature is 64 bytes");
    }
    let mut body = Vec::with_capacity(72);
    for half in [&raw[..32], &raw[32..]] {
        // Minimal two's complement: no leading zero bytes, one 0x00 if the high bit is set.
        let start = half.iter().position(|&b| b != 0).unwrap_or(31);
        let digits = &half[start..];
        let pad = digits[0] & 0x80 != 0;
        body.push(0x02);
        body.push((digits.len() + usize::from(pad)) as u8);
        if pad {
            body.push(0);
        }
        body.extend_from_slice(digits);
    }
    let mut out = vec![0x30, body.len() as u8];
    out.extend_from_slice(&body);
    Ok(out)
}

/// What [`crate::verify_request`] needs from the leaf certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject's organisation (O): the Verifier's ODS code.
    pub organisation: Option<String>,
    /// The subject's common name (CN).
    pub common_name: Option<String>,
    /// Validity, Unix seconds (RFC 5280 section 4.1.2.5).
    pub not_before: i64,
    pub not_after: i64,
    /// The subject public key, an uncompressed P-256 point.
    pub public_key: [u8; 65],
}

impl CertificateInfo {
    /// Decodes a DER certificate (strictly: `x509-cert` refuses BER, trailing data and
    /// non-minimal lengths) and reads the fields above. Refused: a subject key that is not
    /// `id-ecPublicKey` on `secp256r1` with an uncompressed point, more than one O or CN, and an
    /// outer signature algorithm that differs from the inner one (RFC 5280 section 4.1.1.2).
    pub fn parse(der: &[u8]) -> Result<Self, Oid4vpError> {
        let bad = |why: String| Oid4vpError::InvalidCertificate(why);
        let cert = Certificate::from_der(der).map_err(|e| bad(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        if cert.signature_algorithm != tbs.signature {
            return Err(bad(
                "signatureAlgorithm differs from tbsCertificate.signature".into(),
            ));
        }
        let spki = &tbs.subject_public_key_info;
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .map(|p| p.decode_as::<ObjectIdentifier>());
        if spki.algorithm.oid != ID_EC_PUBLIC_KEY || !matches!(curve, Some(Ok(c)) if c == SECP256R1)
        {
            return Err(bad("the subject key is not an EC P-256 key".into()));
        }
        let public_key: [u8; 65] = spki
            .subject_public_key
            .as_bytes()
            .and_then(|p| p.try_into().ok())
            .filter(|p: &[u8; 65]| p[0] == 4)
            .ok_or_else(|| bad("the subject key is not an uncompressed P-256 point".into()))?;
        let secs = |t: Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        Ok(CertificateInfo {
            organisation: attribute(&tbs.subject, ORGANIZATION).map_err(bad)?,
            common_name: attribute(&tbs.subject, COMMON_NAME).map_err(bad)?,
            not_before: secs(tbs.validity.not_before),
            not_after: secs(tbs.validity.not_after),
            public_key,
        })
    }

    /// The subject key, for ES256 verification.
    pub fn verifying_key(&self) -> Result<VerifyingKey, Oid4vpError> {
        Jwk::from_uncompressed_point(&self.public_key)
            .and_then(|jwk| jwk.verifying_key())
            .map_err(|e| Oid4vpError::InvalidCertificate(e.to_string()))
    }
}

/// The one value of attribute `oid` in `name` (UTF8String or PrintableString); more than one is
/// an error, none is `None`.
fn attribute(name: &Name, oid: ObjectIdentifier) -> Result<Option<String>, String> {
    let mut found = None;
    for atv in name.0.iter().flat_map(|rdn| rdn.0.iter()) {
        if atv.oid != oid {
            continue;
        }
        if found.is_some() {
            return Err(format!("the subject has more than one {oid}"));
        }
        if !matches!(atv.value.tag(), Tag::Utf8String | Tag::PrintableString) {
            return Err(format!(
                "the subject's {oid} is not a UTF8String or PrintableString"
            ));
        }
        let text = std::str::from_utf8(atv.value.value()).map_err(|e| e.to_string())?;
        found = Some(text.to_string());
    }
    Ok(found)
}
