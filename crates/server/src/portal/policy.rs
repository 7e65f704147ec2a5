//! Who may do what in the portal, and why: the one place that decides, and the one place that
//! records it in the audit log.
//!
//! Every handler calls [`authorise`] with the session (organisation and role), the purpose of
//! the access and the action before it shows or changes anything; it filters what it shows with
//! [`may`] (the same table, no record). `authorise` writes the audit entry itself, before the
//! handler gets its [`Access`]: every allowed read or change of personal data and every refusal
//! is in the log, with who, when, what and why. If the entry cannot be written, nothing is
//! shown. Organisation scoping is not decided here: every store call takes the signed-in user's
//! own organisation, so another trust's ids are simply not found (404, recorded as `not-found`
//! through [`Access::not_found`] or [`not_found`]).
//!
//! | Action | admin | hr | medical-staffing | training | oh | auditor | registry-admin |
//! |---|---|---|---|---|---|---|---|
//! | use the portal (home page) | yes | yes | yes | yes | yes | yes | yes |
//! | search staff, open a person | yes | yes | yes | yes | yes | no | no |
//! | see records and credentials of an OH-only type (Vaccination, ClinicalTest, Observation) | no | no | no | no | yes | no | no |
//! | see records and credentials of any other type (OccupationalHealthClearance included) | yes | yes | yes | yes | yes | no | no |
//! | create an offer | yes | yes | yes | no | no | no | no |
//! | replace a person's lost or new phone (revoke what its keys hold, offer anew) | yes | yes | yes | no | no | no | no |
//! | revoke a credential (of a type they may see) | yes | yes | yes | no | no | no | no |
//! | see and resolve review items (of types they may see) | yes | yes | no | no | yes | no | no |
//! | see the role requirement profiles and the local CSTF renewal periods | yes | yes | yes | yes | yes | no | no |
//! | create and change role requirement profiles | yes | yes | yes | no | no | no | no |
//! | change the local CSTF renewal periods | yes | no | no | yes | no | no | no |
//! | see transfer requests, their reports and exports (an OH team's request: OH only) | yes | yes | yes | yes | yes | no | no |
//! | create a transfer request (OH users ask as the OH team) | yes | yes | yes | yes | yes | no | no |
//! | record the decision on a report (an OH team's request: OH only) | yes | yes | yes | no | yes* | no | no |
//! | see temporary arrangements (honorary contracts, secondments, licences to attend, bank shifts) and their reports | yes | yes | yes | yes | yes | no | no |
//! | request, accept (or not) and end a temporary arrangement | yes | yes | yes | no | no | no | no |
//! | read the organisation's audit log | yes | no | no | no | no | yes | no |
//! | administer the national trust list | no | no | no | no | no | no | yes |
//! | manage the organisation's webhooks, re-send undelivered events and e-mails | yes | no | no | no | no | no | no |
//! | see a changeover's cohort dashboard and export it; import a rotation list; send reminders | yes | yes | yes | no | no | no | no |
//! | export everything held about a person (subject access), erase a person | yes | no | no | no | no | no | no |
//!
//! *OH decides only on its own team's requests; HR, medical staffing and admins on HR requests.
//!
//! Medical staffing does HR's work for doctors (offers, revocations, transfers and decisions on
//! HR requests, role profiles); matching imported records in the review queue stays with HR and
//! OH, who own the source systems. The auditor reads the audit log and nothing personal; the
//! registry admin administers the trust list and nothing personal.
//!
//! The purpose must fit the action ([`Purpose::serves`]): offers and revocations are `issue`,
//! transfer work is `transfer`, looking people up and the review queue `review`, settings and
//! the trust list `administration`, the audit log `audit`. `subject-access` (answering a
//! person's request for what is held about them and who saw it, or to have it erased) fits
//! staff pages, the audit log, the export and erasure, and is for admins only. Anything else, and any role not in this table, is refused.
use crate::{ServerError, Shared};
use passport_catalogue::Catalogue;
use passport_store::Session;

pub use super::access::{Access, Subject};

/// A role a user acts in at an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Hr,
    MedicalStaffing,
    Training,
    OccupationalHealth,
    Auditor,
    RegistryAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Hr,
        Role::MedicalStaffing,
        Role::Training,
        Role::OccupationalHealth,
        Role::Auditor,
        Role::RegistryAdmin,
    ];

    /// The role named exactly `text`, as stored with a user.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Hr => "hr",
            Role::MedicalStaffing => "medical-staffing",
            Role::Training => "training",
            Role::OccupationalHealth => "oh",
            Role::Auditor => "auditor",
            Role::RegistryAdmin => "registry-admin",
        }
    }
}

