//! OpenID4VP 1.0 from the wallet's side, as HAIP profiles it: read the invocation URL, fetch the
//! signed Request Object by `request_uri`, check it against the trust list (x509_hash client
//! identifier whose certificate key is an organisation's key with `may_verify`), match the DCQL
//! query against the held credentials, disclose only the requested claims with a KB-JWT bound
//! to the request's `nonce` and `client_id`, encrypt the response to the verifier's key and POST
//! it to `response_uri` (`direct_post.jwt`).
use crate::error::{HolderError, Step};
use crate::http::{checked_url, send};
use crate::Wallet;
use passport_oid4vp::{
    encrypt_response, parse_authorization_url, response_form, select, verify_request,
    AuthorizationRequest, AuthorizationResponse, PathElement, ResponseEndpointReply, Selection,
    VpToken,
};
use passport_sd_jwt::{ClaimPath, PathSegment, SdJwt};
use passport_trust_list::TrustList;
use reqwest::header::{ACCEPT, CONTENT_TYPE};

/// A checked request, and what the wallet could answer it with.
#[derive(Debug, Clone)]
pub struct PresentationRequest {
    pub request: AuthorizationRequest,
    /// The verifying organisation, from the trust list.
    pub verifier_ods: String,
    pub verifier_name: String,
    pub selection: Selection,
}

/// One credential the wallet shared, for the person's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub query_id: String,
    pub vct: String,
    pub disclosed: Vec<String>,
}

impl Wallet {
    /// Fetches and checks the request behind an `openid4vp://` invocation URL.
    pub async fn fetch_presentation_request(
        &self,
        url: &str,
        trust: &TrustList,
        http: &reqwest::Client,
        now: i64,
    ) -> Result<PresentationRequest, HolderError> {
        let (client_id, request_uri) =
            parse_authorization_url(url).map_err(HolderError::Presentation)?;
        let uri = checked_url(&request_uri)?;
        let body = send(
            Step::PresentationRequest,
            &uri,
            http.get(uri.clone())
                .header(ACCEPT, "application/oauth-authz-req+jwt"),
        )
        .await?;
        let jwt = String::from_utf8(body)
            .map_err(|_| HolderError::response(Step::PresentationRequest, "not text"))?;
        let (request, org) = verify_request(jwt.trim(), Some(&client_id), trust, now, 60)
            .map_err(HolderError::Presentation)?;
        checked_url(&request.response_uri)?;
        let held: Vec<(String, serde_json::Map<String, serde_json::Value>)> = self
            .credentials()
            .iter()
            .map(|c| Ok((c.vct.clone(), c.claims()?)))
            .collect::<Result<_, HolderError>>()?;
        let selection = select(&request.dcql_query, &held);
        Ok(PresentationRequest {
            verifier_ods: org.ods_code.clone(),
            verifier_name: org.name.clone(),
            request,
            selection,
        })
    }

    /// Answers `req` with the default choice (every requested query's match, or all matches
    /// where the query allows several) except the query ids in `decline`, and returns what was
    /// shared and the verifier's `redirect_uri`, if any.
    pub async fn respond(
        &self,
        req: &PresentationRequest,
        decline: &[String],
        http: &reqwest::Client,
        now: i64,
    ) -> Result<(Vec<Shared>, Option<String>), HolderError> {
        if !req.selection.satisfied {
            return Err(HolderError::NothingToShare(
                "the request needs credentials this wallet does not hold".into(),
            ));
        }
        let mut vp_token = VpToken::new();
        let mut shared = Vec::new();
        for (query_id, matches) in req.selection.answer() {
            if decline.iter().any(|d| d == query_id) {
                continue;
            }
            for m in matches {
                let held = self.credentials().get(m.credential).ok_or_else(|| {
                    HolderError::Format("selection names a credential not held".into())
                })?;
                let sd =
                    SdJwt::parse(&held.sd_jwt).map_err(|e| HolderError::Format(e.to_string()))?;
                let paths: Vec<ClaimPath> = m.disclose.iter().map(|p| to_claim_path(p)).collect();
                let presentation = sd
                    .present(
                        &paths,
                        &req.request.client_id,
                        &req.request.nonce,
                        now,
                        self.device_key(),
                    )
                    .map_err(|e| HolderError::Crypto(e.to_string()))?;
                vp_token
                    .entry(query_id.to_string())
                    .or_default()
                    .push(presentation);
                shared.push(Shared {
                    query_id: query_id.to_string(),
                    vct: held.vct.clone(),
                    disclosed: paths.iter().map(|p| p.to_json().to_string()).collect(),
                });
            }
        }
        if vp_token.is_empty() {
            return Err(HolderError::NothingToShare(
                "nothing was chosen to share".into(),
            ));
        }
        let payload = AuthorizationResponse {
            vp_token,
            state: Some(req.request.state.clone()),
        };
        let jwe = encrypt_response(&payload.into(), &req.request.client_metadata)
            .map_err(HolderError::Presentation)?;
        let uri = checked_url(&req.request.response_uri)?;
        let body = send(
            Step::PresentationResponse,
            &uri,
            http.post(uri.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(response_form(&jwe)),
        )
        .await?;
        let reply: ResponseEndpointReply = if body.is_empty() {
            ResponseEndpointReply { redirect_uri: None }
        } else {
            crate::http::json(Step::PresentationResponse, &body)?
        };
        Ok((shared, reply.redirect_uri))
    }
}

impl Wallet {
    /// Tells the verifier the person declined (OpenID4VP 1.0 section 8.5, `access_denied`),
    /// encrypted to the request's key like any response. Nothing from the wallet is sent.
    pub async fn decline(
        &self,
        req: &PresentationRequest,
        http: &reqwest::Client,
    ) -> Result<(), HolderError> {
        let payload = passport_oid4vp::ErrorResponse {
            error: "access_denied".into(),
            error_description: Some("the person declined to share".into()),
            state: Some(req.request.state.clone()),
        };
        let jwe = encrypt_response(&payload.into(), &req.request.client_metadata)
            .map_err(HolderError::Presentation)?;
        let uri = checked_url(&req.request.response_uri)?;
        send(
            Step::PresentationResponse,
            &uri,
            http.post(uri.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(response_form(&jwe)),
        )
        .await?;
        Ok(())
    }
}

fn to_claim_path(path: &[PathElement]) -> ClaimPath {
    ClaimPath(
        path.iter()
            .map(|e| match e {
                PathElement::Key(k) => PathSegment::Key(k.clone()),
                PathElement::Index(i) => {
                    PathSegment::Index(usize::try_from(*i).unwrap_or(usize::MAX))
                }
                PathElement::All => PathSegment::AllElements,
            })
            .collect(),
    )
}
