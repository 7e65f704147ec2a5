//! The catalogue and its credential types.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::registry::{Definition, DEFINITIONS};
use crate::{metadata, validate, Audience, CatalogueError, VCT_BASE};

/// Version suffix of every `vct` in this catalogue. A breaking change to a type
/// (new required claim, changed meaning) gets a new version and so a new `vct`.
pub const VCT_VERSION: &str = "v1";

/// One SD-JWT VC credential type: one record of one kind (one CSTF competence, one DBS
/// outcome, one ESR assignment ...).
#[derive(Debug)]
pub struct CredentialType {
    /// Record type name, as in the DSP API where it has one (`CoreSkillsTraining`); also
    /// the value of the always-disclosed `recordType` claim.
    pub name: &'static str,
    /// `VCT_BASE` + kebab-case name + `/v1`.
    pub vct: String,
    /// Human-readable name (en-GB).
    pub display_name: &'static str,
    /// Short end-user description (en-GB).
    pub description: &'static str,
    /// Who may see credentials of this type.
    pub audience: Audience,
    /// The JSON Schema (draft 2020-12) of the record claims. See [`Self::json_schema`].
    pub schema: Value,
    /// Claims that are never selectively disclosable: just `recordType`.
    pub always_disclosed: Vec<&'static str>,
    /// Default credential lifetime in days; `None` where the record's own dates bound it
    /// (or it states a dated fact), and the status list revokes it when the record changes.
    pub validity_days: Option<u32>,
    /// Self-declared by the holder: the credential is signed by the wallet's own device key
    /// (`iss` is that key's JWK Thumbprint URI), no organisation may issue it, and a receiver
    /// shows its claims as declared by the person, not verified. Never meets a requirement.
    pub self_declared: bool,
    validator: Validator,
}

impl CredentialType {
    fn compile(definition: &Definition) -> Result<Self, CatalogueError> {
        let schema_error = |message: String| CatalogueError::Schema {
            name: definition.name.to_owned(),
            message,
        };
        let schema: Value =
            serde_json::from_str(definition.schema).map_err(|e| schema_error(e.to_string()))?;
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| schema_error(e.to_string()))?;
        Ok(Self {
            name: definition.name,
            vct: format!("{VCT_BASE}{}/{VCT_VERSION}", definition.slug),
            display_name: definition.display_name,
            description: definition.description,
            audience: definition.audience,
            schema,
            always_disclosed: vec!["recordType"],
            validity_days: definition.validity_days,
            self_declared: definition.self_declared,
            validator,
        })
    }

    /// Checks record claims against the type's JSON Schema and reports every violation,
    /// each prefixed with its JSON Pointer (`/certificateNumber: ...`).
    ///
    /// `claims` is either the record alone or a whole processed SD-JWT VC payload: the
    /// registered claims ([`crate::REGISTERED_CLAIMS`]: `iss`, `iat`, `exp`, `cnf`,
    /// `status`, ...) are set aside first, and a `vct` claim must be this type's.
    pub fn validate(&self, claims: &Value) -> Result<(), CatalogueError> {
        let errors = validate::violations(&self.validator, &self.vct, claims);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CatalogueError::InvalidClaims {
                vct: self.vct.clone(),
                errors,
            })
        }
    }

    /// The SD-JWT VC Type Metadata document for this type, to publish at the `vct` URL.
    ///
    /// Follows the "SD-JWT VC Type Metadata" section of draft-ietf-oauth-sd-jwt-vc (-19):
    /// `vct`, developer `name` and `description`, `display` per `locale` (`en-GB`) with the
    /// `simple` rendering method, and `claims` with a `path` array, `display` (`locale`,
    /// `label`, `description`), `mandatory` and `sd` (`never` for `recordType`, `always`
    /// for the other top-level claims, `allowed` for claims nested in an object).
    ///
    /// It carries no JSON Schema: draft 12 removed `schema` and `schema_uri` from Type
    /// Metadata. Publish [`Self::json_schema`] separately.
    pub fn type_metadata(&self) -> Value {
        metadata::type_metadata(self)
    }

    /// The JSON Schema (draft 2020-12) of the record claims.
    ///
    /// SD-JWT VC Type Metadata no longer carries a schema (removed in
    /// draft-ietf-oauth-sd-jwt-vc-12), so the schema is exposed here on its own, to be
    /// served beside the Type Metadata (its `$id` is `<vct>/schema.json`).
    pub fn json_schema(&self) -> &Value {
        &self.schema
    }

    /// Whether this type's claims are special-category health detail for occupational
    /// health only.
    pub fn is_occupational_health_only(&self) -> bool {
        self.audience == Audience::OccupationalHealth
    }
}

/// The credential catalogue: every credential type, each schema compiled once.
#[derive(Debug)]
pub struct Catalogue {
    types: Vec<CredentialType>,
}

impl Catalogue {
    /// The NHS catalogue, built on first use and shared.
    ///
    /// # Panics
    ///
    /// Only if an embedded schema fails to compile, which the unit tests rule out.
    pub fn nhs() -> &'static Catalogue {
        static NHS: OnceLock<Catalogue> = OnceLock::new();
        NHS.get_or_init(|| match Catalogue::build() {
            Ok(catalogue) => catalogue,
            Err(error) => panic!("embedded credential catalogue is broken: {error}"),
        })
    }

    /// Builds a fresh catalogue, compiling every schema. Prefer [`Catalogue::nhs`].
    pub fn build() -> Result<Catalogue, CatalogueError> {
        let types = DEFINITIONS
            .iter()
            .map(CredentialType::compile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalogue { types })
    }

    /// The credential type with this `vct`.
    pub fn by_vct(&self, vct: &str) -> Option<&CredentialType> {
        self.types.iter().find(|t| t.vct == vct)
    }

    /// The credential type with this record type name (`CoreSkillsTraining`).
    pub fn by_name(&self, name: &str) -> Option<&CredentialType> {
        self.types.iter().find(|t| t.name == name)
    }

    /// Every credential type, in catalogue order.
    pub fn iter(&self) -> impl Iterator<Item = &CredentialType> {
        self.types.iter()
    }

    /// The credential types whose audience is `audience`.
    pub fn for_audience(&self, audience: Audience) -> impl Iterator<Item = &CredentialType> {
        self.types.iter().filter(move |t| t.audience == audience)
    }

    /// The one self-declared type: personal details the holder signs with its own wallet key.
    pub fn self_declared(&self) -> Option<&CredentialType> {
        self.types.iter().find(|t| t.self_declared)
    }

    /// Whether `vct` names a self-declared type (see [`CredentialType::self_declared`]).
    pub fn is_self_declared(&self, vct: &str) -> bool {
        self.by_vct(vct).is_some_and(|t| t.self_declared)
    }

    /// Validates claims against the type named by `vct`.
    pub fn validate(&self, vct: &str, claims: &Value) -> Result<(), CatalogueError> {
        self.by_vct(vct)
            .ok_or_else(|| CatalogueError::UnknownType(vct.to_owned()))?
            .validate(claims)
    }
}
