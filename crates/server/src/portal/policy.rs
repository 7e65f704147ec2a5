//! Who may do what in the portal: the one place that decides.
//!
//! Every handler calls [`authorise`] before it reads or changes anything, and filters what it
//! shows with [`may`] (the same rules). Organisation scoping is not decided here: every store
//! call takes the signed-in user's own organisation, so another trust's ids are simply not
//! found (404).
//!
//! | Action | hr | training | oh | admin |
//! |---|---|---|---|---|
//! | use the portal, search staff, open a person | yes | yes | yes | yes |
//! | see records and credentials of an OH-only type (Vaccination, ClinicalTest, Observation) | no | no | yes | no |
//! | see records and credentials of any other type (OccupationalHealthClearance included) | yes | yes | yes | yes |
//! | create an offer | yes | no | no | yes |
//! | revoke a credential (of a type they may see) | yes | no | no | yes |
//! | see and resolve review items (of types they may see) | yes | no | yes | yes |
//! | see the role requirement profiles and the local CSTF renewal periods | yes | yes | yes | yes |
//! | create and change role requirement profiles | yes | no | no | yes |
//! | change the local CSTF renewal periods | no | yes | no | yes |
//! | see transfer requests and their reports (an OH team's request: OH only) | yes | yes | yes | yes |
//! | create a transfer request (OH users ask as the OH team) | yes | yes | yes | yes |
//! | record the decision on a report (an OH team's request: OH only) | yes | no | yes* | yes |
//!
//! *OH decides only on its own team's requests; HR and admins decide on HR requests.
//!
//! Anything else, and any role not in this table, is refused.
use crate::ServerError;
use passport_catalogue::Catalogue;
use passport_store::Session;

