//! The closed vocabularies a profile uses: DBS levels and barred lists, professional
//! bodies and TIS grades, with the catalogue claim values they map to.

use serde::{Deserialize, Serialize};

/// DBS check levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DbsLevel {
    /// Basic check.
    Basic,
    /// Standard check.
    Standard,
    /// Enhanced check.
    Enhanced,
    /// Enhanced with barred list(s) check.
    EnhancedWithBarredLists,
}

impl DbsLevel {
    /// The catalogue's `typeOfDbsCheck` value.
    pub fn claim_value(self) -> &'static str {
        match self {
            DbsLevel::Basic => "Basic check",
            DbsLevel::Standard => "Standard check",
            DbsLevel::Enhanced => "Enhanced check",
            DbsLevel::EnhancedWithBarredLists => "Enhanced with barred list(s) check",
        }
    }

    /// The level of a `typeOfDbsCheck` value.
    pub fn from_claim(value: &str) -> Option<DbsLevel> {
        [
            DbsLevel::Basic,
            DbsLevel::Standard,
            DbsLevel::Enhanced,
            DbsLevel::EnhancedWithBarredLists,
        ]
        .into_iter()
        .find(|l| l.claim_value() == value)
    }

    /// Lower-case words for labels: `enhanced with barred lists`.
    pub fn words(self) -> &'static str {
        match self {
            DbsLevel::Basic => "basic",
            DbsLevel::Standard => "standard",
            DbsLevel::Enhanced => "enhanced",
            DbsLevel::EnhancedWithBarredLists => "enhanced with barred lists",
        }
    }
}

/// The two DBS barred lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BarredList {
    /// The adults' barred list (`adultsBarredListChecked`).
    Adults,
    /// The children's barred list (`childrensBarredListChecked`).
    Children,
}

impl BarredList {
    /// The catalogue claim that says whether this list was checked.
    pub fn claim(self) -> &'static str {
        match self {
            BarredList::Adults => "adultsBarredListChecked",
            BarredList::Children => "childrensBarredListChecked",
        }
    }

    /// `adults'` or `children's`.
    pub fn words(self) -> &'static str {
        match self {
            BarredList::Adults => "adults'",
            BarredList::Children => "children's",
        }
    }
}

/// The professional regulators of the catalogue's `professionalBody`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProfessionalBody {
    /// General Medical Council (doctors).
    #[serde(rename = "GMC")]
    Gmc,
    /// Nursing and Midwifery Council.
    #[serde(rename = "NMC")]
    Nmc,
    /// Health and Care Professions Council.
    #[serde(rename = "HCPC")]
    Hcpc,
    /// General Dental Council.
    #[serde(rename = "GDC")]
    Gdc,
    /// General Pharmaceutical Council.
    #[serde(rename = "GPhC")]
    Gphc,
}

impl ProfessionalBody {
    /// Every body, in catalogue order.
    pub const ALL: [ProfessionalBody; 5] = [
        ProfessionalBody::Gmc,
        ProfessionalBody::Gdc,
        ProfessionalBody::Gphc,
        ProfessionalBody::Hcpc,
        ProfessionalBody::Nmc,
    ];

    /// The catalogue's `professionalBody` value: `General Medical Council`.
    pub fn claim_value(self) -> &'static str {
        match self {
            ProfessionalBody::Gmc => "General Medical Council",
            ProfessionalBody::Nmc => "Nursing and Midwifery Council",
            ProfessionalBody::Hcpc => "Health and Care Professions Council",
            ProfessionalBody::Gdc => "General Dental Council",
            ProfessionalBody::Gphc => "General Pharmaceutical Council",
        }
    }

    /// The abbreviation: `GMC`.
    pub fn abbreviation(self) -> &'static str {
        match self {
            ProfessionalBody::Gmc => "GMC",
            ProfessionalBody::Nmc => "NMC",
            ProfessionalBody::Hcpc => "HCPC",
            ProfessionalBody::Gdc => "GDC",
            ProfessionalBody::Gphc => "GPhC",
        }
    }

    /// The body of a `professionalBody` value.
    pub fn from_claim(value: &str) -> Option<ProfessionalBody> {
        Self::ALL.into_iter().find(|b| b.claim_value() == value)
    }
}

/// The grades of the catalogue's training placement schema (TIS).
pub const TIS_GRADES: &[&str] = &[
    "FY1", "FY2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3", "ST4", "ST5", "ST6", "ST7", "ST8",
    "GPST1", "GPST2", "GPST3", "GPST4", "IMT1", "IMT2", "IMT3", "DCT1", "DCT2", "DCT3",
];
