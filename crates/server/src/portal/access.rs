//! The audit side of [`super::policy::authorise`]: what an access is about, and the [`Access`]
//! it grants, which records what is then done with it (or that its subject was not there).
use super::policy::{Action, Purpose};
use crate::{now, ServerError, Shared};
use passport_store::{AuditEvent, Session};

/// What an access is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// Nothing personal is shown (a blank form): an allowed access is not recorded.
    Nothing,
    /// The organisation's lists and settings as a whole.
    Organisation,
    /// A person (id).
    Person(&'a str),
    /// A transfer request (id).
    Request(&'a str),
    /// An item of the review queue (id).
    ReviewItem(&'a str),
    /// A rotation changeover and its cohort (id).
    Changeover(&'a str),
    /// A staff search for this text.
    Search(&'a str),
}

/// Proof that an access was decided and recorded, for the organisation it was decided in.
#[derive(Debug)]
pub struct Access {
    org: String,
    actor_id: String,
    actor_name: String,
    role: String,
    purpose: Purpose,
}

impl Access {
    pub(super) fn of(session: &Session, purpose: Purpose) -> Access {
        Access {
            org: session.user.org.clone(),
            actor_id: session.user.id.clone(),
            actor_name: session.user.username.clone(),
            role: session.user.role.clone(),
            purpose,
        }
    }

    /// The organisation the access was decided in: the only one to read from.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// Records what was done under this access (`done`): a revocation, an offer, a decision.
    pub async fn record(
        &self,
        state: &Shared,
        event: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), ServerError> {
        self.append(state, event, subject, "done", detail).await
    }

    /// The subject was not found in the organisation (a guessed id, or another trust's): the
    /// attempt is recorded as `not-found` and the answer is 404 (or the recording's error).
    pub async fn not_found(
        &self,
        state: &Shared,
        action: Action<'_>,
        subject: Subject<'_>,
        what: &str,
    ) -> ServerError {
        match self.note(state, action, subject, "not-found").await {
            Ok(()) => ServerError::NotFound(what.into()),
            Err(e) => e,
        }
    }

    /// Records `action` about `subject` with `outcome` (`allowed`, `refused`, `not-found`).
    pub(super) async fn note(
        &self,
        state: &Shared,
        action: Action<'_>,
        subject: Subject<'_>,
        outcome: &str,
    ) -> Result<(), ServerError> {
        let detail = subject_detail(subject, action);
        self.append(state, action.name(), subject_id(subject), outcome, &detail)
            .await
    }

    async fn append(
        &self,
        state: &Shared,
        action: &str,
        subject: &str,
        outcome: &str,
        detail: &str,
    ) -> Result<(), ServerError> {
        let event = AuditEvent {
            org: &self.org,
            actor_id: &self.actor_id,
            actor_name: &self.actor_name,
            role: &self.role,
            action,
            subject,
            purpose: self.purpose.as_str(),
            outcome,
            detail,
        };
        state.store.append_audit(&event, now()).await?;
        Ok(())
    }
}

fn subject_id(subject: Subject<'_>) -> &str {
    match subject {
        Subject::Person(id)
        | Subject::Request(id)
        | Subject::ReviewItem(id)
        | Subject::Changeover(id) => id,
        Subject::Nothing | Subject::Organisation | Subject::Search(_) => "",
    }
}

/// What an entry says about its subject. Never personal data: the chain cannot be edited, so
/// what it holds stays for good, even after the person is erased. A search is recorded by its
/// kind, not its text (a name or an identifier).
fn subject_detail(subject: Subject<'_>, action: Action<'_>) -> String {
    let mut parts = Vec::new();
    match subject {
        Subject::Search(q) if q.chars().any(|c| c.is_ascii_digit()) => {
            parts.push("search by identifier".to_string())
        }
        Subject::Search(_) => parts.push("search by name".to_string()),
        Subject::ReviewItem(_) => parts.push("review item".to_string()),
        Subject::Changeover(_) => parts.push("changeover".to_string()),
        _ => {}
    }
    let own = action.detail();
    if !own.is_empty() {
        parts.push(own);
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_recorded_by_its_kind_never_its_text() {
        let by_name = subject_detail(Subject::Search("Okafor"), Action::ViewStaff);
        assert_eq!(by_name, "search by name");
        let by_id = subject_detail(Subject::Search("9100001"), Action::ViewStaff);
        assert_eq!(by_id, "search by identifier");
        let person = subject_detail(Subject::Person("p-1"), Action::ViewStaff);
        assert_eq!(person, "");
    }
}
