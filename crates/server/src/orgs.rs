//! The organisations of a deployment and what each may issue. The demo seeds the synthetic set
//! below; organisation codes follow real ODS formats, every name and person is invented.
use passport_catalogue::{Audience, Catalogue};
use passport_jose::{Jwks, Signer};
use passport_trust_list::{OrgKind, Organisation, TrustList};

/// One organisation served by this node, as configured.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgConfig {
    /// ODS code, e.g. `RHQ`.
    pub ods_code: String,
    pub name: String,
    /// `trust`, `nhs-england` or `oh-provider`.
    pub kind: String,
    /// Catalogue type names it may issue; empty = the default for its kind.
    #[serde(default)]
    pub may_issue: Vec<String>,
}

impl OrgConfig {
    pub fn org_kind(&self) -> Option<OrgKind> {
        parse_kind(&self.kind)
    }
}

/// (ODS code, name, kind, record types it may issue; empty = the default for its kind).
type OrgSpec = (&'static str, &'static str, OrgKind, &'static [&'static str]);

pub const OH_TYPES: &[&str] = &[
    "OccupationalHealthClearance",
    "Vaccination",
    "ClinicalTest",
    "Observation",
];

const DEMO_ORGS: &[OrgSpec] = &[
    (
        "RHQ",
        "Northfield Teaching Hospitals NHS Foundation Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "R0A",
        "Eastbridge University NHS Foundation Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "RTH",
        "Westmoor Hospitals NHS Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "X24",
        "NHS England",
        OrgKind::NhsEngland,
        &["TrainingProgramme", "TrainingPlacement"],
    ),
    (
        "OHP01",
        "Synthetic Occupational Health Service",
        OrgKind::OccupationalHealthProvider,
        OH_TYPES,
    ),
];

/// The synthetic organisations of the demo and the tests.
pub fn demo_orgs() -> Vec<OrgConfig> {
    DEMO_ORGS
        .iter()
        .map(|(ods, name, kind, types)| OrgConfig {
            ods_code: (*ods).into(),
            name: (*name).into(),
            kind: kind_str(*kind).into(),
            may_issue: types.iter().map(|t| (*t).to_string()).collect(),
        })
        .collect()
}

pub fn kind_str(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Trust => "trust",
        OrgKind::NhsEngland => "nhs-england",
        OrgKind::OccupationalHealthProvider => "oh-provider",
        OrgKind::Registry => "registry",
    }
}

pub fn parse_kind(s: &str) -> Option<OrgKind> {
    Some(match s {
        "trust" => OrgKind::Trust,
        "nhs-england" => OrgKind::NhsEngland,
        "oh-provider" => OrgKind::OccupationalHealthProvider,
        "registry" => OrgKind::Registry,
        _ => return None,
    })
}

/// The issuer identifier of organisation `ods` on a server at `base`.
pub fn issuer_id(base: &str, ods: &str) -> String {
    format!("{}/issuers/{ods}", base.trim_end_matches('/'))
}

/// The credential types (`vct`) an organisation of this kind may issue. A trust issues every
/// HR-visible type except doctors' programme and placement (NHS England's); a trust with its
/// own OH service also issues the OH types. No organisation may issue a self-declared type,
/// whatever its configuration says: only the person's own wallet signs it.
pub fn may_issue(catalogue: &Catalogue, kind: OrgKind, types: &[String]) -> Vec<String> {
    catalogue
        .iter()
        .filter(|t| !t.self_declared)
        .filter(|t| {
            if types.is_empty() {
                kind == OrgKind::Trust
                    && (t.audience == Audience::Hr || OH_TYPES.contains(&t.name))
                    && !matches!(t.name, "TrainingProgramme" | "TrainingPlacement")
            } else {
                types.iter().any(|n| n == t.name)
            }
        })
        .map(|t| t.vct.clone())
        .collect()
}

/// The trust list entry of one organisation with its signing key.
pub fn entry(base: &str, org: &OrgConfig, kind: OrgKind, signer: &dyn Signer) -> Organisation {
    Organisation {
        ods_code: org.ods_code.clone(),
        name: org.name.clone(),
        kind,
        issuer: issuer_id(base, &org.ods_code),
        jwks: Jwks {
            keys: vec![signer.public_jwk().clone()],
        },
        may_issue: may_issue(Catalogue::nhs(), kind, &org.may_issue),
        may_verify: kind == OrgKind::Trust || kind == OrgKind::OccupationalHealthProvider,
    }
}

/// A trust list of `orgs` (one signer each), valid for a week from `now`.
pub fn trust_list(base: &str, orgs: &[(&OrgConfig, OrgKind, &dyn Signer)], now: i64) -> TrustList {
    TrustList::new(
        1,
        now,
        now + 7 * 86_400,
        orgs.iter()
            .map(|(org, kind, signer)| entry(base, org, *kind, *signer))
            .collect(),
    )
}
