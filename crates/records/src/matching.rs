//! Deciding whose record it is.
//!
//! There is no national employee number, and names differ between systems (ESR, TIS and ID
//! documents disagree for about one trainee in six). So a record joins an existing person
//! only when exactly one person holds its identifiers, nothing contradicts (names, date of
//! birth, a second regulator number) and at least one identifier is shared. Everything else
//! goes to a person, with a reason they can act on: never a silent merge.

use serde::{Deserialize, Serialize};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use crate::record::describe;
use crate::{Identifier, PersonDetails};

/// A person already known, as the store found them by one of the incoming identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The store's person ID.
    pub person_id: String,
    /// Forenames as stored.
    pub given_name: String,
    /// Surname as stored.
    pub family_name: String,
    /// `YYYY-MM-DD`, if known.
    pub date_of_birth: Option<String>,
    /// Every identifier the person holds.
    pub identifiers: Vec<Identifier>,
}

/// What to do with an incoming record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchDecision {
    /// Nobody holds these identifiers: a new person.
    New,
    /// This person, for certain.
    Existing(String),
    /// A person must decide; `candidates` are the person IDs in question.
    Review {
        /// What disagrees, in words for the person who resolves it.
        reason: String,
        /// The candidate person IDs, in the order given.
        candidates: Vec<String>,
    },
}

/// Decides whether the incoming record (its identifiers and, if any, personal details)
/// belongs to one of `candidates`.
///
/// - no candidate: [`MatchDecision::New`];
/// - one candidate sharing an identifier, names agreeing (after folding case, accents,
///   hyphens, apostrophes and spaces: surnames equal, or dates of birth and forenames
///   equal), dates of birth not different, and no identifier of a one-per-person scheme
///   (GMC, NMC, HCPC, a local system's ID) with another value: [`MatchDecision::Existing`];
/// - anything else: [`MatchDecision::Review`].
///
/// A record without personal details matches on identifiers alone. ESR person IDs and
/// assignment numbers never conflict, since a person holds one per ESR organisation and one
/// per assignment.
pub fn decide(
    incoming_ids: &[Identifier],
    incoming: Option<&PersonDetails>,
    candidates: &[Candidate],
) -> MatchDecision {
    let mut distinct: Vec<&Candidate> = Vec::new();
    for candidate in candidates {
        if !distinct.iter().any(|c| c.person_id == candidate.person_id) {
            distinct.push(candidate);
        }
    }
    match distinct.as_slice() {
        [] => MatchDecision::New,
        [one] => decide_one(incoming_ids, incoming, one),
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|c| {
                    format!(
                        "{} {} ({})",
                        c.person_id,
                        full_name(c),
                        why_found(incoming_ids, c)
                    )
                })
                .collect();
            MatchDecision::Review {
                reason: format!(
                    "{}{} people hold this record's identifiers: {}",
                    record_says(incoming),
                    many.len(),
                    listed.join("; ")
                ),
                candidates: many.iter().map(|c| c.person_id.clone()).collect(),
            }
        }
    }
}