/// Something a portal user asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Sign in to pages: home, staff search, a person's page.
    UsePortal,
    /// See records (and issued credentials) of this catalogue type.
    ViewType(&'a str),
    /// Create a credential offer for a person.
    CreateOffer,
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
    /// Ask a person for their passport credentials for a role.
    CreateTransfer,
    /// Record acceptance (or not) of a report of a request of this audience.
    DecideTransfer(&'a str),
}

/// The roles a user can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Hr,
    Training,
    OccupationalHealth,
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        Some(match text {
            "hr" => Role::Hr,
            "training" => Role::Training,
            "oh" => Role::OccupationalHealth,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// Whether a role may see a record type: OH-only types to OH alone, others to every role.
/// A type not in the catalogue is shown to nobody.
fn may_view(role: Role, type_name: &str) -> bool {
    match Catalogue::nhs().by_name(type_name) {
        Some(t) if t.is_occupational_health_only() => role == Role::OccupationalHealth,
        Some(_) => true,
        None => false,
    }
}

/// The rules of the table above.
fn allowed(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::UsePortal => true,
        Action::ViewType(t) => may_view(role, t),
        Action::CreateOffer => matches!(role, Hr | Admin),
        Action::Revoke(t) => matches!(role, Hr | Admin) && may_view(role, t),
        Action::ViewReviewQueue => matches!(role, Hr | OccupationalHealth | Admin),
        Action::ResolveReview(t) => {
            matches!(role, Hr | OccupationalHealth | Admin) && may_view(role, t)
        }
        Action::ViewProfiles => true,
        Action::EditProfiles => matches!(role, Hr | Admin),
        Action::EditLocalPeriods => matches!(role, Training | Admin),
        Action::ViewTransfers | Action::CreateTransfer => true,
        Action::ViewTransfer(audience) => match audience {
            "hr" => true,
            "occupational-health" => role == OccupationalHealth,
            _ => false,
        },
        Action::DecideTransfer(audience) => match audience {
            "hr" => matches!(role, Hr | Admin),
            "occupational-health" => role == OccupationalHealth,
            _ => false,
        },
    }
}

/// Ok if the session's user may do `action`, else `Forbidden` (403).
pub fn authorise(session: &Session, action: Action) -> Result<(), ServerError> {
    let role = Role::parse(&session.user.role);
    if role.is_some_and(|r| allowed(r, action)) {
        Ok(())
    } else {
        Err(ServerError::Forbidden(describe(action).into()))
    }
}

/// [`authorise`] as a yes/no, for deciding what to show.
pub fn may(session: &Session, action: Action) -> bool {
    authorise(session, action).is_ok()
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::UsePortal => "use the portal",
        Action::ViewType(_) => "see records of this type",
        Action::CreateOffer => "create credential offers",
        Action::Revoke(_) => "revoke this credential",
        Action::ViewReviewQueue => "see the review queue",
        Action::ResolveReview(_) => "resolve this review item",
        Action::ViewProfiles => "see the role profiles",
        Action::EditProfiles => "change role profiles",
        Action::EditLocalPeriods => "change the local CSTF renewal periods",
        Action::ViewTransfers => "see transfer requests",
        Action::ViewTransfer(_) => "see this transfer request",
        Action::CreateTransfer => "create transfer requests",
        Action::DecideTransfer(_) => "record the decision on this transfer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use passport_store::User;

    fn session(role: &str) -> Session {
        Session {
            user: User {
                id: "u-1".into(),
                org: "RHQ".into(),
                username: "someone".into(),
                display_name: "Someone".into(),
                role: role.into(),
                password_hash: String::new(),
            },
            csrf: "c".into(),
            expires_at: 0,
        }
    }

    #[test]
    fn the_table() {
        let oh_only = ["Vaccination", "ClinicalTest", "Observation"];
        let others = [
            "OccupationalHealthClearance",
            "Employment",
            "DBSCheckOutcome",
        ];
        for role in ["hr", "training", "oh", "admin"] {
            let s = session(role);
            assert!(may(&s, Action::UsePortal), "{role}");
            for t in oh_only {
                assert_eq!(may(&s, Action::ViewType(t)), role == "oh", "{role} {t}");
                assert!(!may(&s, Action::Revoke(t)), "{role} revoke {t}");
                assert_eq!(
                    may(&s, Action::ResolveReview(t)),
                    role == "oh",
                    "{role} resolve {t}"
                );
            }
            for t in others {
                assert!(may(&s, Action::ViewType(t)), "{role} {t}");
                assert_eq!(
                    may(&s, Action::Revoke(t)),
                    matches!(role, "hr" | "admin"),
                    "{role} revoke {t}"
                );
                assert_eq!(
                    may(&s, Action::ResolveReview(t)),
                    matches!(role, "hr" | "oh" | "admin"),
                    "{role} resolve {t}"
                );
            }
            assert_eq!(
                may(&s, Action::CreateOffer),
                matches!(role, "hr" | "admin"),
                "{role}"
            );
            assert_eq!(
                may(&s, Action::ViewReviewQueue),
                role != "training",
                "{role}"
            );
            assert!(may(&s, Action::ViewProfiles), "{role}");
            assert_eq!(
                may(&s, Action::EditProfiles),
                matches!(role, "hr" | "admin"),
                "{role}"
            );
            assert_eq!(
                may(&s, Action::EditLocalPeriods),
                matches!(role, "training" | "admin"),
                "{role}"
            );
        }
    }

    #[test]
    fn transfer_requests_keep_oh_detail_with_oh() {
        for role in ["hr", "training", "oh", "admin"] {
            let s = session(role);
            assert!(may(&s, Action::ViewTransfers), "{role}");
            assert!(may(&s, Action::CreateTransfer), "{role}");
            assert!(may(&s, Action::ViewTransfer("hr")), "{role}");
            assert_eq!(
                may(&s, Action::ViewTransfer("occupational-health")),
                role == "oh",
                "{role}"
            );
            assert_eq!(
                may(&s, Action::DecideTransfer("hr")),
                matches!(role, "hr" | "admin"),
                "{role}"
            );
            assert_eq!(
                may(&s, Action::DecideTransfer("occupational-health")),
                role == "oh",
                "{role}"
            );
            assert!(!may(&s, Action::ViewTransfer("other")), "{role}");
        }
    }

    #[test]
    fn unknown_roles_and_types_get_nothing() {
        for role in ["", "HR", "root", "hr "] {
            let s = session(role);
            assert!(!may(&s, Action::UsePortal), "{role:?}");
            assert!(!may(&s, Action::ViewType("Employment")), "{role:?}");
            assert!(!may(&s, Action::ViewProfiles), "{role:?}");
            assert!(!may(&s, Action::EditProfiles), "{role:?}");
            assert!(!may(&s, Action::EditLocalPeriods), "{role:?}");
        }
        assert!(!may(&session("admin"), Action::ViewType("Salary")));
        assert!(matches!(
            authorise(&session("training"), Action::CreateOffer),
            Err(ServerError::Forbidden(_))
        ));
        assert!(matches!(
            authorise(&session("training"), Action::EditProfiles),
            Err(ServerError::Forbidden(_))
        ));
        assert!(matches!(
            authorise(&session("hr"), Action::EditLocalPeriods),
            Err(ServerError::Forbidden(_))
        ));
    }
}
