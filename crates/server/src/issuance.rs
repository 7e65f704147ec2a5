//! Offers and issuing: what the portal and the OpenID4VCI endpoints share.
use crate::{ServerError, Shared};
use passport_credentials::{CredentialIssuer, IssueRequest};
use passport_jose::{b64, Jwk};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::StatusReference;
use passport_store::PersonRecord;

/// A new offer, as HR hands it over: the link (and its QR code) in one channel, the
/// transaction code in another.
#[derive(Debug, Clone)]
pub struct CreatedOffer {
    pub offer_id: String,
    /// `openid-credential-offer://?credential_offer_uri=...`
    pub link: String,
    /// The HTTPS `credential_offer_uri` itself.
    pub offer_uri: String,
    pub tx_code: String,
    pub expires_at: i64,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    passport_store::fill_random(&mut bytes);
    b64::encode(bytes)
}

/// Six decimal digits, uniformly (rejection sampling avoids modulo bias).
pub fn random_tx_code() -> String {
    loop {
        let mut b = [0u8; 4];
        passport_store::fill_random(&mut b);
        let n = u32::from_le_bytes(b);
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// Creates an offer of every current credential `org` holds for `person_id`. The
/// pre-authorised code is the last segment of the offer URI: only its hash is stored.
pub async fn create_offer(
    state: &Shared,
    org: &str,
    person_id: &str,
    created_by: &str,
    now: i64,
) -> Result<CreatedOffer, ServerError> {
    let issuer = state.issuer(org)?;
    let code = random_token();
    let tx_code = random_tx_code();
    let offer = state
        .store
        .create_offer(
            org,
            person_id,
            &code,
            &tx_code,
            created_by,
            now,
            state.config.offer_ttl_secs,
        )
        .await?;
    let offer_uri = format!("{}/offers/{code}", issuer.issuer_id);
    Ok(CreatedOffer {
        offer_id: offer.id,
        link: passport_oid4vci::offer_link(&offer_uri),
        offer_uri,
        tx_code,
        expires_at: offer.expires_at,
    })
}

/// Issues one credential from `record` to the wallet key `holder`, registering it (status list
/// entry, holder key thumbprint) first so that it can be revoked.
pub async fn issue_record(
    state: &Shared,
    org: &str,
    person_id: &str,
    record: &PersonRecord,
    holder: &Jwk,
    notification_id: &str,
    now: i64,
) -> Result<String, ServerError> {
    let issuer = state.issuer(org)?;
    let ty = state.catalogue.by_name(&record.type_name).ok_or_else(|| {
        ServerError::Internal(format!(
            "record type {} not in the catalogue",
            record.type_name
        ))
    })?;
    let expires = ty.validity_days.map(|d| now + i64::from(d) * 86_400);
    let (_, at) = state
        .store
        .register_issued(
            org,
            person_id,
            &record.id,
            ty.name,
            &holder.thumbprint(),
            notification_id,
            now,
            expires,
        )
        .await?;
    let engine = CredentialIssuer {
        iss: issuer.issuer_id.clone(),
        signer: &issuer.signer,
        catalogue: state.catalogue,
        max_decoys: 3,
    };
    let request = IssueRequest {
        vct: ty.vct.clone(),
        claims: record.claims.clone(),
        holder: holder.clone(),
        status: StatusReference {
            uri: state.status_uri(org, at.list_id),
            idx: u64::try_from(at.idx).map_err(|_| ServerError::Internal("status index".into()))?,
        },
        iat: now,
        exp: expires,
    };
    Ok(engine.issue(&request, &mut RandomSalts::default())?)
}