fn decide_one(
    incoming_ids: &[Identifier],
    incoming: Option<&PersonDetails>,
    c: &Candidate,
) -> MatchDecision {
    let shared: Vec<&Identifier> = incoming_ids
        .iter()
        .filter(|id| c.identifiers.contains(id))
        .collect();
    let mut problems = Vec::new();
    let anchor = match shared.first() {
        Some(id) => id.label(),
        None => {
            problems.push(format!(
                "{} shares no identifier with the record (it has {})",
                c.person_id,
                labels(&c.identifiers)
            ));
            c.person_id.clone()
        }
    };
    for id in incoming_ids.iter().filter(|id| id.scheme.single_valued()) {
        let theirs: Vec<&Identifier> = c
            .identifiers
            .iter()
            .filter(|o| o.scheme == id.scheme)
            .collect();
        if !theirs.is_empty() && !theirs.contains(&id) {
            problems.push(format!(
                "the record has {}, but {} has {}",
                id.label(),
                c.person_id,
                theirs
                    .iter()
                    .map(|o| o.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(p) = incoming {
        let family = fold_name(&p.family_name) == fold_name(&c.family_name);
        let given = same_given_names(&p.given_name, &c.given_name);
        let births = (p.date_of_birth.as_deref(), c.date_of_birth.as_deref());
        let same_birth = matches!(births, (Some(a), Some(b)) if a == b);
        let other_birth = matches!(births, (Some(a), Some(b)) if a != b);
        if other_birth || !(family || (same_birth && given)) {
            problems.push(format!(
                "{anchor} is {} ({}), but the record says {}",
                candidate_details(c),
                c.person_id,
                describe(p)
            ));
        }
    }
    if problems.is_empty() {
        MatchDecision::Existing(c.person_id.clone())
    } else {
        MatchDecision::Review {
            reason: problems.join("; "),
            candidates: vec![c.person_id.clone()],
        }
    }
}

/// Forenames agree when equal after folding, or when their first names are (ESR holds
/// middle names that TIS often leaves out).
fn same_given_names(a: &str, b: &str) -> bool {
    let first = |s: &str| {
        s.split_whitespace()
            .next()
            .map(fold_name)
            .unwrap_or_default()
    };
    fold_name(a) == fold_name(b) || (!first(a).is_empty() && first(a) == first(b))
}

/// A name reduced to lower-case letters and digits without accents: `O'Brien-Smith`,
/// `obrien smith` and `Ó Brien Smith` are one name.
pub(crate) fn fold_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ß' => out.push_str("ss"),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {}
        }
    }
    out
}

fn full_name(c: &Candidate) -> String {
    format!("{} {}", c.given_name, c.family_name)
}

fn candidate_details(c: &Candidate) -> String {
    match &c.date_of_birth {
        Some(d) => format!("{}, born {d}", full_name(c)),
        None => full_name(c),
    }
}

/// The identifiers by which the candidate was found, or all of theirs if none is shared.
fn why_found(incoming_ids: &[Identifier], c: &Candidate) -> String {
    let shared: Vec<Identifier> = incoming_ids
        .iter()
        .filter(|id| c.identifiers.contains(id))
        .cloned()
        .collect();
    labels(if shared.is_empty() {
        &c.identifiers
    } else {
        &shared
    })
}

fn labels(ids: &[Identifier]) -> String {
    if ids.is_empty() {
        return "no identifiers".to_owned();
    }
    ids.iter()
        .map(Identifier::label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn record_says(incoming: Option<&PersonDetails>) -> String {
    incoming.map_or_else(String::new, |p| {
        format!("the record says {}; ", describe(p))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::IdScheme;

    fn id(text: &str) -> Identifier {
        text.parse().unwrap()
    }

    fn person(given: &str, family: &str, dob: Option<&str>) -> PersonDetails {
        PersonDetails {
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: dob.map(Into::into),
            email: None,
        }
    }

    fn candidate(
        pid: &str,
        given: &str,
        family: &str,
        dob: Option<&str>,
        ids: &[&str],
    ) -> Candidate {
        Candidate {
            person_id: pid.into(),
            given_name: given.into(),
            family_name: family.into(),
            date_of_birth: dob.map(Into::into),
            identifiers: ids.iter().map(|i| id(i)).collect(),
        }
    }

    fn review(decision: MatchDecision) -> (String, Vec<String>) {
        match decision {
            MatchDecision::Review { reason, candidates } => (reason, candidates),
            other => panic!("expected review, got {other:?}"),
        }
    }

    #[test]
    fn nobody_holds_the_identifiers() {
        let jane = person("Jane", "Smith", Some("1990-01-02"));
        assert_eq!(
            decide(&[id("esr-person:10000123")], Some(&jane), &[]),
            MatchDecision::New
        );
    }

    #[test]
    fn one_candidate_with_agreeing_names() {
        let ids = [id("gmc:9100001"), id("esr-person:10000101")];
        let c = candidate(
            "p-1",
            "José",
            "Álvarez-Ruiz",
            Some("1990-01-02"),
            &["esr-person:10000101"],
        );
        for (given, family) in [
            ("Jose", "alvarez ruiz"),
            ("JOSÉ", "Álvarez Ruiz"),
            ("josé", "ALVAREZRUIZ"),
        ] {
            let p = person(given, family, Some("1990-01-02"));
            assert_eq!(
                decide(&ids, Some(&p), std::slice::from_ref(&c)),
                MatchDecision::Existing("p-1".into())
            );
        }
        // Apostrophes, middle names left out, no date of birth on one side.
        let c = candidate("p-2", "Siobhan Mary", "O'Connell", None, &["gmc:9100002"]);
        let p = person("Siobhan", "OConnell", Some("1992-05-06"));
        assert_eq!(
            decide(&[id("gmc:9100002")], Some(&p), &[c]),
            MatchDecision::Existing("p-2".into())
        );
    }

    #[test]
    fn changed_surname_matches_on_birth_date_and_forenames() {
        let c = candidate(
            "p-1",
            "Jane",
            "Smith",
            Some("1990-01-02"),
            &["nmc:09Z0001E"],
        );
        let p = person("Jane", "Okoye", Some("1990-01-02"));
        assert_eq!(
            decide(&[id("nmc:09Z0001E")], Some(&p), std::slice::from_ref(&c)),
            MatchDecision::Existing("p-1".into())
        );
        // Without a date of birth to back it, a new surname is for a person to judge.
        let p = person("Jane", "Okoye", None);
        let (reason, candidates) = review(decide(&[id("nmc:09Z0001E")], Some(&p), &[c]));
        assert_eq!(candidates, ["p-1"]);
        assert_eq!(
            reason,
            "NMC 09Z0001E is Jane Smith, born 1990-01-02 (p-1), but the record says Jane Okoye"
        );
    }

    #[test]
    fn different_names_go_to_review() {
        let c = candidate(
            "p-1",
            "Jane",
            "Smith",
            Some("1990-01-02"),
            &["esr-person:10000123"],
        );
        let p = person("Jayne", "Smyth", None);
        let (reason, candidates) = review(decide(&[id("esr-person:10000123")], Some(&p), &[c]));
        assert_eq!(reason, "ESR person 10000123 is Jane Smith, born 1990-01-02 (p-1), but the record says Jayne Smyth");
        assert_eq!(candidates, ["p-1"]);
    }

    #[test]
    fn different_birth_dates_go_to_review_even_with_equal_names() {
        let c = candidate(
            "p-1",
            "Jane",
            "Smith",
            Some("1990-01-02"),
            &["esr-person:10000123"],
        );
        let p = person("Jane", "Smith", Some("1991-01-02"));
        let (reason, _) = review(decide(&[id("esr-person:10000123")], Some(&p), &[c]));
        assert!(
            reason.contains("born 1990-01-02") && reason.contains("born 1991-01-02"),
            "{reason}"
        );
    }

    #[test]
    fn a_conflicting_identifier_goes_to_review() {
        let c = candidate(
            "p-1",
            "Jane",
            "Smith",
            None,
            &["esr-person:10000123", "gmc:9100001"],
        );
        let p = person("Jane", "Smith", None);
        let ids = [id("gmc:9100009"), id("esr-person:10000123")];
        let (reason, candidates) = review(decide(&ids, Some(&p), &[c]));
        assert_eq!(
            reason,
            "the record has GMC 9100009, but p-1 has GMC 9100001"
        );
        assert_eq!(candidates, ["p-1"]);
        // Same for a local system's ID.
        let c = candidate(
            "p-2",
            "Ann",
            "Lee",
            None,
            &["local:RHQ/dsp:E1", "esr-person:10000200"],
        );
        let ids = [id("esr-person:10000200"), id("local:RHQ/dsp:E2")];
        assert!(matches!(
            decide(&ids, None, &[c]),
            MatchDecision::Review { .. }
        ));
    }

    #[test]
    fn other_esr_ids_are_not_conflicts() {
        // A doctor rotating in: same GMC number, an ESR person ID from another organisation.
        let c = candidate(
            "p-1",
            "Tomasz",
            "Kowalczyk",
            None,
            &[
                "gmc:9100002",
                "esr-person:10000102",
                "esr-assignment:20000102",
            ],
        );
        let p = person("Tom", "Kowalczyk", None);
        let ids = [
            id("gmc:9100002"),
            id("esr-person:30000999"),
            id("esr-assignment:30000999"),
        ];
        assert_eq!(
            decide(&ids, Some(&p), &[c]),
            MatchDecision::Existing("p-1".into())
        );
    }

    #[test]
    fn two_people_go_to_review_with_both_named() {
        let a = candidate("p-1", "Jane", "Smith", None, &["gmc:1234567"]);
        let b = candidate("p-2", "Jayne", "Smyth", None, &["esr-person:10000456"]);
        let ids = [id("gmc:1234567"), id("esr-person:10000456")];
        let p = person("Jane", "Smith", None);
        let (reason, candidates) = review(decide(&ids, Some(&p), &[a.clone(), b.clone(), a]));
        assert_eq!(candidates, ["p-1", "p-2"]);
        assert_eq!(
            reason,
            "the record says Jane Smith; 2 people hold this record's identifiers: \
             p-1 Jane Smith (GMC 1234567); p-2 Jayne Smyth (ESR person 10000456)"
        );
    }

    #[test]
    fn the_same_candidate_twice_is_one_candidate() {
        let c = candidate("p-1", "Jane", "Smith", None, &["esr-person:10000123"]);
        let p = person("Jane", "Smith", None);
        assert_eq!(
            decide(&[id("esr-person:10000123")], Some(&p), &[c.clone(), c]),
            MatchDecision::Existing("p-1".into())
        );
    }

    #[test]
    fn without_personal_details_identifiers_decide() {
        let c = candidate("p-1", "Jane", "Smith", None, &["esr-person:10000123"]);
        assert_eq!(
            decide(&[id("esr-person:10000123")], None, &[c]),
            MatchDecision::Existing("p-1".into())
        );
    }

    #[test]
    fn a_candidate_sharing_no_identifier_is_never_merged() {
        let c = candidate("p-1", "Jane", "Smith", None, &["esr-person:10000123"]);
        let p = person("Jane", "Smith", None);
        let (reason, _) = review(decide(&[id("gmc:1234567")], Some(&p), &[c]));
        assert_eq!(
            reason,
            "p-1 shares no identifier with the record (it has ESR person 10000123)"
        );
    }

    #[test]
    fn name_folding() {
        assert_eq!(fold_name("O'Brien-Smith"), "obriensmith");
        assert_eq!(fold_name("Ó Briain"), "obriain");
        assert_eq!(fold_name("Søren Łukasz Straße"), "sorenlukaszstrasse");
        assert_eq!(fold_name("ZOË"), "zoe");
        assert_eq!(IdScheme::Gmc.label(), "GMC");
    }
}
