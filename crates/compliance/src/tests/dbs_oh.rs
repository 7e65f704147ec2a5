//! DBS portability, professional registration and occupational health clearance.

use serde_json::json;

use super::*;
use crate::Status;

#[test]
fn an_enhanced_dbs_two_years_old_is_portable_for_a_doctor_in_training() {
    let report = run("foundation-doctor-medicine", &[dbs("2024-08-05")]);
    let line = line(&report, "dbs");
    assert_eq!(line.status, met("2024-08-05"));
    let summary = &line.evidence.as_ref().expect("evidence").summary;
    assert!(summary.contains("certificate 001234567890"), "{summary}");
}

#[test]
fn an_enhanced_dbs_three_years_and_a_day_old_is_not_portable() {
    // Three years old on 2026-08-04, one day before the start.
    let report = run("foundation-doctor-medicine", &[dbs("2023-08-04")]);
    let why = reason(&line(&report, "dbs").status);
    assert!(matches!(
        line(&report, "dbs").status,
        Status::NotPortable { .. }
    ));
    assert!(
        why.starts_with("the check is 3 years old on 2026-08-04, by the start"),
        "{why}"
    );
    assert!(
        why.contains("DBS Update Service") && why.contains("certificate 001234567890"),
        "{why}"
    );
    // Exactly three years old on the first day: not under 3 years.
    assert!(matches!(
        line(
            &run("foundation-doctor-medicine", &[dbs("2023-08-05")]),
            "dbs"
        )
        .status,
        Status::NotPortable { .. }
    ));
}

#[test]
fn an_enhanced_dbs_that_turns_three_during_the_placement_expires_on_that_date() {
    let report = run("foundation-doctor-medicine", &[dbs("2023-11-20")]);
    assert_eq!(
        line(&report, "dbs").status,
        Status::ExpiresDuringPlacement {
            on: d("2026-11-20")
        }
    );
    // One day under three at the start: expires on the second day.
    let report = run("foundation-doctor-medicine", &[dbs("2023-08-06")]);
    assert_eq!(
        line(&report, "dbs").status,
        Status::ExpiresDuringPlacement {
            on: d("2026-08-06")
        }
    );
}

#[test]
fn a_dbs_is_not_portable_for_staff_who_are_not_doctors_in_training() {
    let report = run("ward-nurse-band-5", &[dbs("2026-01-10")]);
    let why = reason(&line(&report, "dbs").status);
    assert!(matches!(
        line(&report, "dbs").status,
        Status::NotPortable { .. }
    ));
    assert!(
        why.starts_with("a DBS check is portable only for doctors in training"),
        "{why}"
    );
}

#[test]
fn a_dbs_below_the_level_or_without_a_barred_list_is_missing_with_a_reason() {
    let mut enhanced = dbs("2025-01-10");
    enhanced
        .claims
        .insert("typeOfDbsCheck".to_owned(), json!("Enhanced check"));
    enhanced
        .claims
        .insert("adultsBarredListChecked".to_owned(), json!(false));
    enhanced
        .claims
        .insert("childrensBarredListChecked".to_owned(), json!(false));
    let report = run("foundation-doctor-medicine", &[enhanced]);
    assert_eq!(
        reason(&line(&report, "dbs").status),
        "the check presented is enhanced: enhanced with barred lists or above is required"
    );
    let mut adults_only = dbs("2025-01-10");
    adults_only
        .claims
        .insert("childrensBarredListChecked".to_owned(), json!(false));
    let report = run("paediatric-registrar", &[adults_only.clone()]);
    assert_eq!(
        reason(&line(&report, "dbs").status),
        "the children's barred list was not checked"
    );
    // The ward nurse needs the adults' list only: still not portable, but sufficient.
    assert!(matches!(
        line(&run("ward-nurse-band-5", &[adults_only]), "dbs").status,
        Status::NotPortable { .. }
    ));
}

#[test]
fn a_dbs_with_information_disclosed_needs_a_local_risk_assessment() {
    let mut disclosed = dbs("2025-01-10");
    disclosed
        .claims
        .insert("informationDisclosed".to_owned(), json!(true));
    let report = run("foundation-doctor-medicine", &[disclosed]);
    assert!(reason(&line(&report, "dbs").status)
        .starts_with("information was disclosed on the certificate"));
}

