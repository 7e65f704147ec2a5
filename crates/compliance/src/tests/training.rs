//! CSTF: expiry recomputed with the local period, levels, streams, best of several; TIS.

use super::*;
use crate::{Requirement, Status};

const FIRE: &str = "cstf_fire_safety_l1";

#[test]
fn a_subject_valid_for_the_whole_placement_is_met_with_its_award_date() {
    // Fire Safety: 24 months from 2025-06-01 = 2027-06-01, after the end (2027-02-02).
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2025-06-01")],
    );
    let fire = line(&report, FIRE);
    assert_eq!(fire.status, met("2025-06-01"));
    let evidence = fire.evidence.as_ref().expect("evidence");
    assert_eq!(
        (evidence.issuer_ods.as_str(), evidence.date),
        ("RZZ", Some(d("2025-06-01")))
    );
    assert!(
        evidence
            .summary
            .contains("local period 24 months: expires 2027-06-01"),
        "{}",
        evidence.summary
    );
}

#[test]
fn a_subject_that_expires_mid_placement() {
    // Information governance: 12 months from 2025-10-01 = 2026-10-01, inside the placement.
    let ig = cstf(
        "Information Governance and Data Security",
        "1",
        "Information Governance and Data Security",
        "2025-10-01",
    );
    let report = run("foundation-doctor-medicine", &[ig]);
    assert_eq!(
        line(&report, "cstf_information_governance_and_data_security_l1").status,
        Status::ExpiresDuringPlacement {
            on: d("2026-10-01")
        }
    );
}

#[test]
fn a_subject_that_expires_before_the_start_is_missing_with_the_date() {
    // 2024-07-15 + 24 months = 2026-07-15: after today (2026-07-01), before the start.
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2024-07-15")],
    );
    assert_eq!(
        reason(&line(&report, FIRE).status),
        "expired on 2026-07-15, before the placement starts on 2026-08-05"
    );
    // Already expired today.
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2024-03-01")],
    );
    assert_eq!(reason(&line(&report, FIRE).status), "expired on 2026-03-01");
}

#[test]
fn the_senders_expiry_and_renewal_period_are_never_used() {
    // The fixture says ten years and dateTo 2099-12-31; the local period decides.
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2020-01-01")],
    );
    assert!(matches!(
        line(&report, FIRE).status,
        Status::Missing { reason: Some(_) }
    ));
}

