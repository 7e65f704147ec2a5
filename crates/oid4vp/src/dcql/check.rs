//! The Verifier's side of DCQL: the VP Token checks of OpenID4VP 1.0 section 8.6 that do not
//! depend on the Credential Format (steps 1 and 3), and the query check of step 2.2.
use super::select::match_credential;
use super::{CredentialQuery, DcqlQuery};
use crate::Oid4vpError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A VP Token (section 8.1): for each Credential Query `id`, an array of one or more
/// Presentations. For `dc+sd-jwt` each Presentation is a string, the SD-JWT with its KB-JWT
/// (appendix B.3.6).
pub type VpToken = BTreeMap<String, Vec<String>>;

/// Checks the shape of `vp_token` against the query it answers (section 8.6 steps 1 and 3):
///
/// - every key is the `id` of a Credential Query (section 8.1);
/// - every array holds at least one Presentation, and exactly one unless the query's `multiple`
///   is true (section 8.1);
/// - without `credential_sets`, every Credential Query is answered; with them, every set whose
///   `required` is true has an option whose Credential Queries are all answered (section 6.4.2).
///
/// Each Presentation must then be verified on its own (section 8.6 step 2: signature, KB-JWT
/// `aud` = client_id and `nonce` per appendix B.3.6, status) and checked with
/// [`check_presentation`]. The Verifier MUST NOT rely on the Wallet for any of this (section
/// 14.9).
pub fn check_response(query: &DcqlQuery, vp_token: &VpToken) -> Result<(), Oid4vpError> {
    for (id, presentations) in vp_token {
        let Some(cq) = query.credential(id) else {
            return Err(Oid4vpError::UnexpectedPresentation(id.clone()));
        };
        if presentations.is_empty() {
            return Err(Oid4vpError::EmptyPresentations(id.clone()));
        }
        if !cq.multiple && presentations.len() > 1 {
            return Err(Oid4vpError::MultiplePresentations(
                id.clone(),
                presentations.len(),
            ));
        }
    }
    match &query.credential_sets {
        None => {
            if let Some(missing) = query
                .credentials
                .iter()
                .find(|c| !vp_token.contains_key(&c.id))
            {
                return Err(Oid4vpError::MissingPresentation(missing.id.clone()));
            }
        }
        Some(sets) => {
            for (i, set) in sets.iter().enumerate() {
                let met = set
                    .options
                    .iter()
                    .any(|option| option.iter().all(|id| vp_token.contains_key(id)));
                if set.required && !met {
                    return Err(Oid4vpError::CredentialSetNotSatisfied(i));
                }
            }
        }
    }
    Ok(())
}

/// Section 8.6 step 2.2: checks that a verified Presentation (its `vct` and processed claims)
/// meets its Credential Query: the `vct` is one of `meta.vct_values`, `cnf` is present when
/// Cryptographic Holder Binding is required, and every requested claim (or every claim of one
/// `claim_sets` option) is present. `values` is not enforced: section 6.4.1 makes it a privacy
/// aid that Verifiers MUST NOT rely on; a Verifier that cares about a value checks it itself.
pub fn check_presentation(
    query: &CredentialQuery,
    vct: &str,
    claims: &Map<String, Value>,
) -> Result<(), Oid4vpError> {
    let refuse = |why: &str| Oid4vpError::PresentationDoesNotMatch {
        id: query.id.clone(),
        why: why.into(),
    };
    if !(query.meta.vct_values.iter().flatten()).any(|v| v == vct) {
        return Err(refuse("vct is not one of meta.vct_values"));
    }
    if query.require_cryptographic_holder_binding && !claims.contains_key("cnf") {
        return Err(refuse(
            "holder binding required but the credential has no cnf",
        ));
    }
    let mut without_values = query.clone();
    for claim in without_values.claims.iter_mut().flatten() {
        claim.values = None;
    }
    match match_credential(&without_values, vct, claims, 0) {
        Some(_) => Ok(()),
        None => Err(refuse("a requested claim is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query() -> DcqlQuery {
        DcqlQuery::from_value(json!({
            "credentials": [
                {"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v:a"]}},
                {"id": "b", "format": "dc+sd-jwt", "meta": {"vct_values": ["v:b"]}, "multiple": true},
                {"id": "c", "format": "dc+sd-jwt", "meta": {"vct_values": ["v:c"]}}
            ],
            "credential_sets": [
                {"options": [["a"], ["b", "c"]]},
                {"options": [["c"]], "required": false}
            ]
        }))
        .expect("valid")
    }

    fn token(entries: &[(&str, usize)]) -> VpToken {
        entries
            .iter()
            .map(|(id, n)| (id.to_string(), vec!["ey.x.y~".to_string(); *n]))
            .collect()
    }

    #[test]
    fn vp_token_shape_and_sets() {
        use Oid4vpError::*;
        let q = query();
        assert_eq!(check_response(&q, &token(&[("a", 1)])), Ok(()));
        assert_eq!(check_response(&q, &token(&[("b", 3), ("c", 1)])), Ok(()));
        assert_eq!(
            check_response(&q, &token(&[("a", 1), ("x", 1)])),
            Err(UnexpectedPresentation("x".into()))
        );
        assert_eq!(
            check_response(&q, &token(&[("a", 0)])),
            Err(EmptyPresentations("a".into()))
        );
        assert_eq!(
            check_response(&q, &token(&[("a", 2)])),
            Err(MultiplePresentations("a".into(), 2))
        );
        assert_eq!(
            check_response(&q, &token(&[("c", 1)])),
            Err(CredentialSetNotSatisfied(0))
        );
        let mut no_sets = q.clone();
        no_sets.credential_sets = None;
        assert_eq!(
            check_response(&no_sets, &token(&[("a", 1), ("b", 1)])),
            Err(MissingPresentation("c".into()))
        );
    }

    #[test]
    fn presentation_meets_its_query() {
        let cq: CredentialQuery = serde_json::from_value(json!({
            "id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v:a"]},
            "claims": [{"path": ["name"], "values": ["Ada"]}]
        }))
        .expect("valid");
        let claims = |v: Value| v.as_object().expect("object").clone();
        let ok = claims(json!({"name": "Grace", "cnf": {}}));
        // `values` is not enforced by the Verifier: presence is.
        assert_eq!(check_presentation(&cq, "v:a", &ok), Ok(()));
        for (vct, c) in [
            ("v:b", ok.clone()),
            ("v:a", claims(json!({"name": "Ada"}))),
            ("v:a", claims(json!({"cnf": {}}))),
        ] {
            assert!(matches!(
                check_presentation(&cq, vct, &c),
                Err(Oid4vpError::PresentationDoesNotMatch { .. })
            ));
        }
    }
}
