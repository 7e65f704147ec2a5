//! The rules of a valid DCQL query (OpenID4VP 1.0 sections 6, 6.1, 6.1.1, 6.2, 6.3, 6.4.1, 7 and
//! appendix B.3.5), one [`Oid4vpError`] variant per rule, then the profile's format rule.
use super::{is_valid_id, ClaimsQuery, CredentialQuery, DcqlQuery, FORMAT_SD_JWT_VC};
use crate::Oid4vpError;
use serde_json::Value;
use std::collections::HashSet;

impl DcqlQuery {
    /// Checks every rule of the specification ([`DcqlQuery::validate_structure`]) and then
    /// that every Credential Query asks for `dc+sd-jwt`, the only format the passport presents
    /// (HAIP 1.0 section 5.3.2 names it for SD-JWT VC). A query for another format is refused
    /// with [`Oid4vpError::UnsupportedFormat`] (`vp_formats_not_supported`).
    pub fn validate(&self) -> Result<(), Oid4vpError> {
        self.validate_structure()?;
        for c in &self.credentials {
            if c.format != FORMAT_SD_JWT_VC {
                return Err(Oid4vpError::UnsupportedFormat {
                    id: c.id.clone(),
                    format: c.format.clone(),
                });
            }
        }
        Ok(())
    }

    /// The rules of the specification alone, for any format.
    pub fn validate_structure(&self) -> Result<(), Oid4vpError> {
        // Section 6: `credentials` is a non-empty array.
        if self.credentials.is_empty() {
            return Err(Oid4vpError::EmptyCredentialQueries);
        }
        let mut ids = HashSet::new();
        for c in &self.credentials {
            // Section 6.1: id characters; the same id MUST NOT be present more than once.
            if !is_valid_id(&c.id) {
                return Err(Oid4vpError::InvalidCredentialQueryId(c.id.clone()));
            }
            if !ids.insert(c.id.as_str()) {
                return Err(Oid4vpError::DuplicateCredentialQueryId(c.id.clone()));
            }
            validate_credential(c)?;
        }
        if let Some(sets) = &self.credential_sets {
            // Section 6: `credential_sets`, if present, is a non-empty array.
            if sets.is_empty() {
                return Err(Oid4vpError::EmptyCredentialSets);
            }
            for (i, set) in sets.iter().enumerate() {
                // Section 6.2: `options` non-empty; each option a non-empty array of ids that
                // reference elements of `credentials`.
                if set.options.is_empty() || set.options.iter().any(Vec::is_empty) {
                    return Err(Oid4vpError::EmptyCredentialSetOption(i));
                }
                for id in set.options.iter().flatten() {
                    if !ids.contains(id.as_str()) {
                        return Err(Oid4vpError::UnknownCredentialQueryId(id.clone()));
                    }
                }
            }
        }
        Ok(())
    }
}

fn validate_credential(c: &CredentialQuery) -> Result<(), Oid4vpError> {
    let id = || c.id.clone();
    // Appendix B.3.5: `vct_values` is REQUIRED and non-empty for SD-JWT VC.
    if c.format == FORMAT_SD_JWT_VC && c.meta.vct_values.as_ref().is_none_or(Vec::is_empty) {
        return Err(Oid4vpError::MissingVctValues(id()));
    }
    // Section 6.1.1: non-empty array of {type, values} with non-empty values.
    if let Some(ta) = &c.trusted_authorities {
        if ta.is_empty() || ta.iter().any(|t| t.type_.is_empty() || t.values.is_empty()) {
            return Err(Oid4vpError::InvalidTrustedAuthorities(id()));
        }
    }
    let Some(claims) = &c.claims else {
        // Section 6.4.1: `claim_sets` MUST NOT be present if `claims` is absent.
        if c.claim_sets.is_some() {
            return Err(Oid4vpError::ClaimSetsWithoutClaims(id()));
        }
        return Ok(());
    };
    // Section 6.1: `claims`, if present, is a non-empty array.
    if claims.is_empty() {
        return Err(Oid4vpError::EmptyClaims(id()));
    }
    let mut claim_ids = HashSet::new();
    let mut paths = HashSet::new();
    for claim in claims {
        validate_claim(c, claim)?;
        if let Some(cid) = &claim.id {
            // Section 6.3: the same claim id MUST NOT be present more than once.
            if !claim_ids.insert(cid.as_str()) {
                return Err(Oid4vpError::DuplicateClaimId {
                    credential: id(),
                    claim: cid.clone(),
                });
            }
        }
        // Section 6.1: Verifiers MUST NOT point to the same claim more than once.
        if !paths.insert(&claim.path) {
            return Err(Oid4vpError::DuplicateClaimPath(id()));
        }
    }
    if let Some(sets) = &c.claim_sets {
        // Section 6.1: `claim_sets`, if present, is a non-empty array.
        if sets.is_empty() {
            return Err(Oid4vpError::EmptyClaimSets(id()));
        }
        // Section 6.3: a claim id is REQUIRED when `claim_sets` is present.
        if claims.iter().any(|claim| claim.id.is_none()) {
            return Err(Oid4vpError::MissingClaimId(id()));
        }
        // Section 6.1: `claim_sets` holds identifiers of elements of `claims`.
        for cid in sets.iter().flatten() {
            if !claim_ids.contains(cid.as_str()) {
                return Err(Oid4vpError::UnknownClaimId {
                    credential: id(),
                    claim: cid.clone(),
                });
            }
        }
    }
    Ok(())
}

