//! The words and secrets of a fresh offer after a training placement changed (issue 7).
//!
//! When NHS England's TIS import supersedes or withdraws a `TrainingPlacement` a person held,
//! the store revokes the credential and, in the same transaction, offers the person's current
//! records anew ([`passport_store::Store::apply_import_reoffering`]) and queues two e-mails to
//! the address on record: the offer link in one, the transaction code in another, so a link
//! forwarded or seen over a shoulder is not enough on its own. (Both go to one mailbox: whoever
//! holds that mailbox can redeem the offer. The address is the one the TIS export gave when the
//! person was first imported; the credentials are bound to the wallet that redeems them.)
use crate::issuance::{random_token, random_tx_code};
use crate::portal::html::date;
use passport_store::{MailText, Reoffer, ReofferPerson, ReofferPlan};

/// Who offers: the organisation's name (in the e-mails) and its issuer identifier (the offer's
/// URI is `<issuer_id>/offers/<code>`).
#[derive(Debug, Clone)]
pub struct Reoffers {
    pub org_name: String,
    pub issuer_id: String,
    pub ttl_secs: i64,
}

impl Reoffers {
    /// A new offer's code, transaction code and e-mails for `person`.
    pub fn plan(&self, person: &ReofferPerson) -> ReofferPlan {
        let code = random_token();
        let tx_code = random_tx_code();
        let offer_uri = format!("{}/offers/{code}", self.issuer_id);
        let link = passport_oid4vci::offer_link(&offer_uri);
        let org = &self.org_name;
        let expires = date(person.expires_at);
        let name = &person.family_name;
        let offer = MailText {
            subject: format!("{org}: your training placement has changed"),
            text: format!(
                "Dear Dr {name},\r\n\r\n\
                 {org} has updated your training record: a placement changed or was removed, and \
                 the credential for it in your NHS Staff Passport wallet has been withdrawn.\r\n\r\n\
                 To receive your current training programme and placement credentials, open this \
                 link on the phone that holds your wallet:\r\n\r\n{link}\r\n\r\n\
                 Your wallet will ask for a transaction code: it comes in a separate e-mail. The \
                 offer works once, until {expires}.\r\n"
            ),
            html: None,
        };
        let code_mail = MailText {
            subject: format!("{org}: your transaction code"),
            text: format!(
                "Dear Dr {name},\r\n\r\n\
                 The transaction code for the credential offer {org} sent you in a separate e-mail \
                 is:\r\n\r\n{tx_code}\r\n\r\n\
                 Enter it in your wallet when it asks. After 5 wrong tries the offer stops \
                 working. Nobody from the NHS will ask you for this code.\r\n"
            ),
            html: None,
        };
        ReofferPlan {
            code,
            tx_code,
            mails: vec![offer, code_mail],
        }
    }

    /// The store's re-offer hook for an import of `kind`, planning with `plan` (a closure
    /// over [`Reoffers::plan`] the caller keeps alive for the import).
    pub fn hook<'a>(
        &self,
        plan: &'a (dyn Fn(&ReofferPerson) -> ReofferPlan + Sync),
        created_by: &'a str,
    ) -> Reoffer<'a> {
        Reoffer {
            plan,
            ttl_secs: self.ttl_secs,
            created_by,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_link_and_the_code_go_in_separate_mails() {
        let r = Reoffers {
            org_name: "NHS England".into(),
            issuer_id: "https://p.example/issuers/X24".into(),
            ttl_secs: 600,
        };
        let person = ReofferPerson {
            person_id: "p-1".into(),
            given_name: "Amara".into(),
            family_name: "Okafor".into(),
            email: "amara.okafor@nhs.example".into(),
            expires_at: 1_767_225_600,
        };
        let plan = r.plan(&person);
        assert_eq!(plan.tx_code.len(), 6);
        assert_eq!(plan.mails.len(), 2);
        let (offer, code) = (&plan.mails[0], &plan.mails[1]);
        assert!(offer
            .text
            .contains("openid-credential-offer://?credential_offer_uri="));
        assert!(offer
            .text
            .contains(&format!("X24%2Foffers%2F{}", plan.code)));
        assert!(!offer.text.contains(&plan.tx_code));
        assert!(code.text.contains(&plan.tx_code));
        assert!(!code.text.contains(&plan.code));
        assert_ne!(r.plan(&person).code, plan.code);
    }
}