#[test]
fn a_local_period_that_differs_from_the_national_one_changes_the_outcome() {
    let fire = [cstf("Fire Safety", "1", "Fire Safety", "2025-03-01")];
    // National: 24 months -> 2027-03-01, after the end.
    assert_eq!(
        line(&run("foundation-doctor-medicine", &fire), FIRE).status,
        met("2025-03-01")
    );
    // This trust renews fire safety yearly: 2026-03-01, expired before the start.
    let local =
        LocalPeriods::from_json(r#"[{"subject": "Fire Safety", "level": 1, "months": 12}]"#)
            .expect("valid");
    let report = evaluate(
        &profile("foundation-doctor-medicine"),
        &local,
        &rotation(),
        &fire,
        today(),
    )
    .expect("evaluates");
    assert_eq!(reason(&line(&report, FIRE).status), "expired on 2026-03-01");
    // Or every 18 months: 2026-09-01, during the placement.
    let local =
        LocalPeriods::from_json(r#"[{"subject": "Fire Safety", "level": 1, "months": 18}]"#)
            .expect("valid");
    let report = evaluate(
        &profile("foundation-doctor-medicine"),
        &local,
        &rotation(),
        &fire,
        today(),
    )
    .expect("evaluates");
    assert_eq!(
        line(&report, FIRE).status,
        Status::ExpiresDuringPlacement {
            on: d("2026-09-01")
        }
    );
}

#[test]
fn a_missing_subject_has_no_reason_and_no_evidence() {
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2025-06-01")],
    );
    let conflict = line(&report, "cstf_conflict_resolution_l1");
    assert_eq!(
        (&conflict.status, &conflict.evidence),
        (&Status::Missing { reason: None }, &None)
    );
}

#[test]
fn a_higher_level_satisfies_a_lower_one_and_a_lower_level_does_not() {
    // The foundation profile needs safeguarding children level 2; level 3 is presented.
    let l3 = cstf(
        "Safeguarding Children",
        "3",
        "Safeguarding Children",
        "2025-01-10",
    );
    assert_eq!(
        line(
            &run("foundation-doctor-medicine", &[l3]),
            "cstf_safeguarding_children_l2"
        )
        .status,
        met("2025-01-10")
    );
    // The paediatric registrar needs level 3; level 2 is not enough.
    let l2 = cstf(
        "Safeguarding Children",
        "2",
        "Safeguarding Children",
        "2025-01-10",
    );
    let report = run("paediatric-registrar", &[l2]);
    assert_eq!(
        reason(&line(&report, "cstf_safeguarding_children_l3").status),
        "level 2 was presented: level 3 or above is required"
    );
}

#[test]
fn a_higher_level_counts_for_the_lower_level_s_refresher() {
    // IPC level 2 renews yearly, level 1 every 3 years: a level 2 award 20 months old still
    // covers a level 1 requirement.
    let mut mover = profile("non-clinical-temporary-mover");
    mover.requirements.push(Requirement::Cstf {
        subject: "Infection Prevention and Control".to_owned(),
        level: 1,
        qualifier: None,
    });
    let ipc = [cstf(
        "Infection Prevention and Control",
        "2",
        "Infection Prevention and Control",
        "2024-11-01",
    )];
    let report = evaluate(
        &mover,
        &LocalPeriods::national_defaults(),
        &rotation(),
        &ipc,
        today(),
    )
    .expect("evaluates");
    assert_eq!(
        line(&report, "cstf_infection_prevention_and_control_l1").status,
        met("2024-11-01")
    );
}

#[test]
fn resuscitation_streams_must_match_and_a_higher_level_covers_the_same_stream() {
    let adult_ils = cstf(
        "Resuscitation",
        "3",
        "Resuscitation Adult Immediate Life Support",
        "2026-03-01",
    );
    let paeds_ils = cstf(
        "Resuscitation",
        "3",
        "Resuscitation Paediatric Immediate Life Support",
        "2026-03-01",
    );
    let newborn = cstf(
        "Resuscitation",
        "2",
        "Resuscitation Newborn Life Support",
        "2026-01-15",
    );
    let adult_bls = cstf(
        "Resuscitation",
        "2",
        "Resuscitation Adult Basic Life Support",
        "2026-01-15",
    );
    // Ward nurse: adult BLS (level 2, adult) is met by adult ILS (level 3).
    assert_eq!(
        line(
            &run("ward-nurse-band-5", std::slice::from_ref(&adult_ils)),
            "cstf_resuscitation_l2_adult"
        )
        .status,
        met("2026-03-01")
    );
    // Paediatric registrar: adult ILS is the wrong stream; paediatric ILS and newborn are right.
    let report = run("paediatric-registrar", &[adult_ils, adult_bls]);
    assert_eq!(
        reason(&line(&report, "cstf_resuscitation_l3_paediatric").status),
        "'Resuscitation Adult Immediate Life Support' is not in the Paediatric stream"
    );
    let report = run("paediatric-registrar", &[paeds_ils, newborn]);
    assert_eq!(
        line(&report, "cstf_resuscitation_l3_paediatric").status,
        met("2026-03-01")
    );
    // Resuscitation renews yearly: 2027-01-15, inside the placement.
    assert_eq!(
        line(&report, "cstf_resuscitation_l2_newborn").status,
        Status::ExpiresDuringPlacement {
            on: d("2027-01-15")
        }
    );
}

#[test]
fn the_best_of_several_credentials_for_one_subject_wins_whatever_the_order() {
    let old = cstf("Fire Safety", "1", "Fire Safety", "2023-05-01");
    let mid = cstf("Fire Safety", "1", "Fire Safety", "2024-12-01");
    let new = cstf("Fire Safety", "1", "Fire Safety", "2025-06-01");
    for set in [
        vec![old.clone(), mid.clone(), new.clone()],
        vec![new.clone(), old.clone(), mid.clone()],
    ] {
        assert_eq!(
            line(&run("foundation-doctor-medicine", &set), FIRE).status,
            met("2025-06-01")
        );
    }
    // Two that expire during the placement: the later expiry is shown.
    let a = cstf("Fire Safety", "1", "Fire Safety", "2024-09-01");
    let b = cstf("Fire Safety", "1", "Fire Safety", "2024-10-01");
    assert_eq!(
        line(&run("foundation-doctor-medicine", &[a, b.clone(), b]), FIRE).status,
        Status::ExpiresDuringPlacement {
            on: d("2026-10-01")
        }
    );
}

#[test]
fn withheld_subject_level_or_award_date_is_not_shared() {
    let mut fire = cstf("Fire Safety", "1", "Fire Safety", "2025-06-01");
    fire.claims.remove("dateLastAwarded");
    let report = run("foundation-doctor-medicine", &[fire]);
    assert_eq!(
        reason(&line(&report, FIRE).status),
        "a credential from Synthetic Valley NHS Trust was shared without dateLastAwarded: ask the person to share them"
    );
    // Subject withheld: it could be any subject, so every unmet subject says not shared.
    let mut nameless = cstf("Fire Safety", "1", "Fire Safety", "2025-06-01");
    nameless.claims.remove("subjectName");
    let valid_ig = cstf(
        "Information Governance and Data Security",
        "1",
        "Information Governance and Data Security",
        "2026-06-01",
    );
    let report = run("foundation-doctor-medicine", &[nameless, valid_ig]);
    assert!(matches!(
        line(&report, FIRE).status,
        Status::NotShared { .. }
    ));
    assert_eq!(
        line(&report, "cstf_information_governance_and_data_security_l1").status,
        met("2026-06-01")
    );
}

#[test]
fn an_award_dated_after_today_is_not_sufficient() {
    let report = run(
        "foundation-doctor-medicine",
        &[cstf("Fire Safety", "1", "Fire Safety", "2026-07-20")],
    );
    assert_eq!(
        reason(&line(&report, FIRE).status),
        "award date 2026-07-20 is in the future"
    );
}

#[test]
fn once_the_placement_has_started_today_is_the_first_day_to_cover() {
    let fire = [cstf("Fire Safety", "1", "Fire Safety", "2024-09-01")];
    let later = d("2026-10-01");
    let report = evaluate(
        &profile("foundation-doctor-medicine"),
        &LocalPeriods::national_defaults(),
        &rotation(),
        &fire,
        later,
    )
    .expect("evaluates");
    assert_eq!(reason(&line(&report, FIRE).status), "expired on 2026-09-01");
}

#[test]
fn training_programme_and_placement() {
    let covered = [
        programme("2025-08-06", "2027-08-03"),
        tis_placement("FY2", "2026-08-05", "2027-02-02"),
    ];
    let report = run("foundation-doctor-medicine", &covered);
    assert_eq!(
        line(&report, "training_programme").status,
        met("2025-08-06")
    );
    assert_eq!(
        line(&report, "training_placement").status,
        met("2026-08-05")
    );
    // Programme ends in the placement; a TIS placement at another grade; one that ends early.
    let report = run(
        "foundation-doctor-medicine",
        &[
            programme("2024-08-07", "2026-12-31"),
            tis_placement("ST3", "2026-08-05", "2027-02-02"),
        ],
    );
    assert_eq!(
        line(&report, "training_programme").status,
        Status::ExpiresDuringPlacement {
            on: d("2027-01-01")
        }
    );
    assert_eq!(
        reason(&line(&report, "training_placement").status),
        "grade ST3: this post needs FY1 or FY2"
    );
    let report = run(
        "foundation-doctor-medicine",
        &[tis_placement("FY2", "2026-08-05", "2026-12-01")],
    );
    assert_eq!(
        line(&report, "training_placement").status,
        Status::ExpiresDuringPlacement {
            on: d("2026-12-02")
        }
    );
    let report = run(
        "foundation-doctor-medicine",
        &[tis_placement("FY2", "2026-02-04", "2026-08-04")],
    );
    assert_eq!(
        reason(&line(&report, "training_placement").status),
        "the TIS placement does not cover the start of this placement on 2026-08-05"
    );
}
