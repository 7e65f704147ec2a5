//! The Wallet's side of DCQL: "Selecting Claims and Credentials" (OpenID4VP 1.0 section 6.4).
use super::path::process_path;
use super::{ClaimsQuery, CredentialQuery, DcqlQuery, PathElement, FORMAT_SD_JWT_VC};
use serde_json::{Map, Value};

/// A held Credential that matches one Credential Query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialMatch {
    /// Index of the Credential in the slice given to [`select`].
    pub credential: usize,
    /// The concrete claim paths to disclose, without `null`s (section 6.4: Wallets MUST NOT
    /// send selectively disclosable claims that were not selected). Empty when the query has no
    /// `claims` (section 6.4.1: only what is mandatory to present).
    pub disclose: Vec<Vec<PathElement>>,
    /// The index of the `claim_sets` option satisfied (the first one that can be, as section
    /// 6.4.1 recommends), when the query has `claim_sets`.
    pub claim_set: Option<usize>,
}

/// The Credentials matching one Credential Query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCandidates {
    pub id: String,
    /// The query's `multiple`: whether more than one of `matches` may be returned.
    pub multiple: bool,
    pub matches: Vec<CredentialMatch>,
}

/// The outcome for one Credential Set Query (section 6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOutcome {
    pub required: bool,
    /// The first option whose Credential Queries all have a match, if any.
    pub option: Option<usize>,
}

/// What the Wallet can answer (section 6.4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Every Credential Query, in query order, with the held Credentials that match it.
    pub queries: Vec<QueryCandidates>,
    /// One entry per Credential Set Query, in order (empty without `credential_sets`).
    pub sets: Vec<SetOutcome>,
    /// Whether every non-optional Credential can be delivered: every Credential Query when there
    /// are no `credential_sets`, else every set whose `required` is true. When false the Wallet
    /// MUST NOT return any Credential (section 6.4.2): answer `access_denied` or nothing.
    pub satisfied: bool,
    /// The Credential Query ids to answer, in query order: all of them without
    /// `credential_sets`, else those of the chosen option of every set that has one (optional
    /// sets included when they can be met). Empty when not `satisfied`.
    pub requested: Vec<String>,
}

impl Selection {
    /// The matches of the Credential Query `id` (empty if none or unknown).
    pub fn matches(&self, id: &str) -> &[CredentialMatch] {
        self.queries
            .iter()
            .find(|q| q.id == id)
            .map_or(&[], |q| q.matches.as_slice())
    }

    /// Indices (into [`Selection::sets`]) of the required sets that cannot be met.
    pub fn unmet_required_sets(&self) -> Vec<usize> {
        (self.sets.iter().enumerate())
            .filter(|(_, s)| s.required && s.option.is_none())
            .map(|(i, _)| i)
            .collect()
    }

    /// The default answer without asking the End-User: for every requested query, its first
    /// match, or all of them when the query allows `multiple` (section 8.1: one Presentation
    /// unless `multiple` is true). A Wallet with a user interface lets the End-User choose
    /// among [`Selection::matches`] instead.
    pub fn answer(&self) -> Vec<(&str, Vec<&CredentialMatch>)> {
        self.requested
            .iter()
            .filter_map(|id| self.queries.iter().find(|q| &q.id == id))
            .map(|q| {
                let take = if q.multiple { q.matches.len() } else { 1 };
                (q.id.as_str(), q.matches.iter().take(take).collect())
            })
            .collect()
    }
}

