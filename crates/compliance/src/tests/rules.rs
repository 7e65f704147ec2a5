//! Identity, right to work and employment.

use super::*;
use crate::Status;

#[test]
fn identity_is_met_with_the_in_person_likeness_note() {
    let report = run("foundation-doctor-medicine", &[identity("M1B")]);
    let id = line(&report, "identity");
    assert_eq!(id.status, met("2023-07-10"));
    assert_eq!(
        id.note.as_deref(),
        Some("confirm likeness in person at first attendance")
    );
    let report = run("foundation-doctor-medicine", &[identity("L1A")]);
    assert!(reason(&line(&report, "identity").status)
        .starts_with("GPG45 profile 'L1A' is below medium confidence"));
}

#[test]
fn right_to_work_is_met_unless_the_permission_ends_before_or_during_the_placement() {
    let british = right_to_work("IDSP British/Irish passport", None);
    let report = run("ward-nurse-band-5", &[british]);
    let rtw = line(&report, "right_to_work");
    assert_eq!((&rtw.status, &rtw.note), (&met("2023-07-10"), &None));
    // Permission ends 2026-12-31: the first day without it is 2027-01-01.
    let report = run(
        "ward-nurse-band-5",
        &[right_to_work("Home Office share code", Some("2026-12-31"))],
    );
    assert_eq!(
        line(&report, "right_to_work").status,
        Status::ExpiresDuringPlacement {
            on: d("2027-01-01")
        }
    );
    let report = run(
        "ward-nurse-band-5",
        &[right_to_work("Home Office share code", Some("2026-05-31"))],
    );
    assert_eq!(
        reason(&line(&report, "right_to_work").status),
        "no permission to work from 2026-06-01"
    );
    let report = run(
        "ward-nurse-band-5",
        &[right_to_work("Home Office share code", Some("2028-05-31"))],
    );
    assert_eq!(line(&report, "right_to_work").status, met("2023-07-10"));
}

#[test]
fn a_share_code_check_without_an_end_date_is_met_with_a_note() {
    // Settled status has no end date, but a withheld end date looks the same.
    let report = run(
        "ward-nurse-band-5",
        &[right_to_work("Home Office share code", None)],
    );
    let rtw = line(&report, "right_to_work");
    assert_eq!(rtw.status, met("2023-07-10"));
    assert!(rtw
        .note
        .as_deref()
        .is_some_and(|n| n.starts_with("no permission end date was shared")));
}

#[test]
fn employment_for_a_rotation_must_be_current_today() {
    // The current assignment ends the day before the rotation: normal.
    let current = employment("Fixed term", "2025-08-06", Some("2026-08-04"));
    assert_eq!(
        line(&run("foundation-doctor-medicine", &[current]), "employment").status,
        met("2025-08-06")
    );
    let ended = employment("Fixed term", "2024-08-07", Some("2025-08-05"));
    assert_eq!(
        reason(&line(&run("foundation-doctor-medicine", &[ended]), "employment").status),
        "the assignment ended on 2025-08-05"
    );
    let honorary = employment("Honorary", "2025-08-06", None);
    assert_eq!(
        reason(
            &line(
                &run("foundation-doctor-medicine", &[honorary]),
                "employment"
            )
            .status
        ),
        "an honorary contract is not substantive NHS employment"
    );
}

#[test]
fn a_temporary_mover_s_substantive_employment_must_last_the_placement() {
    let mover = profile("non-clinical-temporary-mover");
    let honorary = Placement {
        kind: PlacementKind::HonoraryContract,
        ..rotation()
    };
    let periods = LocalPeriods::national_defaults();
    let eval = |p: &Presented| {
        let report = evaluate(
            &mover,
            &periods,
            &honorary,
            std::slice::from_ref(p),
            today(),
        )
        .expect("evaluates");
        line(&report, "employment").status.clone()
    };
    assert_eq!(
        eval(&employment("Permanent", "2019-04-01", None)),
        met("2019-04-01")
    );
    // A fixed-term contract ending 2026-10-31 covers the rotation case but not this one.
    let fixed = employment("Fixed term", "2025-11-01", Some("2026-10-31"));
    assert_eq!(
        eval(&fixed),
        Status::ExpiresDuringPlacement {
            on: d("2026-11-01")
        }
    );
    let secondment = Placement {
        kind: PlacementKind::Secondment,
        ..rotation()
    };
    let report = evaluate(&mover, &periods, &secondment, &[fixed], today()).expect("evaluates");
    assert_eq!(
        line(&report, "employment").status,
        Status::ExpiresDuringPlacement {
            on: d("2026-11-01")
        }
    );
}
