//! Local renewal periods.

use crate::{ComplianceError, LocalPeriods, Period};

#[test]
fn national_defaults_are_the_domain_table_in_months() {
    let table = LocalPeriods::national_defaults();
    let expected: &[(&str, u8, u32)] = &[
        ("Conflict Resolution", 1, 36),
        ("Equality, Diversity and Human Rights", 1, 36),
        ("Fire Safety", 1, 24),
        ("Health, Safety and Welfare", 1, 36),
        ("Infection Prevention and Control", 1, 36),
        ("Infection Prevention and Control", 2, 12),
        ("Information Governance and Data Security", 1, 12),
        ("Moving and Handling", 1, 36),
        ("Moving and Handling", 2, 24),
        ("Preventing Radicalisation", 1, 36),
        ("Preventing Radicalisation", 3, 36),
        ("Resuscitation", 1, 12),
        ("Resuscitation", 2, 12),
        ("Resuscitation", 3, 12),
        ("Safeguarding Adults", 1, 36),
        ("Safeguarding Adults", 2, 36),
        ("Safeguarding Adults", 3, 36),
        ("Safeguarding Children", 1, 36),
        ("Safeguarding Children", 2, 36),
        ("Safeguarding Children", 3, 36),
    ];
    let got: Vec<(&str, u8, u32)> = table
        .periods()
        .iter()
        .map(|p| (p.subject.as_str(), p.level, p.months))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(table.months("Fire Safety", 2), None);
    assert_eq!(table.months("Basket Weaving", 1), None);
}

#[test]
fn a_trust_overrides_only_what_it_lists_and_the_json_round_trips() {
    let local = LocalPeriods::from_json(
        r#"[{"subject": "Fire Safety", "level": 1, "months": 12},
            {"subject": "Moving and Handling", "level": 1, "months": 24}]"#,
    )
    .expect("valid");
    assert_eq!(local.months("Fire Safety", 1), Some(12));
    assert_eq!(local.months("Moving and Handling", 1), Some(24));
    assert_eq!(local.months("Moving and Handling", 2), Some(24));
    assert_eq!(local.months("Conflict Resolution", 1), Some(36));
    let json = local.to_json().expect("serialises");
    assert_eq!(LocalPeriods::from_json(&json).expect("round trip"), local);
    let mut set = LocalPeriods::national_defaults();
    set.set("Fire Safety", 1, 12).expect("valid");
    set.set("Moving and Handling", 1, 24).expect("valid");
    assert_eq!(set, local);
}

#[test]
fn periods_are_validated() {
    let err = |json: &str| LocalPeriods::from_json(json).expect_err("invalid");
    for months in [0, 121] {
        let json = format!(r#"[{{"subject": "Fire Safety", "level": 1, "months": {months}}}]"#);
        assert!(
            matches!(err(&json), ComplianceError::Json(m) if m.contains("allowed 1 to 120")),
            "{months}"
        );
    }
    assert!(
        matches!(err(r#"[{"subject": "Fire Safty", "level": 1, "months": 12}]"#), ComplianceError::Json(m) if m.contains("not a CSTF subject"))
    );
    assert!(
        matches!(err(r#"[{"subject": "Fire Safety", "level": 2, "months": 12}]"#), ComplianceError::Json(m) if m.contains("has no level 2"))
    );
    assert!(matches!(
        err(r#"[{"subject": "Fire Safety", "level": 1, "months": 12}, {"subject": "Fire Safety", "level": 1, "months": 6}]"#),
        ComplianceError::Json(m) if m.contains("given twice")
    ));
    assert!(matches!(
        err(r#"[{"subject": "Fire Safety", "level": 1, "months": 12, "x": 1}]"#),
        ComplianceError::Json(_)
    ));
    let mut table = LocalPeriods::national_defaults();
    assert_eq!(
        table.set("Fire Safety", 1, 121),
        Err(ComplianceError::PeriodOutOfRange {
            subject: "Fire Safety".to_owned(),
            level: 1,
            months: 121
        })
    );
    assert!(table.set("Fire Safety", 1, 120).is_ok() && table.set("Fire Safety", 1, 1).is_ok());
    let period: Period =
        serde_json::from_str(r#"{"subject": "Fire Safety", "level": 1, "months": 6}"#)
            .expect("shape");
    assert_eq!(period.months, 6);
}
