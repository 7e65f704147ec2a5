//! The OpenID4VCI 1.0 Pre-Authorized Code Flow, from the wallet's side (sections 3.5, 4 to 8, 11,
//! 12.2.2 and 12.3 of the specification).
use crate::error::{HolderError, Step};
use crate::http::{checked_url, json, send};
use crate::{ReceivedCredential, Wallet};
use passport_jose::jws::CompactJws;
use passport_jose::{Jwk, ES256};
use passport_oid4vci::{
    authorization_server_metadata_url, credential_issuer_metadata_url, make_proof,
    make_proof_without_nonce, parse_offer_link, AuthorizationServerMetadata, CredentialOffer,
    CredentialRequest, CredentialResponse, IssuerMetadata, NonceResponse, NotificationEvent,
    NotificationRequest, OfferRef, RequestedCredential, TokenRequest, TokenResponse,
    FORMAT_SD_JWT_VC, OPENID_CREDENTIAL,
};
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

/// One Credential Dataset to fetch: its configuration, and how to name it in the request.
struct Target {
    configuration_id: String,
    requested: RequestedCredential,
}

/// Everything fixed once the token is obtained.
struct Session<'a> {
    http: &'a reqwest::Client,
    issuer: String,
    metadata: IssuerMetadata,
    access_token: String,
}

impl Wallet {
    /// Receives the Credentials of a Credential Offer, as a conformant wallet does:
    ///
    /// 1. reads the offer link (`credential_offer` by value, or GETs `credential_offer_uri`);
    /// 2. GETs the Credential Issuer Metadata at `/.well-known/openid-credential-issuer` inserted
    ///    before the issuer's path, and checks its `credential_issuer` is the offer's issuer and
    ///    every offered configuration is `dc+sd-jwt` with ES256 `jwt` proofs;
    /// 3. GETs the Authorization Server Metadata (`/.well-known/oauth-authorization-server`, same
    ///    insertion; the issuer itself unless `authorization_servers` names another) for the
    ///    token endpoint;
    /// 4. POSTs the Token Request (form: `grant_type`, `pre-authorized_code`, `tx_code` if the
    ///    offer asks for one);
    /// 5. for every `credential_identifiers` entry of the token response's `authorization_details`
    ///    (or, if it has none, every offered configuration): POSTs the Nonce Endpoint for a fresh
    ///    `c_nonce`, then POSTs a Credential Request with one key proof by the device key (once
    ///    more with a new nonce if the issuer answers `invalid_nonce`);
    /// 6. checks every Credential: an SD-JWT VC (`typ` `dc+sd-jwt`) whose `iss` is the offer's
    ///    issuer, whose `vct` is the configuration's, whose `cnf.jwk` is the device key, not expired;
    /// 7. stores them all and saves the wallet file; then POSTs `credential_accepted` to the
    ///    Notification Endpoint for each `notification_id`.
    ///
    /// All or nothing: if any step fails, nothing is stored, and the issuer is told
    /// `credential_failure` for what it had already issued. `now` is the time for key proofs and
    /// `received_at`. A refusal by the issuer is [`HolderError::Server`] with its `error` and
    /// `error_description`. If only the final notification fails, the credentials are already
    /// stored and saved.
    pub async fn receive(
        &mut self,
        offer_link: &str,
        tx_code: Option<&str>,
        http: &reqwest::Client,
        now: i64,
    ) -> Result<Vec<ReceivedCredential>, HolderError> {
        let offer = resolve_offer(offer_link, http).await?;
        let issuer = offer.credential_issuer.clone();
        checked_url(&issuer)?;
        let grant = offer.grants.pre_authorized_code.clone().ok_or_else(|| {
            HolderError::Unsupported(
                "the offer has no pre-authorized_code grant (the Authorization Code Flow is not supported)"
                    .into(),
            )
        })?;
        let tx_code = match (&grant.tx_code, tx_code) {
            (None, _) => None,
            (Some(spec), None) => {
                return Err(HolderError::TxCodeRequired {
                    input_mode: spec.input_mode,
                    length: spec.length,
                    description: spec.description.clone(),
                })
            }
            (Some(spec), Some(code)) if !spec.accepts(code) => {
                return Err(HolderError::TxCodeFormat(format!(
                    "expected {}{}",
                    spec.length.map(|n| format!("{n} ")).unwrap_or_default(),
                    match spec.input_mode {
                        Some(passport_oid4vci::InputMode::Text) => "characters",
                        _ => "digits",
                    }
                )))
            }
            (Some(_), Some(code)) => Some(code),
        };

        let metadata = fetch_issuer_metadata(http, &issuer).await?;
        check_offered_configurations(&offer, &metadata)?;
        let token_endpoint = fetch_token_endpoint(http, &issuer, &metadata, &grant).await?;

        let token_url = checked_url(&token_endpoint)?;
        let form = TokenRequest::new(&grant.pre_authorized_code, tx_code).to_form();
        let body = send(
            Step::Token,
            &token_url,
            http.post(token_url.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form),
        )
        .await?;
        let token = token_response(&body)?;
        if !token.is_bearer() {
            return Err(HolderError::Unsupported(format!(
                "token_type {} (only Bearer)",
                token.token_type
            )));
        }
        let targets = targets(&offer, &token, &metadata)?;
        let session = Session {
            http,
            issuer,
            metadata,
            access_token: token.access_token,
        };

        let mut received = Vec::new();
        let mut notification_ids = Vec::new();
        for target in &targets {
            match session.fetch(self, target, now).await {
                Ok((credentials, notification_id)) => {
                    received.extend(credentials);
                    notification_ids.extend(notification_id);
                }
                Err(e) => {
                    session
                        .notify_all(&notification_ids, NotificationEvent::CredentialFailure, &e)
                        .await;
                    return Err(e);
                }
            }
        }
        self.credentials.extend(received.iter().cloned());
        if let Err(e) = self.save() {
            let keep = self.credentials.len() - received.len();
            self.credentials.truncate(keep);
            session
                .notify_all(&notification_ids, NotificationEvent::CredentialFailure, &e)
                .await;
            return Err(e);
        }
        for id in &notification_ids {
            session
                .notify(id, NotificationEvent::CredentialAccepted, None)
                .await?;
        }
        Ok(received)
    }
}