/// Evaluates `query` against the held Credentials, each given as its `vct` and its processed
/// claims (the SD-JWT VC payload after every disclosure was applied, with `cnf`).
///
/// A Credential matches a Credential Query (sections 6.1, 6.3, 6.4.1 and appendix B.3) when:
/// the format is `dc+sd-jwt`; its `vct` is one of `meta.vct_values` (exact match: no type
/// inheritance); it has `cnf` if `require_cryptographic_holder_binding` is true (an SD-JWT
/// without `cnf` cannot carry a KB-JWT); and every claim of `claims` (or of the first `claim_sets`
/// option that can be met) exists and, with `values`, has one of them (type and value exactly
/// equal). With `null` in a path and `values`, only the matching elements are disclosed.
/// `trusted_authorities` is not evaluated: the passport's Credentials carry no X.509 chain.
pub fn select(query: &DcqlQuery, credentials: &[(String, Map<String, Value>)]) -> Selection {
    let queries: Vec<QueryCandidates> = query
        .credentials
        .iter()
        .map(|cq| QueryCandidates {
            id: cq.id.clone(),
            multiple: cq.multiple,
            matches: (credentials.iter().enumerate())
                .filter_map(|(i, (vct, claims))| match_credential(cq, vct, claims, i))
                .collect(),
        })
        .collect();
    let has_match = |id: &String| queries.iter().any(|q| &q.id == id && !q.matches.is_empty());
    let (sets, satisfied, mut chosen): (Vec<SetOutcome>, bool, Vec<&String>) =
        match &query.credential_sets {
            None => (
                Vec::new(),
                queries.iter().all(|q| !q.matches.is_empty()),
                query.credentials.iter().map(|c| &c.id).collect(),
            ),
            Some(set_queries) => {
                let sets: Vec<SetOutcome> = set_queries
                    .iter()
                    .map(|s| SetOutcome {
                        required: s.required,
                        option: s.options.iter().position(|o| o.iter().all(has_match)),
                    })
                    .collect();
                let satisfied = sets.iter().all(|s| !s.required || s.option.is_some());
                let chosen = (set_queries.iter().zip(&sets))
                    .filter_map(|(q, s)| s.option.map(|o| &q.options[o]))
                    .flatten()
                    .collect();
                (sets, satisfied, chosen)
            }
        };
    if !satisfied {
        chosen.clear();
    }
    let requested = (query.credentials.iter())
        .filter(|c| chosen.contains(&&c.id))
        .map(|c| c.id.clone())
        .collect();
    Selection {
        queries,
        sets,
        satisfied,
        requested,
    }
}

/// Whether the held Credential `index` matches `cq`, and what to disclose if it does.
pub(crate) fn match_credential(
    cq: &CredentialQuery,
    vct: &str,
    claims: &Map<String, Value>,
    index: usize,
) -> Option<CredentialMatch> {
    if cq.format != FORMAT_SD_JWT_VC {
        return None;
    }
    if !(cq.meta.vct_values.iter().flatten()).any(|v| v == vct) {
        return None;
    }
    if cq.require_cryptographic_holder_binding && !claims.contains_key("cnf") {
        return None;
    }
    let Some(claim_queries) = &cq.claims else {
        return Some(CredentialMatch {
            credential: index,
            disclose: Vec::new(),
            claim_set: None,
        });
    };
    let (disclose, claim_set) = match &cq.claim_sets {
        None => (satisfy_all(claim_queries.iter(), claims)?, None),
        Some(options) => options.iter().enumerate().find_map(|(i, option)| {
            let chosen = claim_queries
                .iter()
                .filter(|c| c.id.as_ref().is_some_and(|id| option.contains(id)));
            satisfy_all(chosen, claims).map(|d| (d, Some(i)))
        })?,
    };
    Some(CredentialMatch {
        credential: index,
        disclose,
        claim_set,
    })
}

/// The concrete paths to disclose for all of `claim_queries`, or `None` if one cannot be met.
fn satisfy_all<'a>(
    claim_queries: impl Iterator<Item = &'a ClaimsQuery>,
    claims: &Map<String, Value>,
) -> Option<Vec<Vec<PathElement>>> {
    let mut out: Vec<Vec<PathElement>> = Vec::new();
    for cq in claim_queries {
        let mut matched = false;
        for s in process_path(claims, &cq.path)? {
            if cq.values.as_ref().is_none_or(|vs| vs.contains(s.value)) {
                matched = true;
                if !out.contains(&s.path) {
                    out.push(s.path);
                }
            }
        }
        // Section 6.4.1: a claim whose value matches none of `values` is treated as absent.
        if !matched {
            return None;
        }
    }
    Some(out)
}
