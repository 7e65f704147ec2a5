//! The table of `policy.rs`, written out again cell by cell: every role against every action,
//! and the purposes each action may serve.
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

const ROLES: [&str; 7] = [
    "admin",
    "hr",
    "medical-staffing",
    "training",
    "oh",
    "auditor",
    "registry-admin",
];

/// One row of the table: the action and, per role in [`ROLES`] order, whether it is allowed.
fn rows() -> Vec<(Action<'static>, [bool; 7])> {
    const Y: bool = true;
    const N: bool = false;
    vec![
        (Action::UsePortal, [Y, Y, Y, Y, Y, Y, Y]),
        (Action::ViewStaff, [Y, Y, Y, Y, Y, N, N]),
        (Action::ViewType("Vaccination"), [N, N, N, N, Y, N, N]),
        (Action::ViewType("ClinicalTest"), [N, N, N, N, Y, N, N]),
        (Action::ViewType("Observation"), [N, N, N, N, Y, N, N]),
        (
            Action::ViewType("OccupationalHealthClearance"),
            [Y, Y, Y, Y, Y, N, N],
        ),
        (Action::ViewType("Employment"), [Y, Y, Y, Y, Y, N, N]),
        (Action::ViewType("DBSCheckOutcome"), [Y, Y, Y, Y, Y, N, N]),
        (Action::ViewType("Salary"), [N, N, N, N, N, N, N]),
        (Action::CreateOffer, [Y, Y, Y, N, N, N, N]),
        (Action::ReplaceDevice, [Y, Y, Y, N, N, N, N]),
        (Action::Revoke("Employment"), [Y, Y, Y, N, N, N, N]),
        (Action::Revoke("Vaccination"), [N, N, N, N, N, N, N]),
        (Action::ViewReviewQueue, [Y, Y, N, N, Y, N, N]),
        (Action::ResolveReview("Employment"), [Y, Y, N, N, Y, N, N]),
        (Action::ResolveReview("Vaccination"), [N, N, N, N, Y, N, N]),
        (Action::ViewProfiles, [Y, Y, Y, Y, Y, N, N]),
        (Action::EditProfiles, [Y, Y, Y, N, N, N, N]),
        (Action::EditLocalPeriods, [Y, N, N, Y, N, N, N]),
        (Action::ViewTransfers, [Y, Y, Y, Y, Y, N, N]),
        (Action::ViewChangeover, [Y, Y, Y, N, N, N, N]),
        (Action::ExportChangeover, [Y, Y, Y, N, N, N, N]),
        (Action::ImportRotation, [Y, Y, Y, N, N, N, N]),
        (Action::SendReminders, [Y, Y, Y, N, N, N, N]),
        (Action::CreateTransfer, [Y, Y, Y, Y, Y, N, N]),
        (Action::ViewTransfer("hr"), [Y, Y, Y, Y, Y, N, N]),
        (
            Action::ViewTransfer("occupational-health"),
            [N, N, N, N, Y, N, N],
        ),
        (Action::ViewTransfer("other"), [N, N, N, N, N, N, N]),
        (Action::PollTransfer("hr"), [Y, Y, Y, Y, Y, N, N]),
        (
            Action::PollTransfer("occupational-health"),
            [N, N, N, N, Y, N, N],
        ),
        (
            Action::ExportReport {
                audience: "hr",
                format: "csv",
            },
            [Y, Y, Y, Y, Y, N, N],
        ),
        (
            Action::ExportReport {
                audience: "occupational-health",
                format: "json",
            },
            [N, N, N, N, Y, N, N],
        ),
        (Action::DecideTransfer("hr"), [Y, Y, Y, N, N, N, N]),
        (
            Action::DecideTransfer("occupational-health"),
            [N, N, N, N, Y, N, N],
        ),
        (Action::DecideTransfer("other"), [N, N, N, N, N, N, N]),
        (Action::ViewAuditLog, [Y, N, N, N, N, Y, N]),
        (Action::AdministerTrustList, [N, N, N, N, N, N, Y]),
        (Action::ExportSubjectData, [Y, N, N, N, N, N, N]),
        (Action::ErasePerson, [Y, N, N, N, N, N, N]),
        (Action::ViewTemporaryMovements, [Y, Y, Y, Y, Y, N, N]),
        (Action::CreateTemporaryMovement, [Y, Y, Y, N, N, N, N]),
        (Action::DecideTemporaryMovement, [Y, Y, Y, N, N, N, N]),
        (Action::EndTemporaryMovement, [Y, Y, Y, N, N, N, N]),
    ]
}