/// Why personal data is read or changed: recorded with every access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Offering credentials to a person and revoking them.
    Issue,
    /// Asking a person joining for their credentials, the report, its exports, the decision.
    Transfer,
    /// Looking staff up and reading their records; matching imported records (review queue).
    Review,
    /// The organisation's settings and the national trust list.
    Administration,
    /// Reading the audit log.
    Audit,
    /// Answering a person's request for what is held about them and who saw it, or to have it
    /// erased (admins only).
    SubjectAccess,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Issue => "issue",
            Purpose::Transfer => "transfer",
            Purpose::Review => "review",
            Purpose::Administration => "administration",
            Purpose::Audit => "audit",
            Purpose::SubjectAccess => "subject-access",
        }
    }

    /// Whether this purpose can be the reason for `action`.
    pub fn serves(self, action: Action) -> bool {
        use Purpose::*;
        match action {
            Action::UsePortal => true,
            Action::ViewStaff | Action::ViewType(_) => {
                matches!(self, Review | Issue | SubjectAccess)
            }
            Action::CreateOffer | Action::Revoke(_) | Action::ReplaceDevice => self == Issue,
            Action::ViewReviewQueue | Action::ResolveReview(_) => self == Review,
            Action::ViewProfiles
            | Action::EditProfiles
            | Action::EditLocalPeriods
            | Action::AdministerTrustList
            | Action::ManageWebhooks => self == Administration,
            Action::ViewTransfers
            | Action::ViewTransfer(_)
            | Action::PollTransfer(_)
            | Action::ExportReport { .. }
            | Action::CreateTransfer
            | Action::DecideTransfer(_)
            | Action::ViewTemporaryMovements
            | Action::CreateTemporaryMovement
            | Action::DecideTemporaryMovement
            | Action::EndTemporaryMovement => self == Transfer,
            Action::ViewChangeover
            | Action::ExportChangeover
            | Action::ImportRotation
            | Action::SendReminders => self == Transfer,
            Action::ViewAuditLog => matches!(self, Audit | SubjectAccess),
            Action::ExportSubjectData | Action::ErasePerson => self == SubjectAccess,
        }
    }
}

