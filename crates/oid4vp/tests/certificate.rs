//! The Verifier's certificate (RFC 5280; OpenID4VP 1.0 section 5.9.3): the fields the Wallet
//! reads, a DER `ECDSA-Sig-Value` that verifies, UTCTime/GeneralizedTime, strict DER.
mod common;

use common::*;
use passport_jose::Signer;
use passport_oid4vp::*;
use x509_cert::der::{Decode, Encode};

#[test]
fn certificate_is_well_formed_and_signed() {
    let v = verifier("RR8");
    let info = CertificateInfo::parse(&v.cert).expect("parses");
    assert_eq!(info.organisation.as_deref(), Some("RR8"));
    assert_eq!(
        info.common_name.as_deref(),
        Some("RR8 Staff Passport Verifier")
    );
    assert_eq!(
        (info.not_before, info.not_after),
        (NOW - 86_400, NOW + 365 * 86_400)
    );
    let point = v
        .signer
        .public_jwk()
        .to_uncompressed_point()
        .expect("point");
    assert_eq!(info.public_key, point);
    assert!(v.client_id.starts_with("x509_hash:"));
    assert_eq!(v.client_id.len(), "x509_hash:".len() + 43);

    // The DER ECDSA-Sig-Value verifies over the TBS certificate with the subject key.
    let cert = x509_cert::Certificate::from_der(&v.cert).expect("DER");
    let tbs = cert.tbs_certificate.to_der().expect("TBS");
    let sig = cert.signature.as_bytes().expect("whole bytes");
    let raw = raw_signature(sig);
    info.verifying_key()
        .expect("key")
        .verify(&tbs, &raw)
        .expect("self-signature verifies");

    // After 2049 the time is a GeneralizedTime (RFC 5280 section 4.1.2.5).
    let late = verifier_certificate(&v.signer, "CN", "RR8", NOW, 2_600_000_000).expect("cert");
    assert_eq!(
        CertificateInfo::parse(&late).expect("parses").not_after,
        2_600_000_000
    );

    for bad in [
        &v.cert[..v.cert.len() - 1],
        &[v.cert.as_slice(), &[0]].concat()[..],
        b"junk",
    ] {
        assert!(matches!(
            CertificateInfo::parse(bad),
            Err(Oid4vpError::InvalidCertificate(_))
        ));
    }
    assert!(verifier_certificate(&v.signer, "CN", "RR8", NOW, NOW - 1).is_err());
}

/// `SEQUENCE { INTEGER r, INTEGER s }` back to 64-byte `r || s`.
fn raw_signature(der: &[u8]) -> Vec<u8> {
    assert_eq!(der[0], 0x30);
    assert_eq!(der[1] as usize, der.len() - 2);
    let mut out = Vec::new();
    let mut i = 2;
    for _ in 0..2 {
        assert_eq!(der[i], 0x02);
        let len = der[i + 1] as usize;
        let int = &der[i + 2..i + 2 + len];
        assert!(
            int.len() == 1 || !(int[0] == 0 && int[1] & 0x80 == 0),
            "minimal"
        );
        let int = if int[0] == 0 { &int[1..] } else { int };
        out.extend(std::iter::repeat_n(0u8, 32 - int.len()));
        out.extend_from_slice(int);
        i += 2 + len;
    }
    out
}