/// The purpose each action is done for in the portal's handlers.
fn usual_purpose(action: Action) -> Purpose {
    match action {
        Action::UsePortal | Action::ViewStaff | Action::ViewType(_) => Purpose::Review,
        Action::ViewReviewQueue | Action::ResolveReview(_) => Purpose::Review,
        Action::CreateOffer | Action::Revoke(_) | Action::ReplaceDevice => Purpose::Issue,
        Action::ViewProfiles
        | Action::EditProfiles
        | Action::EditLocalPeriods
        | Action::AdministerTrustList => Purpose::Administration,
        Action::ViewAuditLog => Purpose::Audit,
        Action::ExportSubjectData | Action::ErasePerson => Purpose::SubjectAccess,
        _ => Purpose::Transfer,
    }
}

#[test]
fn every_role_against_every_action() {
    for (action, expected) in rows() {
        for (role, want) in ROLES.iter().zip(expected) {
            let r = Role::parse(role).unwrap_or_else(|| panic!("{role} parses"));
            assert_eq!(r.as_str(), *role);
            assert_eq!(may(&session(role), action), want, "{role} {action:?}");
            assert_eq!(
                allowed(r, usual_purpose(action), action),
                want,
                "{role} {action:?} for its usual purpose"
            );
        }
    }
}

#[test]
fn a_purpose_that_does_not_fit_the_action_is_refused() {
    let all = [
        Purpose::Issue,
        Purpose::Transfer,
        Purpose::Review,
        Purpose::Administration,
        Purpose::Audit,
        Purpose::SubjectAccess,
    ];
    for (action, _) in rows() {
        for purpose in all {
            let fits = match action {
                Action::UsePortal => true,
                Action::ViewStaff | Action::ViewType(_) => matches!(
                    purpose,
                    Purpose::Review | Purpose::Issue | Purpose::SubjectAccess
                ),
                Action::ViewAuditLog => {
                    matches!(purpose, Purpose::Audit | Purpose::SubjectAccess)
                }
                other => purpose == usual_purpose(other),
            };
            assert_eq!(purpose.serves(action), fits, "{action:?} for {purpose:?}");
            if !fits {
                for role in Role::ALL {
                    assert!(
                        !allowed(role, purpose, action),
                        "{role:?} {action:?} {purpose:?}"
                    );
                }
            }
        }
    }
    // Audit is never a reason to open a person's records, nor transfer work to read the log.
    assert!(!allowed(Role::Admin, Purpose::Audit, Action::ViewStaff));
    assert!(!allowed(
        Role::Auditor,
        Purpose::Transfer,
        Action::ViewAuditLog
    ));
    assert!(!allowed(Role::Hr, Purpose::Transfer, Action::CreateOffer));
}

#[test]
fn subject_access_is_for_admins_only() {
    for role in Role::ALL {
        let admin = role == Role::Admin;
        assert_eq!(
            allowed(role, Purpose::SubjectAccess, Action::ViewStaff),
            admin,
            "{role:?}"
        );
        assert_eq!(
            allowed(role, Purpose::SubjectAccess, Action::ViewAuditLog),
            admin,
            "{role:?}"
        );
        assert!(!allowed(
            role,
            Purpose::SubjectAccess,
            Action::ViewType("Vaccination")
        ));
        // The export and erasure are subject access work and nothing else.
        for action in [Action::ExportSubjectData, Action::ErasePerson] {
            assert_eq!(allowed(role, Purpose::SubjectAccess, action), admin);
            assert!(
                !allowed(role, Purpose::Review, action),
                "{role:?} {action:?}"
            );
            assert!(!allowed(role, Purpose::Administration, action));
        }
    }
}

#[test]
fn the_roles_accounts_may_hold_are_the_roles_this_table_knows() {
    let mut stored: Vec<&str> = passport_store::ROLES.to_vec();
    let mut here: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    stored.sort_unstable();
    here.sort_unstable();
    assert_eq!(stored, here);
    assert_eq!(ROLES.len(), Role::ALL.len());
}

#[test]
fn unknown_roles_get_nothing() {
    for role in [
        "",
        "HR",
        "root",
        "hr ",
        "Admin",
        "medical_staffing",
        "registry",
    ] {
        assert!(Role::parse(role).is_none(), "{role:?}");
        let s = session(role);
        for (action, _) in rows() {
            assert!(!may(&s, action), "{role:?} {action:?}");
        }
    }
}

#[test]
fn only_reads_and_changes_of_personal_data_are_recorded_when_allowed() {
    for (action, _) in rows() {
        let quiet = matches!(
            action,
            Action::UsePortal
                | Action::ViewType(_)
                | Action::ViewProfiles
                | Action::EditProfiles
                | Action::EditLocalPeriods
                | Action::PollTransfer(_)
        );
        assert_eq!(action.recorded(), !quiet, "{action:?}");
    }
    assert_eq!(
        Action::ExportReport {
            audience: "hr",
            format: "csv"
        }
        .detail(),
        "audience hr, csv"
    );
    assert_eq!(Action::Revoke("Employment").detail(), "type Employment");
    assert_eq!(Action::Revoke("").detail(), "");
    assert_eq!(
        Action::ExportReport {
            audience: "",
            format: "json"
        }
        .detail(),
        "json"
    );
}
