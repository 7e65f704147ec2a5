//! The organisation form of the trust list registry: what was posted, and the checks that turn
//! it into a trust list entry or into errors on its fields.
//!
//! Every rule the signed list has is checked here first, in the administrator's words, so a
//! draft row is always an entry the list accepts: an ODS code of 3 to 9 upper-case letters and
//! digits; a name; a kind; an issuer identifier that is an https address (plain http only to
//! this machine) with no query or fragment; a JWK Set of public P-256 keys (a private key pasted
//! by mistake is refused and never stored); credential types from this server's catalogue
//! (never the self-declared type, which only a wallet signs); whether it may verify. Uniqueness
//! of the ODS code and issuer across the draft is checked by the handler against the store.
use super::auth::Fields;
use crate::orgs;
use passport_catalogue::Catalogue;
use passport_jose::Jwks;
use passport_trust_list::{parse_jwks, valid_ods_code, OrgKind, Organisation, TrustError};

/// The longest name and issuer identifier taken.
const MAX_NAME: usize = 200;
const MAX_ISSUER: usize = 500;
/// A JWK Set of [`passport_trust_list::MAX_KEYS`] keys fits well within this.
const MAX_JWKS: usize = 16 * 1024;

/// The kinds an administrator chooses from: (value, label, hint).
pub(super) const KINDS: [(&str, &str, &str); 4] = [
    (
        "trust",
        "NHS trust",
        "Acute, mental health, community or ambulance trust.",
    ),
    (
        "nhs-england",
        "NHS England",
        "Issues training programme and placement credentials for doctors in training.",
    ),
    (
        "oh-provider",
        "Occupational health provider",
        "Serves one or more trusts.",
    ),
    (
        "registry",
        "Registry",
        "The national registry that signs this list.",
    ),
];

/// One problem on the form: the message and the id of the field it links to.
pub(super) type FieldError = (String, String);

/// The form as posted (or as filled from an entry), kept as typed so it can be shown again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct OrgForm {
    pub(super) ods_code: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) issuer: String,
    pub(super) jwks: String,
    /// Catalogue type names ticked.
    pub(super) may_issue: Vec<String>,
    /// `yes`, `no`, or empty (not answered).
    pub(super) may_verify: String,
}

impl OrgForm {
    pub(super) fn from_fields(fields: &Fields) -> OrgForm {
        let text = |name: &str| fields.get(name).unwrap_or("").to_string();
        OrgForm {
            ods_code: text("ods_code").trim().to_ascii_uppercase(),
            name: text("name").trim().to_string(),
            kind: text("kind"),
            issuer: text("issuer").trim().to_string(),
            jwks: text("jwks"),
            may_issue: fields.all("may_issue").map(str::to_string).collect(),
            may_verify: text("may_verify"),
        }
    }

    /// The form of an entry already on the draft (its JWK Set laid out to read and edit).
    pub(super) fn from_entry(org: &Organisation, catalogue: &Catalogue) -> OrgForm {
        OrgForm {
            ods_code: org.ods_code.clone(),
            name: org.name.clone(),
            kind: orgs::kind_str(org.kind).to_string(),
            issuer: org.issuer.clone(),
            jwks: serde_json::to_string_pretty(&org.jwks).unwrap_or_default(),
            may_issue: org
                .may_issue
                .iter()
                .filter_map(|vct| catalogue.by_vct(vct).map(|t| t.name.to_string()))
                .collect(),
            may_verify: if org.may_verify { "yes" } else { "no" }.to_string(),
        }
    }

    /// The form as it may be shown again: a pasted private key is not sent back to the
    /// browser (it is refused, and should not travel any further than it has).
    pub(super) fn shown_back(mut self) -> OrgForm {
        if matches!(
            parse_jwks(&self.jwks),
            Err(TrustError::PrivateKeyMember { .. })
        ) {
            self.jwks.clear();
        }
        self
    }

