//! Role profiles and local CSTF renewal periods in the portal, against the real server on
//! SQLite and PostgreSQL: who may see and change them, forged and wrong forms changing
//! nothing, another trust's profiles being not found, and saves that read back.
#![allow(clippy::unwrap_used)]
use super::tests::{client, password_hash, portals, Portal};
use passport_compliance::{
    default_profiles, BarredList, DbsLevel, LocalPeriods, ProfessionalBody, Requirement,
    RoleProfile,
};
use passport_store::StoredProfile;
use reqwest::{header, Client, StatusCode};

const NURSE: &str = "/portal/profiles/ward-nurse-band-5";
const PERIODS: &str = "/portal/settings/cstf-periods";

/// A valid form for a nurse post, as the browser posts it (one `cstf` per select).
fn nurse_form<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", name),
        ("description", "Surgical wards, <b>days</b> & nights."),
        ("exposure_prone", "yes"),
        ("require", "identity"),
        ("require", "right_to_work"),
        ("require", "employment"),
        ("require", "occupational_health"),
        ("dbs", "enhanced_with_barred_lists"),
        ("barred_list", "adults"),
        ("barred_list", "children"),
        ("body", "NMC"),
        ("cstf", ""),
        ("cstf", "Fire Safety|1"),
        ("cstf", "Safeguarding Adults|3"),
        ("cstf", ""),
        ("cstf", "Resuscitation|3|Adult"),
    ]
}

/// The profile [`nurse_form`] describes.
fn nurse(id: &str, name: &str) -> RoleProfile {
    let cstf = |subject: &str, level, qualifier: Option<&str>| Requirement::Cstf {
        subject: subject.into(),
        level,
        qualifier: qualifier.map(str::to_string),
    };
    RoleProfile {
        id: id.into(),
        name: name.into(),
        description: "Surgical wards, <b>days</b> & nights.".into(),
        doctor_in_training: false,
        exposure_prone: true,
        requirements: vec![
            Requirement::Identity {},
            Requirement::RightToWork {},
            Requirement::Employment {},
            Requirement::Dbs {
                level: DbsLevel::EnhancedWithBarredLists,
                barred_lists: vec![BarredList::Adults, BarredList::Children],
            },
            Requirement::ProfessionalRegistration {
                bodies: vec![ProfessionalBody::Nmc],
            },
            Requirement::OccupationalHealth {},
            cstf("Fire Safety", 1, None),
            cstf("Resuscitation", 3, Some("Adult")),
            cstf("Safeguarding Adults", 3, None),
        ],
    }
}

/// Every period at its national default, as the page posts it.
fn periods_form(csrf: &str, changes: &[(&str, u8, &str)]) -> Vec<(String, String)> {
    let mut form = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("action".to_string(), "save".to_string()),
    ];
    for p in LocalPeriods::national_defaults().periods() {
        let value = changes
            .iter()
            .find(|(s, l, _)| *s == p.subject && *l == p.level)
            .map_or_else(|| p.months.to_string(), |(_, _, v)| v.to_string());
        form.push((format!("period:{}:{}", p.subject, p.level), value));
    }
    form
}

/// What is stored for RHQ: its profiles and its periods.
async fn rhq(p: &Portal) -> (Vec<StoredProfile>, Option<String>) {
    (
        p.state.store.profiles("RHQ").await.unwrap(),
        p.state.store.local_periods("RHQ").await.unwrap(),
    )
}