async fn resolve_offer(link: &str, http: &reqwest::Client) -> Result<CredentialOffer, HolderError> {
    match parse_offer_link(link).map_err(HolderError::Offer)? {
        OfferRef::ByValue(offer) => Ok(offer),
        OfferRef::ByReference(uri) => {
            let url = checked_url(&uri)?;
            let body = send(Step::Offer, &url, http.get(url.clone())).await?;
            CredentialOffer::parse(&body).map_err(HolderError::Offer)
        }
    }
}

async fn fetch_issuer_metadata(
    http: &reqwest::Client,
    issuer: &str,
) -> Result<IssuerMetadata, HolderError> {
    let step = Step::IssuerMetadata;
    let url = credential_issuer_metadata_url(issuer).map_err(HolderError::Offer)?;
    let url = checked_url(&url)?;
    let body = send(step, &url, http.get(url.clone())).await?;
    IssuerMetadata::parse(&body, issuer)
        .map_err(|e| HolderError::response(step, e.description().to_string()))
}

/// Section 12.2.4: the offered configurations must be in the metadata; this wallet takes
/// `dc+sd-jwt` bound to a `jwk` with an ES256 `jwt` proof, and no encrypted exchanges.
fn check_offered_configurations(
    offer: &CredentialOffer,
    metadata: &IssuerMetadata,
) -> Result<(), HolderError> {
    if metadata
        .credential_request_encryption
        .as_ref()
        .or(metadata.credential_response_encryption.as_ref())
        .and_then(|e| e.get("encryption_required"))
        == Some(&Value::Bool(true))
    {
        return Err(HolderError::Unsupported(
            "the issuer requires encrypted credential requests or responses".into(),
        ));
    }
    for id in &offer.credential_configuration_ids {
        let config = metadata
            .credential_configurations_supported
            .get(id)
            .ok_or_else(|| {
                HolderError::response(
                    Step::IssuerMetadata,
                    format!(
                        "offered configuration {id} is not in credential_configurations_supported"
                    ),
                )
            })?;
        if config.format != FORMAT_SD_JWT_VC {
            return Err(HolderError::Unsupported(format!(
                "configuration {id} has format {} (only {FORMAT_SD_JWT_VC})",
                config.format
            )));
        }
        if let Some(methods) = &config.cryptographic_binding_methods_supported {
            if !methods.iter().any(|m| m == "jwk") {
                return Err(HolderError::Unsupported(format!(
                    "configuration {id} does not bind to a jwk"
                )));
            }
        }
        if let Some(types) = &config.proof_types_supported {
            let es256_jwt = types.get("jwt").is_some_and(|t| {
                t.proof_signing_alg_values_supported
                    .iter()
                    .any(|a| a == ES256)
            });
            if !es256_jwt {
                return Err(HolderError::Unsupported(format!(
                    "configuration {id} does not take ES256 jwt key proofs"
                )));
            }
        }
    }
    Ok(())
}