    /// The entry this form describes, or every problem with it (the first per field).
    pub(super) fn check(&self, catalogue: &Catalogue) -> Result<Organisation, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut fail = |message: String, field: &str| errors.push((message, field.to_string()));
        if self.ods_code.is_empty() {
            fail("Enter the organisation's ODS code".into(), "ods-code");
        } else if !valid_ods_code(&self.ods_code) {
            fail(
                "Enter an ODS code of 3 to 9 letters and numbers, like RHQ or X24".into(),
                "ods-code",
            );
        }
        if self.name.is_empty() {
            fail("Enter the organisation's name".into(), "name");
        } else if self.name.chars().count() > MAX_NAME {
            fail(
                format!("Name must be {MAX_NAME} characters or fewer"),
                "name",
            );
        } else if self.name.chars().any(char::is_control) {
            fail(
                "Name must not contain line breaks or control characters".into(),
                "name",
            );
        }
        let kind = orgs::parse_kind(&self.kind);
        if kind.is_none() {
            fail("Select the kind of organisation".into(), "kind");
        }
        if let Err(message) = check_issuer(&self.issuer) {
            fail(message, "issuer");
        }
        let jwks = match check_jwks(&self.jwks) {
            Ok(jwks) => Some(jwks),
            Err(message) => {
                fail(message, "jwks");
                None
            }
        };
        let mut may_issue = Vec::new();
        for name in &self.may_issue {
            match catalogue.by_name(name).filter(|t| !t.self_declared) {
                Some(t) if !may_issue.contains(&t.vct) => may_issue.push(t.vct.clone()),
                Some(_) => {}
                None => {
                    fail(
                        "Select credential types from the list".into(),
                        &first_type_id(catalogue),
                    );
                    break;
                }
            }
        }
        let may_verify = match self.may_verify.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                fail(
                    "Select whether the organisation may ask staff for their credentials".into(),
                    "may-verify",
                );
                None
            }
        };
        match (kind, jwks, may_verify) {
            (Some(kind), Some(jwks), Some(may_verify)) if errors.is_empty() => Ok(Organisation {
                ods_code: self.ods_code.clone(),
                name: self.name.clone(),
                kind,
                issuer: self.issuer.clone(),
                jwks,
                may_issue,
                may_verify,
            }),
            _ => Err(errors),
        }
    }
}

fn check_issuer(issuer: &str) -> Result<(), String> {
    const EXAMPLE: &str = "like https://passport.example.nhs.uk/issuers/RHQ";
    if issuer.is_empty() {
        return Err("Enter the organisation's issuer identifier".into());
    }
    if issuer.len() > MAX_ISSUER {
        return Err(format!(
            "Issuer identifier must be {MAX_ISSUER} characters or fewer"
        ));
    }
    let plain = !issuer.chars().any(|c| c.is_whitespace() || c.is_control());
    match crate::trust::https_or_loopback(issuer) {
        Ok(url) if plain && url.query().is_none() && url.fragment().is_none() => Ok(()),
        _ => Err(format!(
            "Enter the issuer identifier as an https address with no query or fragment, {EXAMPLE}"
        )),
    }
}

fn check_jwks(text: &str) -> Result<Jwks, String> {
    if text.trim().is_empty() {
        return Err("Paste the organisation's public keys as a JWK Set".into());
    }
    if text.len() > MAX_JWKS {
        return Err(format!(
            "The JWK Set is too long: at most {MAX_JWKS} characters"
        ));
    }
    parse_jwks(text).map_err(|e| match e {
        TrustError::PrivateKeyMember { index, member } => format!(
            "Key {index} is a private key (it has \"{member}\"): paste only public keys, and treat that private key as exposed"
        ),
        TrustError::Jwks(why) => format!("The keys are not a JWK Set of public P-256 keys: {why}"),
        other => other.to_string(),
    })
}

/// The id of the first credential type checkbox (where a type error links).
pub(super) fn first_type_id(catalogue: &Catalogue) -> String {
    catalogue
        .iter()
        .find(|t| !t.self_declared)
        .map_or_else(|| "may-issue".to_string(), |t| type_id(t.name))
}

/// The id of the checkbox of a credential type.
pub(super) fn type_id(name: &str) -> String {
    format!("issue-{name}")
}