async fn post<T: serde::Serialize + ?Sized>(
    p: &Portal,
    c: &Client,
    path: &str,
    form: &T,
) -> (StatusCode, String, String) {
    let r = c.post(p.url(path)).form(form).send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

#[tokio::test]
async fn hr_lists_profiles_and_saves_one_that_reads_back() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, home) = p.page(&c, "/portal").await;
        assert_eq!(status, StatusCode::OK);
        assert!(home.contains(r#"href="/portal/profiles">Role profiles</a>"#));

        let (status, list) = p.page(&c, "/portal/profiles").await;
        assert_eq!(status, StatusCode::OK);
        for d in default_profiles().unwrap() {
            assert!(
                list.contains(&format!(
                    r#"<a href="/portal/profiles/{}">{}</a>"#,
                    d.id,
                    super::html_escape(&d.name)
                )),
                "{}",
                d.id
            );
        }
        assert!(list.contains("Create a profile") && list.contains("Shipped default"));
        assert!(list.contains(r#"aria-current="page"><strong class="nhsuk-header__navigation-item-current-fallback">Role profiles"#));

        // A shipped profile: its summary and its form, filled in.
        let (status, page) = p.page(&c, "/portal/profiles/paediatric-registrar").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Resuscitation: Paediatric stream") && page.contains("Level 3 or above")
        );
        assert!(page.contains("Enhanced with the adults&#39; and children&#39;s barred lists"));
        assert!(page.contains(r#"<option value="Resuscitation|3|Paediatric" selected>"#));
        assert!(page.contains(r#"<option value="Resuscitation|2|Newborn" selected>"#));
        assert!(page.contains(r#"id="grade-ST4" name="grade" type="checkbox" value="ST4" checked"#));
        assert!(page.contains(r#"id="dbs-enhanced-with-barred-lists" name="dbs" type="radio" value="enhanced_with_barred_lists" checked"#));
        assert!(
            page.contains(r#"<form action="/portal/profiles/paediatric-registrar" method="post""#)
        );

        // Saving the nurse profile with new values.
        let name = "Staff nurse (band 5), surgical wards";
        let (status, location, _) = post(&p, &c, NURSE, &nurse_form(&csrf, name)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("{NURSE}?done=saved"));
        let stored = p
            .state
            .store
            .profile("RHQ", "ward-nurse-band-5")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            RoleProfile::from_json(&stored.body).unwrap(),
            nurse("ward-nurse-band-5", name)
        );
        assert_eq!(
            (stored.name.as_str(), stored.updated_by.as_str()),
            (name, "rhq.hr")
        );
        let (stored_all, _) = rhq(&p).await;
        assert_eq!(
            stored_all.len(),
            default_profiles().unwrap().len(),
            "the other shipped profiles are kept"
        );

        let (_, page) = p.page(&c, &location).await;
        assert!(page.contains("The profile has been saved"));
        assert!(page.contains("Surgical wards, &lt;b&gt;days&lt;/b&gt; &amp; nights."));
        assert!(!page.contains("<b>days</b>"), "escaped");
        assert!(page.contains("Required, including exposure-prone procedures (EPP) clearance"));
        assert!(page.contains("NMC (checked on the live register)"));
        assert!(page.contains(
            r#"id="exposure-prone" name="exposure_prone" type="checkbox" value="yes" checked"#
        ));
        assert!(page.contains(r#"<option value="Safeguarding Adults|3" selected>"#));
        assert!(page.contains(r#"<option value="Resuscitation|3|Adult" selected>"#));
        let (_, list) = p.page(&c, "/portal/profiles").await;
        assert!(
            list.contains("Staff nurse (band 5), surgical wards") && list.contains("by rhq.hr")
        );

        // A new profile, copied from it.
        let (status, copy) = p
            .page(&c, "/portal/profiles/new?from=ward-nurse-band-5")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(copy.contains(r#"value="Copy of Staff nurse (band 5), surgical wards""#));
        assert!(copy.contains(r#"<form action="/portal/profiles" method="post""#));
        let (status, location, _) = post(
            &p,
            &c,
            "/portal/profiles",
            &nurse_form(&csrf, "Theatre nurse"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/portal/profiles/theatre-nurse?done=created");
        let created = p
            .state
            .store
            .profile("RHQ", "theatre-nurse")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            RoleProfile::from_json(&created.body).unwrap(),
            nurse("theatre-nurse", "Theatre nurse")
        );
        // The same name again: refused, nothing changed.
        let before = rhq(&p).await;
        let (status, _, html) = post(
            &p,
            &c,
            "/portal/profiles",
            &nurse_form(&csrf, "Theatre  nurse!"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("A profile with this name already exists"));
        assert!(html.contains(r##"<a href="#name">"##));
        assert_eq!(rhq(&p).await, before);
    }
}

#[tokio::test]
async fn training_changes_periods_but_not_profiles() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.training").await;
        let (status, list) = p.page(&c, "/portal/profiles").await;
        assert_eq!(status, StatusCode::OK, "every role sees the profiles");
        assert!(!list.contains("Create a profile"));
        assert!(list.contains("See and change the renewal periods"));
        let (status, page) = p.page(&c, NURSE).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("<form action=\"/portal/profiles/"),
            "no edit form"
        );
        assert_eq!(
            p.page(&c, "/portal/profiles/new").await.0,
            StatusCode::FORBIDDEN
        );
        let before = rhq(&p).await;
        for (path, form) in [
            (NURSE, nurse_form(&csrf, "Changed by training")),
            ("/portal/profiles", nurse_form(&csrf, "Made by training")),
        ] {
            let (status, _, _) = post(&p, &c, path, &form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(rhq(&p).await, before, "no profile changed");

        // Periods: the form, a save that reads back, then back to the national defaults.
        let (status, page) = p.page(&c, PERIODS).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"name="period:Fire Safety:1" type="text" inputmode="numeric""#));
        assert!(page.contains(r#"id="period-fire-safety-1-national"><span class="nhsuk-u-visually-hidden">National default: </span>24 months"#));
        let form = periods_form(
            &csrf,
            &[("Fire Safety", 1, "12"), ("Resuscitation", 2, " 18 ")],
        );
        let (status, location, _) = post(&p, &c, PERIODS, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("{PERIODS}?done=saved"));
        let stored = p.state.store.local_periods("RHQ").await.unwrap().unwrap();
        let table = LocalPeriods::from_json(&stored).unwrap();
        assert_eq!(table.months("Fire Safety", 1), Some(12));
        assert_eq!(table.months("Resuscitation", 2), Some(18));
        assert_eq!(
            table.months("Moving and Handling", 2),
            Some(24),
            "default kept"
        );
        assert_eq!(
            serde_json::from_str::<Vec<serde_json::Value>>(&stored)
                .unwrap()
                .len(),
            2,
            "only the changes are stored: {stored}"
        );
        let (_, page) = p.page(&c, &location).await;
        assert!(page.contains("The renewal periods have been saved"));
        assert!(page.contains(r#"name="period:Fire Safety:1" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="12""#));

        // HR sees the periods (with the local one marked) but cannot change them.
        let (hr, hr_csrf) = p.sign_in("rhq.hr").await;
        let (status, page) = p.page(&hr, PERIODS).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains(r#"name="period:"#));
        assert!(
            page.contains(r#"12 months <strong class="nhsuk-tag nhsuk-tag--blue">Local</strong>"#)
        );
        assert!(page.contains("Only training staff and administrators can change"));
        let (status, _, _) = post(&p, &hr, PERIODS, &periods_form(&hr_csrf, &[])).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            p.state.store.local_periods("RHQ").await.unwrap(),
            Some(stored)
        );

        let (status, location, _) = post(
            &p,
            &c,
            PERIODS,
            &[("csrf", csrf.as_str()), ("action", "reset")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, format!("{PERIODS}?done=reset"));
        let stored = p.state.store.local_periods("RHQ").await.unwrap().unwrap();
        assert_eq!(
            LocalPeriods::from_json(&stored).unwrap(),
            LocalPeriods::national_defaults()
        );
        let (_, page) = p.page(&c, &location).await;
        assert!(page.contains("The renewal periods are the national defaults again"));
    }
}

#[tokio::test]
async fn occupational_health_changes_neither() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.oh").await;
        assert_eq!(p.page(&c, "/portal/profiles").await.0, StatusCode::OK);
        let (status, page) = p.page(&c, PERIODS).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains(r#"name="period:"#));
        assert_eq!(
            p.page(&c, "/portal/profiles/new").await.0,
            StatusCode::FORBIDDEN
        );
        let before = rhq(&p).await;
        for (path, form) in [
            (NURSE, nurse_form(&csrf, "Changed by OH")),
            ("/portal/profiles", nurse_form(&csrf, "Made by OH")),
        ] {
            let (status, _, html) = post(&p, &c, path, &form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert!(html.contains("You cannot do this"));
        }
        let (status, _, _) = post(
            &p,
            &c,
            PERIODS,
            &periods_form(&csrf, &[("Fire Safety", 1, "12")]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = post(
            &p,
            &c,
            PERIODS,
            &[("csrf", csrf.as_str()), ("action", "reset")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(rhq(&p).await, before, "nothing changed");
    }
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    for p in portals().await {
        let (hr, hr_csrf) = p.sign_in("rhq.hr").await;
        let (training, training_csrf) = p.sign_in("rhq.training").await;
        let before = rhq(&p).await;
        for token in ["", "forged", &hr_csrf[..hr_csrf.len() - 1], &training_csrf] {
            let mut form = nurse_form(token, "Forged");
            if token.is_empty() {
                form.remove(0);
            }
            for path in [NURSE, "/portal/profiles"] {
                let (status, _, html) = post(&p, &hr, path, &form).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{path} {token:?}");
                assert!(html.contains("The form could not be accepted"));
            }
        }
        for token in ["", "forged", &hr_csrf] {
            let form = periods_form(token, &[("Fire Safety", 1, "6")]);
            let (status, _, _) = post(&p, &training, PERIODS, &form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{token:?}");
            let (status, _, _) = post(
                &p,
                &training,
                PERIODS,
                &[("csrf", token), ("action", "reset")],
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{token:?}");
        }
        // Signed out, with a token that was valid: to the sign-in page, nothing done.
        let (status, location, _) =
            post(&p, &client(), NURSE, &nurse_form(&hr_csrf, "Forged")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/portal/login");
        assert_eq!(rhq(&p).await, before, "nothing changed");
    }
}

#[tokio::test]
async fn wrong_input_shows_the_error_summary_and_changes_nothing() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.admin").await;
        let before = rhq(&p).await;

        // No requirement at all.
        let (status, _, html) = post(
            &p,
            &c,
            NURSE,
            &[("csrf", csrf.as_str()), ("name", "Nurse"), ("dbs", "none")],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<title>Error: "));
        assert!(html.contains("There is a problem"));
        assert!(html.contains(r##"<a href="#req-identity">Select at least one requirement</a>"##));
        assert!(html.contains(r#"id="require-error""#), "the inline message");

        // A subject the framework does not have, posted by hand; a level that is not one.
        let mut form = nurse_form(&csrf, "Nurse");
        form.push(("cstf", "Underwater Basket Weaving|1"));
        let (status, _, html) = post(&p, &c, NURSE, &form).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(
            r##"<a href="#cstf-conflict-resolution">Underwater Basket Weaving is not a CSTF subject"##
        ));
        let mut form = nurse_form(&csrf, "Nurse");
        form.push(("cstf", "Fire Safety|2"));
        let (_, _, html) = post(&p, &c, NURSE, &form).await;
        assert!(html.contains(r##"<a href="#cstf-fire-safety">Fire Safety has no level 2"##));

        // Rules across fields: exposure-prone without OH, TIS for a non-doctor, no barred list.
        let form: Vec<(&str, &str)> = nurse_form(&csrf, "Nurse")
            .into_iter()
            .filter(|(k, v)| {
                !(*k == "require" && *v == "occupational_health") && *k != "barred_list"
            })
            .chain([("require", "training_programme")])
            .collect();
        let (_, _, html) = post(&p, &c, NURSE, &form).await;
        for (field, text) in [
            ("req-occupational-health", "an exposure-prone post needs it"),
            ("req-training-programme", "are for doctors in training"),
            ("barred-adults", "Select the barred lists"),
        ] {
            assert!(
                html.contains(&format!(r##"<a href="#{field}">"##)),
                "{field}"
            );
            assert!(html.contains(text), "{text}");
        }

        // A new profile without a name.
        let (status, _, html) = post(&p, &c, "/portal/profiles", &nurse_form(&csrf, " ")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(r##"<a href="#name">Enter a name for the profile</a>"##));
        assert_eq!(rhq(&p).await, before, "no profile changed");

        // Periods: 0, 500, not a number, empty, a subject the framework does not have.
        for (changes, extra, field, text) in [
            (
                vec![("Fire Safety", 1, "0")],
                None,
                "period-fire-safety-1",
                "enter a period from 1 to 120 months",
            ),
            (
                vec![("Fire Safety", 1, "500")],
                None,
                "period-fire-safety-1",
                "enter a period from 1 to 120 months",
            ),
            (
                vec![("Moving and Handling", 2, "99999999999")],
                None,
                "period-moving-and-handling-2",
                "from 1 to 120",
            ),
            (
                vec![("Resuscitation", 3, "twelve")],
                None,
                "period-resuscitation-3",
                "whole number of months",
            ),
            (
                vec![("Resuscitation", 3, "1.5")],
                None,
                "period-resuscitation-3",
                "whole number of months",
            ),
            (
                vec![("Safeguarding Children", 2, "")],
                None,
                "period-safeguarding-children-2",
                "Enter the renewal period",
            ),
            (
                vec![],
                Some(("period:Juggling:1", "12")),
                "period-conflict-resolution-1",
                "Juggling level 1 is not in the CSTF",
            ),
            (
                vec![],
                Some(("period:Fire Safety:2", "12")),
                "period-conflict-resolution-1",
                "Fire Safety level 2 is not in the CSTF",
            ),
        ] {
            let mut form = periods_form(&csrf, &changes);
            if let Some((k, v)) = extra {
                form.push((k.into(), v.into()));
            }
            let (status, _, html) = post(&p, &c, PERIODS, &form).await;
            assert_eq!(status, StatusCode::OK, "{field}");
            assert!(html.contains("There is a problem"), "{field}");
            assert!(
                html.contains(&format!(r##"<a href="#{field}">"##)),
                "{field}"
            );
            assert!(html.contains(text), "{text}");
            if let Some((_, _, typed)) = changes.first() {
                assert!(
                    html.contains(&format!(r#"value="{}""#, super::html_escape(typed.trim()))),
                    "what was typed is shown again: {typed}"
                );
            }
            assert_eq!(rhq(&p).await, before, "{field}: nothing changed");
        }
    }
}

#[tokio::test]
async fn another_trusts_profiles_are_not_found() {
    for p in portals().await {
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, _, _) = post(
            &p,
            &c,
            "/portal/profiles",
            &nurse_form(&csrf, "RHQ theatre recovery nurse"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let ours = "/portal/profiles/rhq-theatre-recovery-nurse";
        assert_eq!(p.page(&c, ours).await.0, StatusCode::OK);

        let (other, other_csrf) = p.sign_in("r0a.hr").await;
        let r0a_before = p.state.store.profiles("R0A").await.unwrap();
        let rhq_before = rhq(&p).await;
        let (status, html) = p.page(&other, ours).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("RHQ theatre recovery nurse"));
        assert_eq!(
            p.page(
                &other,
                "/portal/profiles/new?from=rhq-theatre-recovery-nurse"
            )
            .await
            .0,
            StatusCode::NOT_FOUND
        );
        let (status, _, _) = post(&p, &other, ours, &nurse_form(&other_csrf, "Taken over")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = p.page(&other, "/portal/profiles").await;
        assert!(!list.contains("RHQ theatre recovery nurse"));
        assert_eq!(p.state.store.profiles("R0A").await.unwrap(), r0a_before);
        assert_eq!(rhq(&p).await, rhq_before);
        assert_eq!(
            p.page(&other, "/portal/profiles/no-such-profile").await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn an_organisation_with_no_stored_profile_sees_the_defaults_and_keeps_them_on_save() {
    for p in portals().await {
        // NHS England (X24) receives no one, so nothing was seeded for it at start-up.
        let hash = password_hash().await;
        p.state
            .store
            .upsert_user("X24", "x24.hr", "Test hr user of X24", "hr", &hash, 1)
            .await
            .unwrap();
        assert!(p.state.store.profiles("X24").await.unwrap().is_empty());
        let (c, csrf) = p.sign_in("x24.hr").await;
        let (status, list) = p.page(&c, "/portal/profiles").await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains("has not saved its own profiles yet"));
        for d in default_profiles().unwrap() {
            assert!(list.contains(&format!(r#"href="/portal/profiles/{}""#, d.id)));
        }
        assert_eq!(p.page(&c, NURSE).await.0, StatusCode::OK);
        assert_eq!(
            p.page(&c, "/portal/profiles/new?from=ward-nurse-band-5")
                .await
                .0,
            StatusCode::OK
        );

        let (status, _, _) = post(&p, &c, NURSE, &nurse_form(&csrf, "Nurse")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stored = p.state.store.profiles("X24").await.unwrap();
        assert_eq!(stored.len(), default_profiles().unwrap().len(), "all kept");
        for s in &stored {
            let profile = RoleProfile::from_json(&s.body).unwrap();
            if s.id == "ward-nurse-band-5" {
                assert_eq!(profile, nurse("ward-nurse-band-5", "Nurse"));
                assert_eq!(s.updated_by, "x24.hr");
            } else {
                assert!(default_profiles().unwrap().contains(&profile), "{}", s.id);
            }
        }
        let (_, list) = p.page(&c, "/portal/profiles").await;
        assert!(!list.contains("has not saved its own profiles yet"));
        assert!(p
            .state
            .store
            .profiles("RHQ")
            .await
            .unwrap()
            .iter()
            .all(|s| s.updated_by != "x24.hr"));
    }
}

#[tokio::test]
async fn a_stored_profile_that_cannot_be_read_is_shown_and_can_be_saved_again() {
    for p in portals().await {
        p.state
            .store
            .save_profile(
                "RHQ",
                "broken",
                "Broken <profile>",
                "{not json",
                "someone",
                1,
            )
            .await
            .unwrap();
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, list) = p.page(&c, "/portal/profiles").await;
        assert_eq!(status, StatusCode::OK);
        assert!(list.contains("Cannot be read") && list.contains("Broken &lt;profile&gt;"));
        let (status, page) = p.page(&c, "/portal/profiles/broken").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("This profile cannot be read"));
        assert!(page.contains(r#"value="Broken &lt;profile&gt;""#));
        let (status, _, _) = post(
            &p,
            &c,
            "/portal/profiles/broken",
            &nurse_form(&csrf, "Mended"),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let stored = p
            .state
            .store
            .profile("RHQ", "broken")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            RoleProfile::from_json(&stored.body).unwrap(),
            nurse("broken", "Mended")
        );
    }
}
