//! The list's lookup by issuer identifier, built once on first use.
//!
//! A national list holds a few hundred organisations and every presentation looks its issuer
//! up, so a scan of the list (a string comparison per organisation) would cost a verification
//! more than everything else but the signatures. The index maps an issuer identifier to its
//! position; it is a cache and never the authority: a hit is returned only if the organisation
//! at that position has that issuer identifier, and anything else (a miss, or a list changed
//! after the index was built) is answered by scanning the list, so a lookup always answers what
//! the scan would.
use crate::Organisation;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Issuer identifier to position in `organisations`; equal to every other index and cloned
/// empty (it is rebuilt from the list it belongs to).
#[derive(Default)]
pub(crate) struct IssuerIndex(OnceLock<HashMap<Box<str>, usize>>);

impl IssuerIndex {
    pub(crate) fn find<'a>(&self, orgs: &'a [Organisation], iss: &str) -> Option<&'a Organisation> {
        let index = self.0.get_or_init(|| {
            let mut map = HashMap::with_capacity(orgs.len());
            for (i, o) in orgs.iter().enumerate() {
                // The first of duplicates, as a scan finds it (a valid list has none).
                map.entry(o.issuer.as_str().into()).or_insert(i);
            }
            map
        });
        index
            .get(iss)
            .and_then(|&i| orgs.get(i))
            .filter(|o| o.issuer == iss)
            .or_else(|| orgs.iter().find(|o| o.issuer == iss))
    }
}

impl Clone for IssuerIndex {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for IssuerIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for IssuerIndex {}

impl std::fmt::Debug for IssuerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuerIndex")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::{OrgKind, Organisation, TrustList};
    use passport_jose::Jwks;

    fn org(i: usize) -> Organisation {
        Organisation {
            ods_code: format!("R{i:03}"),
            name: format!("Synthetic trust {i}"),
            kind: OrgKind::Trust,
            issuer: format!("https://passport.example/issuers/R{i:03}"),
            jwks: Jwks { keys: vec![] },
            may_issue: vec![],
            may_verify: true,
        }
    }

    /// What the index must always answer: the first organisation with that issuer, by scan.
    fn scan<'a>(list: &'a TrustList, iss: &str) -> Option<&'a Organisation> {
        list.organisations.iter().find(|o| o.issuer == iss)
    }

    fn agrees(list: &TrustList) {
        for i in 0..320 {
            let iss = format!("https://passport.example/issuers/R{i:03}");
            assert_eq!(list.by_issuer(&iss), scan(list, &iss), "{iss}");
        }
        for iss in ["", "https://passport.example/issuers/", "R001"] {
            assert_eq!(list.by_issuer(iss), None);
        }
    }

    #[test]
    fn a_national_sized_list_answers_as_a_scan_would() {
        let list = TrustList::new(1, 0, 10, (0..300).map(org).collect());
        agrees(&list);
        assert_eq!(
            list.by_issuer("https://passport.example/issuers/R123")
                .map(|o| o.ods_code.as_str()),
            Some("R123")
        );
        // Read back from its JSON, and cloned after its index was built: the same answers.
        let text = serde_json::to_string(&list).unwrap();
        assert!(
            !text.contains("issuers\":"),
            "the index is not part of the document"
        );
        let read: TrustList = serde_json::from_str(&text).unwrap();
        assert_eq!(read, list);
        agrees(&read);
        agrees(&list.clone());
    }

    #[test]
    fn a_list_changed_after_its_index_was_built_still_answers_as_a_scan_would() {
        let mut list = TrustList::new(1, 0, 10, (0..300).map(org).collect());
        agrees(&list);
        list.organisations.push(org(310));
        agrees(&list);
        list.organisations.swap(5, 250);
        list.organisations[7].issuer = "https://passport.example/issuers/moved".into();
        agrees(&list);
        assert_eq!(
            list.by_issuer("https://passport.example/issuers/moved")
                .map(|o| o.ods_code.as_str()),
            Some("R007")
        );
        list.organisations.truncate(100);
        agrees(&list);
        // Duplicates (which a valid list never has): the first, as a scan finds it.
        let mut dup = TrustList::new(1, 0, 10, vec![org(1), org(2), org(1)]);
        dup.organisations[2].name = "second".into();
        agrees(&dup);
        assert_eq!(
            dup.by_issuer(&org(1).issuer).unwrap().name,
            "Synthetic trust 1"
        );
    }
}