/// Something a portal user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// The home page.
    UsePortal,
    /// Search staff and open a person's page.
    ViewStaff,
    /// See records (and issued credentials) of this catalogue type.
    ViewType(&'a str),
    /// Create a credential offer for a person.
    CreateOffer,
    /// Replace a person's lost or new phone: revoke what this organisation issued to its
    /// device keys and offer their current records anew (each type revoked is also authorised
    /// as `Revoke`).
    ReplaceDevice,
    /// Revoke an issued credential of this type.
    Revoke(&'a str),
    /// Open the review queue.
    ViewReviewQueue,
    /// Resolve a review item holding a record of this type.
    ResolveReview(&'a str),
    /// See the organisation's role requirement profiles and local CSTF renewal periods.
    ViewProfiles,
    /// Create and change the organisation's role requirement profiles.
    EditProfiles,
    /// Change the organisation's local CSTF renewal periods.
    EditLocalPeriods,
    /// See the list of transfer requests.
    ViewTransfers,
    /// See one transfer request of this audience (`hr` or `occupational-health`).
    ViewTransfer(&'a str),
    /// Ask whether the person has answered (the waiting page's polling: status only).
    PollTransfer(&'a str),
    /// Download a report of a request of this audience as `format` (`csv`, `json`).
    ExportReport { audience: &'a str, format: &'a str },
    /// Ask a person for their passport credentials for a role.
    CreateTransfer,
    /// Record acceptance (or not) of a report of a request of this audience.
    DecideTransfer(&'a str),
    /// Read the organisation's audit log.
    ViewAuditLog,
    /// Administer the national trust list.
    AdministerTrustList,
    /// See and change the organisation's webhook receivers; re-send what was not delivered.
    ManageWebhooks,
    /// See the organisation's changeovers and one changeover's cohort dashboard.
    ViewChangeover,
    /// Download a changeover's cohort as CSV.
    ExportChangeover,
    /// Import a rotation list: a transfer request and an invitation for each doctor.
    ImportRotation,
    /// E-mail a reminder to every doctor of a changeover who has not answered.
    SendReminders,
    /// See the temporary arrangements and one arrangement with its report.
    ViewTemporaryMovements,
    /// Ask a person coming on a temporary arrangement for their passport.
    CreateTemporaryMovement,
    /// Accept a temporary arrangement for its period (or not).
    DecideTemporaryMovement,
    /// End an accepted temporary arrangement before its end date.
    EndTemporaryMovement,
    /// Download everything the organisation holds about a person (a subject access request).
    ExportSubjectData,
    /// Erase a person: revoke their credentials and delete their personal data.
    ErasePerson,
}

impl Action<'_> {
    /// The stable name recorded in the audit log.
    pub fn name(self) -> &'static str {
        match self {
            Action::UsePortal => "use-portal",
            Action::ViewStaff => "view-staff",
            Action::ViewType(_) => "view-type",
            Action::CreateOffer => "create-offer",
            Action::ReplaceDevice => "replace-device",
            Action::Revoke(_) => "revoke",
            Action::ViewReviewQueue => "view-review-queue",
            Action::ResolveReview(_) => "resolve-review",
            Action::ViewProfiles => "view-profiles",
            Action::EditProfiles => "edit-profiles",
            Action::EditLocalPeriods => "edit-local-periods",
            Action::ViewTransfers => "view-transfers",
            Action::ViewTransfer(_) => "view-transfer",
            Action::PollTransfer(_) => "poll-transfer",
            Action::ExportReport { .. } => "export-report",
            Action::CreateTransfer => "create-transfer",
            Action::DecideTransfer(_) => "decide-transfer",
            Action::ViewAuditLog => "view-audit-log",
            Action::AdministerTrustList => "administer-trust-list",
            Action::ManageWebhooks => "manage-webhooks",
            Action::ViewChangeover => "view-changeover",
            Action::ExportChangeover => "export-changeover",
            Action::ImportRotation => "import-rotation",
            Action::SendReminders => "send-reminders",
            Action::ViewTemporaryMovements => "view-temporary-movements",
            Action::CreateTemporaryMovement => "create-temporary-movement",
            Action::DecideTemporaryMovement => "decide-temporary-movement",
            Action::EndTemporaryMovement => "end-temporary-movement",
            Action::ExportSubjectData => "export-subject-data",
            Action::ErasePerson => "erase-person",
        }
    }

    /// What the action's own parameters say, for the audit entry's detail.
    /// Empty parameters (the subject was not found, so its type or audience is unknown) are
    /// left out.
    pub(super) fn detail(self) -> String {
        match self {
            Action::ViewType(t) | Action::Revoke(t) | Action::ResolveReview(t) if !t.is_empty() => {
                format!("type {t}")
            }
            Action::ViewTransfer(a) | Action::PollTransfer(a) | Action::DecideTransfer(a)
                if !a.is_empty() =>
            {
                format!("audience {a}")
            }
            Action::ExportReport { audience, format } if !audience.is_empty() => {
                format!("audience {audience}, {format}")
            }
            Action::ExportReport { format, .. } => format.to_string(),
            _ => String::new(),
        }
    }

    /// Whether an allowed access is recorded: every read or change of personal data (and the
    /// trust list). The home page, settings, type filters and the waiting page's polling
    /// show nothing personal and would only bury the log.
    fn recorded(self) -> bool {
        !matches!(
            self,
            Action::UsePortal
                | Action::ViewType(_)
                | Action::ViewProfiles
                | Action::EditProfiles
                | Action::EditLocalPeriods
                | Action::PollTransfer(_)
        )
    }
}

/// Whether a role may see a record type: OH-only types to OH alone, others to every role that
/// sees staff. A type not in the catalogue is shown to nobody.
fn may_view(role: Role, type_name: &str) -> bool {
    let staff = !matches!(role, Role::Auditor | Role::RegistryAdmin);
    match Catalogue::nhs().by_name(type_name) {
        Some(t) if t.is_occupational_health_only() => role == Role::OccupationalHealth,
        Some(_) => staff,
        None => false,
    }
}

/// The rules of the table above, whatever the purpose.
fn role_may(role: Role, action: Action) -> bool {
    use Role::*;
    let staff = !matches!(role, Auditor | RegistryAdmin);
    let issuer = matches!(role, Admin | Hr | MedicalStaffing);
    match action {
        Action::UsePortal => true,
        Action::ViewStaff => staff,
        Action::ViewType(t) => may_view(role, t),
        Action::CreateOffer | Action::ReplaceDevice | Action::EditProfiles => issuer,
        Action::Revoke(t) => issuer && may_view(role, t),
        Action::ViewReviewQueue => matches!(role, Admin | Hr | OccupationalHealth),
        Action::ResolveReview(t) => {
            matches!(role, Admin | Hr | OccupationalHealth) && may_view(role, t)
        }
        Action::ViewProfiles
        | Action::ViewTransfers
        | Action::CreateTransfer
        | Action::ViewTemporaryMovements => staff,
        Action::CreateTemporaryMovement
        | Action::DecideTemporaryMovement
        | Action::EndTemporaryMovement => issuer,
        Action::EditLocalPeriods => matches!(role, Admin | Training),
        Action::ViewTransfer(audience)
        | Action::PollTransfer(audience)
        | Action::ExportReport { audience, .. } => match audience {
            "hr" => staff,
            "occupational-health" => role == OccupationalHealth,
            _ => false,
        },
        Action::DecideTransfer(audience) => match audience {
            "hr" => issuer,
            "occupational-health" => role == OccupationalHealth,
            _ => false,
        },
        Action::ViewChangeover
        | Action::ExportChangeover
        | Action::ImportRotation
        | Action::SendReminders => issuer,
        Action::ViewAuditLog => matches!(role, Admin | Auditor),
        Action::AdministerTrustList => role == RegistryAdmin,
        Action::ManageWebhooks | Action::ExportSubjectData | Action::ErasePerson => role == Admin,
    }
}

/// The whole decision: the purpose fits the action, subject access is an admin's, the role may.
fn allowed(role: Role, purpose: Purpose, action: Action) -> bool {
    purpose.serves(action)
        && (purpose != Purpose::SubjectAccess || role == Role::Admin)
        && role_may(role, action)
}

/// Whether the session's role may do `action` (for any purpose that fits): for deciding what to
/// show. Records nothing; reading or changing goes through [`authorise`].
pub fn may(session: &Session, action: Action) -> bool {
    Role::parse(&session.user.role).is_some_and(|r| role_may(r, action))
}

/// The one decision: may the session's user do `action` about `subject` for `purpose`? The
/// answer is recorded in the audit log when it is a refusal, or an allowed read or change of
/// personal data; `Forbidden` (403) when refused.
pub async fn authorise(
    state: &Shared,
    session: &Session,
    purpose: Purpose,
    action: Action<'_>,
    subject: Subject<'_>,
) -> Result<Access, ServerError> {
    let ok = Role::parse(&session.user.role).is_some_and(|r| allowed(r, purpose, action));
    let access = Access::of(session, purpose);
    if !ok || (action.recorded() && subject != Subject::Nothing) {
        let outcome = if ok { "allowed" } else { "refused" };
        access.note(state, action, subject, outcome).await?;
    }
    if ok {
        Ok(access)
    } else {
        Err(ServerError::Forbidden(describe(action).into()))
    }
}

/// [`Access::not_found`] before any access was granted: the handler looked the subject up in
/// its own organisation first (its type or audience decides) and found nothing.
pub async fn not_found(
    state: &Shared,
    session: &Session,
    purpose: Purpose,
    action: Action<'_>,
    subject: Subject<'_>,
    what: &str,
) -> ServerError {
    Access::of(session, purpose)
        .not_found(state, action, subject, what)
        .await
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::UsePortal => "use the portal",
        Action::ViewStaff => "see staff records",
        Action::ViewType(_) => "see records of this type",
        Action::CreateOffer => "create credential offers",
        Action::ReplaceDevice => "replace this person's phone",
        Action::Revoke(_) => "revoke this credential",
        Action::ViewReviewQueue => "see the review queue",
        Action::ResolveReview(_) => "resolve this review item",
        Action::ViewProfiles => "see the role profiles",
        Action::EditProfiles => "change role profiles",
        Action::EditLocalPeriods => "change the local CSTF renewal periods",
        Action::ViewTransfers => "see transfer requests",
        Action::ViewTransfer(_) | Action::PollTransfer(_) => "see this transfer request",
        Action::ExportReport { .. } => "export this report",
        Action::CreateTransfer => "create transfer requests",
        Action::DecideTransfer(_) => "record the decision on this transfer",
        Action::ViewAuditLog => "read the audit log",
        Action::AdministerTrustList => "administer the trust list",
        Action::ManageWebhooks => "manage the organisation's webhooks",
        Action::ViewChangeover => "see rotation changeovers",
        Action::ExportChangeover => "export this changeover",
        Action::ImportRotation => "import rotation lists",
        Action::SendReminders => "send reminders",
        Action::ViewTemporaryMovements => "see temporary arrangements",
        Action::CreateTemporaryMovement => "request temporary arrangements",
        Action::DecideTemporaryMovement => "decide on this temporary arrangement",
        Action::EndTemporaryMovement => "end this temporary arrangement",
        Action::ExportSubjectData => "export everything held about this person",
        Action::ErasePerson => "erase this person",
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