/// The token endpoint: from the Authorization Server Metadata of the issuer itself, or of the
/// Authorization Server the metadata names (the offer's `authorization_server` if it names one
/// of them, else the first).
async fn fetch_token_endpoint(
    http: &reqwest::Client,
    issuer: &str,
    metadata: &IssuerMetadata,
    grant: &passport_oid4vci::PreAuthorizedCodeGrant,
) -> Result<String, HolderError> {
    let step = Step::AuthorizationServerMetadata;
    let server = match (&metadata.authorization_servers, &grant.authorization_server) {
        (None, _) => issuer.to_string(),
        (Some(list), Some(hint)) if list.contains(hint) => hint.clone(),
        (Some(_), Some(hint)) => {
            return Err(HolderError::response(
                Step::Offer,
                format!(
                    "authorization_server {hint} is not one of the issuer's authorization_servers"
                ),
            ))
        }
        (Some(list), None) => list.first().cloned().ok_or_else(|| {
            HolderError::response(Step::IssuerMetadata, "authorization_servers is empty")
        })?,
    };
    let url = authorization_server_metadata_url(&server)
        .map_err(|e| HolderError::response(step, e.description().to_string()))?;
    let url = checked_url(&url)?;
    let body = send(step, &url, http.get(url.clone())).await?;
    let as_metadata = AuthorizationServerMetadata::parse(&body, &server)
        .map_err(|e| HolderError::response(step, e.description().to_string()))?;
    as_metadata
        .token_endpoint
        .ok_or_else(|| HolderError::response(step, "no token_endpoint"))
}

/// The Token Response, keeping only `authorization_details` of type `openid_credential` (others
/// may appear, section 6.2, and are not ours to read).
fn token_response(body: &[u8]) -> Result<TokenResponse, HolderError> {
    let mut value: Value = json(Step::Token, body)?;
    if let Some(Value::Array(details)) = value.get_mut("authorization_details") {
        details.retain(|d| d.get("type").and_then(Value::as_str) == Some(OPENID_CREDENTIAL));
    }
    serde_json::from_value(value).map_err(|e| HolderError::response(Step::Token, e.to_string()))
}

/// What to request: each `credential_identifier` the token grants (section 6.2), or, if it names
/// none, each offered configuration by `credential_configuration_id` (section 8.2).
fn targets(
    offer: &CredentialOffer,
    token: &TokenResponse,
    metadata: &IssuerMetadata,
) -> Result<Vec<Target>, HolderError> {
    if token.authorization_details.is_empty() {
        return Ok(offer
            .credential_configuration_ids
            .iter()
            .map(|id| Target {
                configuration_id: id.clone(),
                requested: RequestedCredential::Configuration(id.clone()),
            })
            .collect());
    }
    let mut out = Vec::new();
    for detail in &token.authorization_details {
        let id = &detail.credential_configuration_id;
        if !metadata
            .credential_configurations_supported
            .contains_key(id)
        {
            return Err(HolderError::response(
                Step::Token,
                format!("authorization_details names configuration {id}, which the metadata lacks"),
            ));
        }
        if detail.credential_identifiers.is_empty() {
            return Err(HolderError::response(
                Step::Token,
                format!("authorization_details for {id} has no credential_identifiers"),
            ));
        }
        for identifier in &detail.credential_identifiers {
            out.push(Target {
                configuration_id: id.clone(),
                requested: RequestedCredential::Identifier(identifier.clone()),
            });
        }
    }
    Ok(out)
}

