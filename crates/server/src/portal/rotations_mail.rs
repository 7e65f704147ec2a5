//! The words of a rotation's e-mails: the invitation each incoming doctor gets with their
//! request's link, and the reminder to those who have not answered. Plain text with an HTML
//! alternative; every value from the list is escaped in the HTML.
//!
//! The link is the same-device link the portal shows on a request's page
//! (`openid4vp://?client_id=...&request_uri=...`): on the phone holding the doctor's wallet it
//! opens the wallet, which shows who asks, what for, and lets them choose.
use super::html::{claim_date, date, html_escape};
use crate::verifier::request::invocation_url;
use crate::{ServerError, Shared};
use passport_store::MailText;
use serde_json::Value;

/// Who an e-mail is to and what it is about.
pub struct Invitee<'a> {
    pub surname: &'a str,
    pub start_date: &'a str,
    /// `FY2 in General Internal Medicine at R0A01 Eastbridge General Hospital`, when known.
    pub post: Option<String>,
}

/// The request's link with the `client_id` its request object was signed under.
pub fn link_of(
    state: &Shared,
    ods: &str,
    request_id: &str,
    request_object: &str,
) -> Result<String, ServerError> {
    let jws = passport_jose::jws::CompactJws::parse(request_object)
        .map_err(|e| ServerError::Internal(format!("stored request object: {e}")))?;
    let client_id = jws
        .payload
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(|| ServerError::Internal("stored request object has no client_id".into()))?;
    Ok(invocation_url(state, ods, request_id, client_id))
}

/// The invitation to share a passport for the post.
pub fn invitation(org_name: &str, who: &Invitee<'_>, link: &str, expires_at: i64) -> MailText {
    let start = claim_date(who.start_date);
    let post = who
        .post
        .as_ref()
        .map_or(String::new(), |p| format!(" as {p}"));
    let subject = format!("Your rotation to {org_name} on {start}: share your staff passport");
    let text = format!(
        "Dear Dr {surname},\r\n\r\n\
         {org_name} is expecting you from {start}{post}.\r\n\r\n\
         Before you start, please share your NHS Staff Passport, so the checks you have already \
         passed do not have to be repeated. On the phone that holds your NHS Staff Passport \
         wallet, open this link:\r\n\r\n{link}\r\n\r\n\
         Your wallet shows who is asking, what for, and lets you choose what to share. The link \
         works until {expires}.\r\n\r\n\
         If you were not expecting this e-mail, contact the medical staffing team at {org_name}.\r\n",
        surname = who.surname,
        expires = date(expires_at),
    );
    let html = format!(
        "<p>Dear Dr {surname},</p>\
         <p>{org} is expecting you from {start}{post}.</p>\
         <p>Before you start, please share your NHS Staff Passport, so the checks you have already \
         passed do not have to be repeated. On the phone that holds your NHS Staff Passport \
         wallet, <a href=\"{href}\">open your request</a>.</p>\
         <p>Your wallet shows who is asking, what for, and lets you choose what to share. The link \
         works until {expires}.</p>\
         <p>If you were not expecting this e-mail, contact the medical staffing team at {org}.</p>",
        surname = html_escape(who.surname),
        org = html_escape(org_name),
        start = html_escape(&start),
        post = html_escape(&post),
        href = html_escape(link),
        expires = date(expires_at),
    );
    MailText {
        subject,
        text,
        html: Some(html),
    }
}

/// A reminder to someone who has not answered yet.
pub fn reminder(org_name: &str, who: &Invitee<'_>, link: &str, expires_at: i64) -> MailText {
    let start = claim_date(who.start_date);
    let subject = format!("Reminder: share your staff passport with {org_name} before {start}");
    let text = format!(
        "Dear Dr {surname},\r\n\r\n\
         {org_name} has not yet received your NHS Staff Passport for your rotation starting \
         {start}. On the phone that holds your wallet, open this link:\r\n\r\n{link}\r\n\r\n\
         The link works until {expires}. If you have already shared, or you chose not to, \
         you can ignore this e-mail.\r\n",
        surname = who.surname,
        expires = date(expires_at),
    );
    let html = format!(
        "<p>Dear Dr {surname},</p>\
         <p>{org} has not yet received your NHS Staff Passport for your rotation starting \
         {start}. On the phone that holds your wallet, <a href=\"{href}\">open your request</a>.</p>\
         <p>The link works until {expires}. If you have already shared, or you chose not to, \
         you can ignore this e-mail.</p>",
        surname = html_escape(who.surname),
        org = html_escape(org_name),
        start = html_escape(&start),
        href = html_escape(link),
        expires = date(expires_at),
    );
    MailText {
        subject,
        text,
        html: Some(html),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_link_goes_out_whole_and_list_values_are_escaped_in_html() {
        let who = Invitee {
            surname: "O'Kafor <b>",
            start_date: "2026-08-05",
            post: Some("FY2 in General Internal Medicine".into()),
        };
        let link = "openid4vp://?client_id=x509_hash%3Aabc&request_uri=https%3A%2F%2Fp%2Fr&x=1";
        let m = invitation("Eastbridge (synthetic)", &who, link, 1_767_225_600);
        assert_eq!(
            m.subject,
            "Your rotation to Eastbridge (synthetic) on 5 August 2026: share your staff passport"
        );
        assert!(m.text.contains(&format!("\r\n\r\n{link}\r\n\r\n")));
        assert!(m.text.contains("as FY2 in General Internal Medicine."));
        let html = m.html.unwrap();
        assert!(html.contains("O&#39;Kafor &lt;b&gt;") && !html.contains("<b>"));
        assert!(html.contains("href=\"openid4vp://?client_id=x509_hash%3Aabc&amp;request_uri="));
        let r = reminder("Eastbridge (synthetic)", &who, link, 1_767_225_600);
        assert!(r.subject.starts_with("Reminder:"));
        assert!(r.text.contains(link) && r.text.contains("1 January 2026"));
    }
}