fn validate_claim(c: &CredentialQuery, claim: &ClaimsQuery) -> Result<(), Oid4vpError> {
    // Sections 6.3 and 7: `path` is a non-empty array (element types checked when parsed).
    if claim.path.is_empty() {
        return Err(Oid4vpError::EmptyClaimPath(c.id.clone()));
    }
    // Section 6.3: id characters.
    if let Some(cid) = &claim.id {
        if !is_valid_id(cid) {
            return Err(Oid4vpError::InvalidClaimId {
                credential: c.id.clone(),
                claim: cid.clone(),
            });
        }
    }
    // Section 6.3: `values` non-empty, of strings, integers or booleans.
    if let Some(values) = &claim.values {
        if values.is_empty() {
            return Err(Oid4vpError::EmptyValues(c.id.clone()));
        }
        let scalar = |v: &Value| match v {
            Value::String(_) | Value::Bool(_) => true,
            Value::Number(n) => n.is_i64() || n.is_u64(),
            _ => false,
        };
        if !values.iter().all(scalar) {
            return Err(Oid4vpError::InvalidValue(c.id.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn base() -> Value {
        json!({"credentials": [{
            "id": "cstf", "format": "dc+sd-jwt",
            "meta": {"vct_values": ["https://w3id.org/nhs-staff-passport/vct/cstf/v1"]},
            "claims": [
                {"id": "a", "path": ["competencyName"]},
                {"id": "b", "path": ["expiryDate"], "values": ["2030-01-01", 7, true]}
            ],
            "claim_sets": [["a", "b"], ["a"]]
        }]})
    }

    type Edit = Box<dyn FnOnce(&mut Value)>;

    fn check(edit: impl FnOnce(&mut Value)) -> Result<(), Oid4vpError> {
        let mut v = base();
        edit(&mut v);
        DcqlQuery::from_value(v)?.validate()
    }

    #[test]
    fn every_rule_has_its_error() {
        use Oid4vpError::*;
        assert_eq!(check(|_| {}), Ok(()));
        let c = "cstf".to_string();
        let cases: Vec<(Edit, Oid4vpError)> = vec![
            (
                Box::new(|v| v["credentials"] = json!([])),
                EmptyCredentialQueries,
            ),
            (
                Box::new(|v| v["credentials"][0]["id"] = json!("a.b")),
                InvalidCredentialQueryId("a.b".into()),
            ),
            (
                Box::new(|v| {
                    let d = v["credentials"][0].clone();
                    v["credentials"].as_array_mut().expect("array").push(d)
                }),
                DuplicateCredentialQueryId(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["format"] = json!("mso_mdoc")),
                UnsupportedFormat {
                    id: c.clone(),
                    format: "mso_mdoc".into(),
                },
            ),
            (
                Box::new(|v| v["credentials"][0]["meta"] = json!({})),
                MissingVctValues(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["meta"]["vct_values"] = json!([])),
                MissingVctValues(c.clone()),
            ),
            (
                Box::new(|v| {
                    v["credentials"][0]["trusted_authorities"] =
                        json!([{"type": "aki", "values": []}])
                }),
                InvalidTrustedAuthorities(c.clone()),
            ),
            (
                Box::new(|v| {
                    v["credentials"][0]["claims"] = json!([]);
                    v["credentials"][0]
                        .as_object_mut()
                        .expect("object")
                        .remove("claim_sets");
                }),
                EmptyClaims(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][0]["path"] = json!([])),
                EmptyClaimPath(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][0]["id"] = json!("")),
                InvalidClaimId {
                    credential: c.clone(),
                    claim: String::new(),
                },
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][1]["id"] = json!("a")),
                DuplicateClaimId {
                    credential: c.clone(),
                    claim: "a".into(),
                },
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][1]["path"] = json!(["competencyName"])),
                DuplicateClaimPath(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][1]["values"] = json!([])),
                EmptyValues(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][1]["values"] = json!([1.5])),
                InvalidValue(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claims"][1]["values"] = json!([null])),
                InvalidValue(c.clone()),
            ),
            (
                Box::new(|v| {
                    v["credentials"][0]
                        .as_object_mut()
                        .expect("object")
                        .remove("claims");
                }),
                ClaimSetsWithoutClaims(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claim_sets"] = json!([])),
                EmptyClaimSets(c.clone()),
            ),
            (
                Box::new(|v| {
                    v["credentials"][0]["claims"][1]
                        .as_object_mut()
                        .expect("object")
                        .remove("id");
                }),
                MissingClaimId(c.clone()),
            ),
            (
                Box::new(|v| v["credentials"][0]["claim_sets"] = json!([["a", "z"]])),
                UnknownClaimId {
                    credential: c.clone(),
                    claim: "z".into(),
                },
            ),
            (
                Box::new(|v| v["credential_sets"] = json!([])),
                EmptyCredentialSets,
            ),
            (
                Box::new(|v| v["credential_sets"] = json!([{"options": []}])),
                EmptyCredentialSetOption(0),
            ),
            (
                Box::new(|v| v["credential_sets"] = json!([{"options": [["cstf"], []]}])),
                EmptyCredentialSetOption(0),
            ),
            (
                Box::new(|v| {
                    v["credential_sets"] = json!([{"options": [["cstf"]]}, {"options": [["dbs"]]}])
                }),
                UnknownCredentialQueryId("dbs".into()),
            ),
        ];
        for (edit, expected) in cases {
            assert_eq!(check(edit), Err(expected.clone()), "{expected}");
        }
    }
}