/// The kind's label, for tables.
pub(super) fn kind_label(kind: OrgKind) -> &'static str {
    let value = orgs::kind_str(kind);
    KINDS
        .iter()
        .find(|(v, _, _)| *v == value)
        .map_or(value, |(_, label, _)| label)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use passport_jose::{Es256Signer, Signer};

    fn good() -> OrgForm {
        let (key, _) = Es256Signer::generate().unwrap();
        OrgForm {
            ods_code: "RXX".into(),
            name: "Northmoor Community NHS Trust (synthetic)".into(),
            kind: "trust".into(),
            issuer: "https://northmoor.example/issuers/RXX".into(),
            jwks: serde_json::json!({ "keys": [key.public_jwk()] }).to_string(),
            may_issue: vec!["Employment".into(), "DBSCheckOutcome".into()],
            may_verify: "yes".into(),
        }
    }

    fn fields_of(form: &OrgForm) -> Vec<String> {
        form.check(Catalogue::nhs())
            .unwrap_err()
            .into_iter()
            .map(|(_, field)| field)
            .collect()
    }

    #[test]
    fn a_good_form_is_an_entry_with_vcts_from_the_catalogue() {
        let c = Catalogue::nhs();
        let org = good().check(c).unwrap();
        assert_eq!(org.ods_code, "RXX");
        assert_eq!(org.kind, OrgKind::Trust);
        assert!(org.may_verify);
        assert_eq!(
            org.may_issue,
            vec![
                c.by_name("Employment").unwrap().vct.clone(),
                c.by_name("DBSCheckOutcome").unwrap().vct.clone()
            ]
        );
        // And back: the form of the entry checks to the same entry.
        assert_eq!(OrgForm::from_entry(&org, c).check(c).unwrap(), org);
        // Plain http only to this machine (a test or development registry).
        let mut local = good();
        local.issuer = "http://127.0.0.1:8080/issuers/RXX".into();
        assert!(local.check(c).is_ok());
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut OrgForm);
        let cases: Vec<(Spoil, &str)> = vec![
            (|f| f.ods_code.clear(), "ods-code"),
            (|f| f.ods_code = "R-1".into(), "ods-code"),
            (|f| f.ods_code = "ABCDEFGHIJ".into(), "ods-code"),
            (|f| f.name.clear(), "name"),
            (|f| f.name = "Two\nlines".into(), "name"),
            (|f| f.name = "x".repeat(201), "name"),
            (|f| f.kind = "hospital".into(), "kind"),
            (|f| f.kind.clear(), "kind"),
            (|f| f.issuer.clear(), "issuer"),
            (
                |f| f.issuer = "http://northmoor.example/issuers/RXX".into(),
                "issuer",
            ),
            (
                |f| f.issuer = "https://northmoor.example/i?x=1".into(),
                "issuer",
            ),
            (
                |f| f.issuer = "https://northmoor.example/i#k".into(),
                "issuer",
            ),
            (|f| f.issuer = "northmoor".into(), "issuer"),
            (
                |f| f.issuer = "https://north moor.example/i".into(),
                "issuer",
            ),
            (|f| f.jwks.clear(), "jwks"),
            (|f| f.jwks = "{\"keys\": [".into(), "jwks"),
            (|f| f.may_issue = vec!["Payslip".into()], "issue-Identity"),
            (
                |f| f.may_issue = vec!["SelfDeclaredDetails".into()],
                "issue-Identity",
            ),
            (|f| f.may_verify.clear(), "may-verify"),
            (|f| f.may_verify = "maybe".into(), "may-verify"),
        ];
        for (spoil, field) in cases {
            let mut form = good();
            spoil(&mut form);
            assert_eq!(fields_of(&form), vec![field.to_string()], "{form:?}");
        }
    }

    #[test]
    fn a_pasted_private_key_is_refused_and_said_so() {
        let (key, _) = Es256Signer::generate().unwrap();
        let mut jwk = serde_json::to_value(key.public_jwk()).unwrap();
        jwk["d"] = serde_json::json!("c2VjcmV0IHNjYWxhciwgbm90IHJlYWxseQ");
        let mut form = good();
        form.jwks = serde_json::json!({ "keys": [jwk] }).to_string();
        let errors = form.check(Catalogue::nhs()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].1, "jwks");
        assert!(errors[0].0.contains("private key"), "{}", errors[0].0);
        let shown = form.clone().shown_back();
        assert!(shown.jwks.is_empty(), "the private key is not sent back");
        assert_eq!(shown.name, form.name, "the rest is");
        let public = good();
        assert_eq!(
            public.clone().shown_back(),
            public,
            "public keys are shown back"
        );
    }

    #[test]
    fn several_problems_are_all_reported() {
        let form = OrgForm::default();
        assert_eq!(
            fields_of(&form),
            ["ods-code", "name", "kind", "issuer", "jwks", "may-verify"]
        );
    }
}