impl Session<'_> {
    /// Nonce, Credential Request (retried once on `invalid_nonce`), checks.
    async fn fetch(
        &self,
        wallet: &Wallet,
        target: &Target,
        now: i64,
    ) -> Result<(Vec<ReceivedCredential>, Option<String>), HolderError> {
        let url = checked_url(&self.metadata.credential_endpoint)?;
        let mut retried = false;
        let body = loop {
            let proof = self.proof(wallet, now).await?;
            let request = CredentialRequest {
                credential: target.requested.clone(),
                proofs: vec![proof],
            };
            let sent = send(
                Step::Credential,
                &url,
                self.http
                    .post(url.clone())
                    .bearer_auth(&self.access_token)
                    .json(&request.to_json()),
            )
            .await;
            match sent {
                Err(e) if !retried && e.server_error_code() == Some("invalid_nonce") => {
                    retried = true;
                }
                other => break other?,
            }
        };
        let response: CredentialResponse = json(Step::Credential, &body)?;
        if response.transaction_id.is_some() {
            return Err(HolderError::Unsupported(
                "deferred issuance (the issuer answered with a transaction_id)".into(),
            ));
        }
        if response.credentials.is_empty() {
            return Err(HolderError::response(Step::Credential, "no credentials"));
        }
        let vct = self
            .metadata
            .credential_configurations_supported
            .get(&target.configuration_id)
            .and_then(|c| c.vct.clone());
        let mut out = Vec::with_capacity(response.credentials.len());
        for issued in &response.credentials {
            let checked = check_credential(
                &issued.credential,
                &self.issuer,
                vct.as_deref(),
                wallet.device_jwk(),
                now,
            )
            .map(|(sd_jwt, vct)| ReceivedCredential {
                sd_jwt,
                issuer: self.issuer.clone(),
                vct,
                configuration_id: target.configuration_id.clone(),
                credential_identifier: match &target.requested {
                    RequestedCredential::Identifier(id) => Some(id.clone()),
                    RequestedCredential::Configuration(_) => None,
                },
                received_at: now,
            });
            match checked {
                Ok(c) => out.push(c),
                Err(e) => {
                    if let Some(id) = &response.notification_id {
                        self.notify_all(
                            std::slice::from_ref(id),
                            NotificationEvent::CredentialFailure,
                            &e,
                        )
                        .await;
                    }
                    return Err(e);
                }
            }
        }
        Ok((out, response.notification_id))
    }

    /// A key proof by the device key, over a fresh `c_nonce` when the issuer has a Nonce Endpoint.
    async fn proof(&self, wallet: &Wallet, now: i64) -> Result<String, HolderError> {
        let key = wallet.device_key();
        let signed = match &self.metadata.nonce_endpoint {
            Some(endpoint) => {
                let url = checked_url(endpoint)?;
                let body = send(Step::Nonce, &url, self.http.post(url.clone())).await?;
                let nonce: NonceResponse = json(Step::Nonce, &body)?;
                make_proof(key, &self.issuer, &nonce.c_nonce, now)
            }
            None => make_proof_without_nonce(key, &self.issuer, now),
        };
        signed.map_err(|e| HolderError::Crypto(e.to_string()))
    }

    async fn notify(
        &self,
        notification_id: &str,
        event: NotificationEvent,
        description: Option<String>,
    ) -> Result<(), HolderError> {
        let Some(endpoint) = &self.metadata.notification_endpoint else {
            return Ok(());
        };
        let url = checked_url(endpoint)?;
        let request = NotificationRequest {
            notification_id: notification_id.into(),
            event,
            event_description: description,
        };
        send(
            Step::Notification,
            &url,
            self.http
                .post(url.clone())
                .bearer_auth(&self.access_token)
                .json(&request),
        )
        .await
        .map(|_| ())
    }

    /// Best effort: the failure being reported matters more than a failure to report it.
    async fn notify_all(&self, ids: &[String], event: NotificationEvent, why: &HolderError) {
        let description = passport_oid4vci::sanitize_description(&why.to_string());
        for id in ids {
            let _ = self.notify(id, event, Some(description.clone())).await;
        }
    }
}

