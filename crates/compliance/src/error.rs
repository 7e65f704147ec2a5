//! Errors of the compliance crate: one variant per rule.

/// What can be wrong with a role profile, a table of local renewal periods, a placement or
/// the CSV export.
///
/// Presented credentials never cause an error: a credential that does not decide a
/// requirement is reported on that requirement's line (missing, not shared...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplianceError {
    /// A profile or period table is not the JSON expected (names the serde problem).
    #[error("not a valid document: {0}")]
    Json(String),
    /// A profile id is not a slug: 1 to 64 of `a-z`, `0-9` and `-`, not starting or ending
    /// with `-`.
    #[error("profile id '{0}' is not a slug (a-z, 0-9 and '-', at most 64)")]
    ProfileId(String),
    /// A profile's name is empty.
    #[error("profile '{0}' has no name")]
    EmptyName(String),
    /// A profile has no requirement.
    #[error("profile '{0}' has no requirement")]
    NoRequirements(String),
    /// The same requirement (same key) appears twice in a profile.
    #[error("profile '{profile}' has requirement '{key}' twice")]
    DuplicateRequirement {
        /// The profile id.
        profile: String,
        /// The requirement key.
        key: String,
    },
    /// A CSTF subject name that is not one of the eleven subjects.
    #[error("'{0}' is not a CSTF subject")]
    UnknownSubject(String),
    /// A level the CSTF subject does not have.
    #[error("CSTF subject '{subject}' has no level {level}")]
    UnknownLevel {
        /// The subject.
        subject: String,
        /// The level asked for.
        level: u8,
    },
    /// A qualifier (resuscitation stream) where the subject or level has none, or an
    /// unknown one.
    #[error("CSTF subject '{subject}' level {level} has no qualifier '{qualifier}'")]
    UnknownQualifier {
        /// The subject.
        subject: String,
        /// The level.
        level: u8,
        /// The qualifier asked for.
        qualifier: String,
    },
    /// Barred lists named for a DBS level other than enhanced with barred lists.
    #[error("barred lists can only be required with an enhanced with barred lists check")]
    BarredListsWithoutBarredCheck,
    /// An enhanced with barred lists check without a list, or a list named twice.
    #[error(
        "an enhanced with barred lists check must name each barred list once (adults, children)"
    )]
    BarredLists,
    /// A professional registration requirement with no body, or a body named twice.
    #[error("a professional registration requirement must name each accepted body once")]
    RegistrationBodies,
    /// A training placement grade that TIS does not have, or a grade named twice.
    #[error("'{0}' is not a TIS grade, or is named twice")]
    Grade(String),
    /// An exposure-prone profile without an occupational health requirement.
    #[error("profile '{0}' is exposure-prone but has no occupational health requirement")]
    ExposureProneWithoutClearance(String),
    /// A training programme or placement requirement on a profile that is not for doctors
    /// in training.
    #[error("profile '{profile}' requires '{key}', which only doctors in training hold")]
    DoctorsOnly {
        /// The profile id.
        profile: String,
        /// The requirement key.
        key: String,
    },
    /// A renewal period outside 1..=120 months.
    #[error("renewal period for '{subject}' level {level} is {months} months: allowed 1 to 120")]
    PeriodOutOfRange {
        /// The subject.
        subject: String,
        /// The level.
        level: u8,
        /// The months given.
        months: u32,
    },
    /// A subject and level given twice in one period table.
    #[error("renewal period for '{subject}' level {level} is given twice")]
    DuplicatePeriod {
        /// The subject.
        subject: String,
        /// The level.
        level: u8,
    },
    /// A placement that ends before it starts.
    #[error("placement ends ({end}) before it starts ({start})")]
    PlacementDates {
        /// The start date.
        start: String,
        /// The end date.
        end: String,
    },
    /// The lead employer named is not an ODS code.
    #[error("lead employer '{0}' is not an ODS code (3 to 9 upper-case letters and digits)")]
    LeadEmployer(String),
    /// The CSV writer failed.
    #[error("CSV export failed: {0}")]
    Csv(String),
}
