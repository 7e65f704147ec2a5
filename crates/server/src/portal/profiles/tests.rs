//! Unit tests of the profile form without a server: ids from names, every shipped profile
//! going through the form and back unchanged, the CSTF selects covering the national table
//! (with unique ids), errors landing on the fields they are about, and barred lists accepted
//! only with the level that checks them. The pages themselves are tested against the real
//! server in `portal/profiles_tests.rs`.
#![allow(clippy::unwrap_used)]
use super::errors::FormError;
use super::fields::{cstf_slots, dbs_value, Slot};
use super::form::ProfileForm;
use super::profile_id;
use passport_compliance::{default_profiles, BarredList, DbsLevel, LocalPeriods, Requirement};

#[test]
fn ids_are_slugs_of_the_name() {
    assert_eq!(
        profile_id("Staff nurse (band 5), medical wards"),
        "staff-nurse-band-5-medical-wards"
    );
    assert_eq!(profile_id("  Médecin FY1 "), "m-decin-fy1");
    assert_eq!(profile_id("!!!"), "");
    assert_eq!(profile_id("New"), "new-profile");
    let long = profile_id(&"a ".repeat(100));
    assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
}

#[test]
fn every_default_profile_survives_the_form_unchanged() {
    for p in default_profiles().unwrap() {
        let form = ProfileForm::from_profile(&p);
        let (back, errors) = form.build(&p.id);
        assert!(errors.is_empty(), "{}: {errors:?}", p.id);
        assert_eq!(back, p, "{}", p.id);
    }
}

#[test]
fn the_form_offers_every_subject_and_the_resuscitation_streams() {
    let slots = cstf_slots();
    let national = LocalPeriods::national_defaults();
    for p in national.periods() {
        assert!(
            slots
                .iter()
                .any(|s| s.subject == p.subject && s.levels.contains(&p.level)),
            "{} {}",
            p.subject,
            p.level
        );
    }
    let streams: Vec<_> = slots.iter().filter(|s| s.qualifier.is_some()).collect();
    assert_eq!(streams.len(), 3);
    assert!(streams.iter().all(|s| s.levels == vec![2, 3]));
    let ids: Vec<String> = slots.iter().map(Slot::id).collect();
    assert!(ids.contains(&"cstf-resuscitation-paediatric".to_string()));
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are unique");
}

#[test]
fn errors_name_their_fields() {
    let form = ProfileForm {
        name: String::new(),
        exposure_prone: true,
        checks: vec!["training_programme".into()],
        grades: vec!["FY1".into()],
        dbs: dbs_value(DbsLevel::EnhancedWithBarredLists).into(),
        cstf: vec!["Underwater Basket Weaving|1".into(), "Fire Safety|x".into()],
        ..ProfileForm::default()
    };
    let (_, errors) = form.build("p");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for expected in [
        "name",
        "req-training-placement",
        "req-training-programme",
        "barred-adults",
        "cstf-fire-safety",
        "cstf-conflict-resolution",
    ] {
        assert!(fields.contains(&expected), "{expected}: {errors:?}");
    }
    let (_, errors) = ProfileForm {
        name: "Empty".into(),
        ..ProfileForm::default()
    }
    .build("empty");
    assert_eq!(
        errors,
        vec![FormError::new(
            "Select at least one requirement",
            "req-identity"
        )]
    );
}

#[test]
fn barred_lists_need_their_level() {
    for dbs in ["none", "enhanced"] {
        let form = ProfileForm {
            name: "Porter".into(),
            checks: vec!["identity".into()],
            dbs: dbs.into(),
            barred_lists: vec!["adults".into()],
            ..ProfileForm::default()
        };
        let (_, errors) = form.build("porter");
        assert_eq!(errors.len(), 1, "{dbs}: {errors:?}");
        assert_eq!(errors[0].field, "barred-adults", "{dbs}");
    }
    let form = ProfileForm {
        name: "Porter".into(),
        checks: vec!["identity".into()],
        dbs: "enhanced_with_barred_lists".into(),
        barred_lists: vec!["adults".into()],
        ..ProfileForm::default()
    };
    let (p, errors) = form.build("porter");
    assert!(errors.is_empty(), "{errors:?}");
    assert!(p.requirements.contains(&Requirement::Dbs {
        level: DbsLevel::EnhancedWithBarredLists,
        barred_lists: vec![BarredList::Adults]
    }));
}