/// The holder's receipt checks of one issued credential (the issuer's signature is checked by
/// whoever verifies a presentation, against the trust list). Returns the text and its `vct`.
pub(crate) fn check_credential(
    credential: &Value,
    issuer: &str,
    expected_vct: Option<&str>,
    device_key: &Jwk,
    now: i64,
) -> Result<(String, String), HolderError> {
    let bad = |s: String| HolderError::CredentialCheck(s);
    let Some(text) = credential.as_str() else {
        return Err(bad("a dc+sd-jwt credential must be a string".into()));
    };
    let sd_jwt = passport_sd_jwt::SdJwt::parse(text).map_err(|e| bad(e.to_string()))?;
    if sd_jwt.kb_jwt.is_some() {
        return Err(bad(
            "an issued credential must not carry a Key Binding JWT".into()
        ));
    }
    let jws = CompactJws::parse(&sd_jwt.jwt).map_err(|e| bad(format!("issuer-signed JWT: {e}")))?;
    if jws.typ() != Some(passport_sd_jwt::VC_TYP) {
        return Err(bad(format!(
            "typ is {:?}, expected {}",
            jws.typ(),
            passport_sd_jwt::VC_TYP
        )));
    }
    let payload = &jws.payload;
    if payload.get("iss").and_then(Value::as_str) != Some(issuer) {
        return Err(bad(format!("iss is not the offer's issuer {issuer}")));
    }
    let vct = payload
        .get("vct")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no vct".into()))?;
    if let Some(expected) = expected_vct {
        if vct != expected {
            return Err(bad(format!(
                "vct {vct} is not the configuration's {expected}"
            )));
        }
    }
    let cnf = payload
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .ok_or_else(|| bad("no cnf.jwk: the credential is not bound to this wallet".into()))?;
    let bound = Jwk::from_json(cnf).map_err(|e| bad(format!("cnf.jwk: {e}")))?;
    if bound.thumbprint() != device_key.thumbprint() {
        return Err(bad("cnf.jwk is not this wallet's device key".into()));
    }
    if let Some(exp) = payload.get("exp").and_then(Value::as_i64) {
        if exp <= now {
            return Err(bad("already expired".into()));
        }
    }
    Ok((text.to_string(), vct.to_string()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::{Es256Signer, Signer};
    use passport_sd_jwt::issue::RandomSalts;
    use passport_sd_jwt::vc::{issue, Envelope};
    use serde_json::json;

    const ISS: &str = "https://passport.example.nhs.uk/issuers/RHQ";
    const VCT: &str = "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1";

    fn credential(iss: &str, holder: Option<&Jwk>, exp: Option<i64>) -> Value {
        let (issuer_key, _) = Es256Signer::generate().unwrap();
        let envelope = Envelope {
            iss: iss.into(),
            vct: VCT.into(),
            iat: 100,
            exp,
            nbf: None,
            holder: holder.cloned(),
            status: None,
        };
        let claims = json!({"recordType": "CoreSkillsTraining"});
        let issued = issue(
            &issuer_key,
            &envelope,
            claims.as_object().unwrap().clone(),
            &[],
            &mut RandomSalts::default(),
            0,
        )
        .unwrap();
        Value::String(issued.compact())
    }

    #[test]
    fn receipt_checks() {
        let (device, _) = Es256Signer::generate().unwrap();
        let (other, _) = Es256Signer::generate().unwrap();
        let key = device.public_jwk();
        let ok = credential(ISS, Some(key), Some(1000));
        assert_eq!(
            check_credential(&ok, ISS, Some(VCT), key, 500).unwrap().1,
            VCT
        );
        let err = |c: &Value, vct: &str, now: i64| {
            check_credential(c, ISS, Some(vct), key, now)
                .unwrap_err()
                .to_string()
        };
        assert!(err(&ok, "https://other/vct", 500).contains("is not the configuration's"));
        assert!(err(&ok, VCT, 1000).contains("expired"));
        assert!(err(
            &credential("https://evil.example", Some(key), None),
            VCT,
            500
        )
        .contains("iss"));
        assert!(
            err(&credential(ISS, Some(other.public_jwk()), None), VCT, 500).contains("device key")
        );
        assert!(err(&credential(ISS, None, None), VCT, 500).contains("no cnf.jwk"));
        assert!(err(&json!({"credential": 1}), VCT, 500).contains("must be a string"));
        assert!(
            err(&json!("not an sd-jwt"), VCT, 500).contains("SD-JWT")
                || err(&json!("not an sd-jwt"), VCT, 500).contains("separator")
        );
        let with_kb = Value::String(format!("{}a.b.c", ok.as_str().unwrap()));
        assert!(err(&with_kb, VCT, 500).contains("Key Binding"));
    }
}