#[test]
fn the_best_dbs_wins_and_withheld_claims_are_not_shared() {
    let report = run(
        "foundation-doctor-medicine",
        &[dbs("2022-01-01"), dbs("2025-01-10")],
    );
    assert_eq!(line(&report, "dbs").status, met("2025-01-10"));
    let mut withheld = dbs("2025-01-10");
    withheld.claims.remove("informationDisclosed");
    withheld.claims.remove("childrensBarredListChecked");
    let report = run("foundation-doctor-medicine", &[withheld]);
    assert_eq!(
        reason(&line(&report, "dbs").status),
        "a credential from Synthetic Valley NHS Trust was shared without childrensBarredListChecked, informationDisclosed: ask the person to share them"
    );
    assert_eq!(
        line(&run("foundation-doctor-medicine", &[]), "dbs").status,
        Status::Missing { reason: None }
    );
}

#[test]
fn professional_registration_is_never_portable() {
    let report = run(
        "foundation-doctor-medicine",
        &[registration("General Medical Council", "7654321")],
    );
    let line_ = line(&report, "professional_registration");
    assert!(matches!(line_.status, Status::NotPortable { .. }));
    assert!(reason(&line_.status).contains("check the live GMC register for 7654321"));
    // Not presented; presented for another body.
    let report = run("foundation-doctor-medicine", &[]);
    assert_eq!(
        line(&report, "professional_registration").status,
        Status::Missing { reason: None }
    );
    let report = run(
        "foundation-doctor-medicine",
        &[registration("Nursing and Midwifery Council", "12A3456E")],
    );
    assert_eq!(
        reason(&line(&report, "professional_registration").status),
        "registration with Nursing and Midwifery Council was presented: GMC is required"
    );
    let mut no_number = registration("Nursing and Midwifery Council", "12A3456E");
    no_number.claims.remove("registrationNumber");
    assert!(matches!(
        line(
            &run("ward-nurse-band-5", &[no_number]),
            "professional_registration"
        )
        .status,
        Status::NotShared { .. }
    ));
}

#[test]
fn occupational_health_clearance_is_portable() {
    let report = run("foundation-doctor-medicine", &[oh("Fit", false)]);
    let fit = line(&report, "occupational_health");
    assert_eq!((&fit.status, &fit.note), (&met("2025-07-20"), &None));
    let report = run(
        "foundation-doctor-medicine",
        &[oh("Fit with adjustments", false)],
    );
    let adjusted = line(&report, "occupational_health");
    assert_eq!(adjusted.status, met("2025-07-20"));
    assert_eq!(
        adjusted.note.as_deref(),
        Some("adjustments needed: No night shifts")
    );
}

#[test]
fn occupational_health_not_fit_is_missing_with_a_reason() {
    let report = run("foundation-doctor-medicine", &[oh("Not fit", false)]);
    assert_eq!(
        reason(&line(&report, "occupational_health").status),
        "assessed not fit on 2025-07-20: refer to occupational health"
    );
}

#[test]
fn exposure_prone_posts_need_epp_clearance() {
    let report = run("specialty-registrar-surgery", &[oh("Fit", false)]);
    let line_ = line(&report, "occupational_health");
    assert!(reason(&line_.status).starts_with("not cleared for exposure-prone procedures"));
    assert_eq!(
        line_.requirement,
        "Occupational health clearance, including exposure-prone procedures (EPP)"
    );
    let report = run("specialty-registrar-surgery", &[oh("Fit", true)]);
    let cleared = line(&report, "occupational_health");
    assert_eq!(cleared.status, met("2025-07-20"));
    assert!(cleared
        .evidence
        .as_ref()
        .expect("evidence")
        .summary
        .ends_with("EPP cleared on 2025-07-28"));
    // EPP status withheld: not shared. A post without EPP does not need it.
    let mut withheld = oh("Fit", true);
    withheld.claims.remove("eppCleared");
    assert!(matches!(
        line(
            &run("specialty-registrar-surgery", &[withheld.clone()]),
            "occupational_health"
        )
        .status,
        Status::NotShared { .. }
    ));
    assert_eq!(
        line(
            &run("foundation-doctor-medicine", &[withheld]),
            "occupational_health"
        )
        .status,
        met("2025-07-20")
    );
}
