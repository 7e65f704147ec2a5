//! Role profiles: the shipped defaults and validation.

use crate::{default_profiles, ComplianceError, DbsLevel, Requirement, RoleProfile};

fn base() -> RoleProfile {
    RoleProfile::from_json(
        r#"{"id": "test-post", "name": "Test post", "description": "", "doctor_in_training": false,
            "exposure_prone": false, "requirements": [{"type": "identity"}]}"#,
    )
    .expect("valid")
}

fn with(requirement: Requirement) -> Result<(), ComplianceError> {
    let mut p = base();
    p.requirements.push(requirement);
    p.validate()
}

fn cstf(subject: &str, level: u8, qualifier: Option<&str>) -> Requirement {
    Requirement::Cstf {
        subject: subject.to_owned(),
        level,
        qualifier: qualifier.map(str::to_owned),
    }
}

#[test]
fn every_default_profile_validates_and_round_trips() {
    let profiles = default_profiles().expect("shipped profiles are valid");
    let ids: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "foundation-doctor-medicine",
            "specialty-registrar-surgery",
            "paediatric-registrar",
            "ward-nurse-band-5",
            "non-clinical-temporary-mover"
        ]
    );
    for p in &profiles {
        let json = serde_json::to_string(p).expect("serialises");
        assert_eq!(&RoleProfile::from_json(&json).expect("round trip"), p);
    }
    let surgery = &profiles[1];
    assert!(surgery.exposure_prone && surgery.doctor_in_training);
    assert!(profiles[2]
        .requirements
        .contains(&cstf("Safeguarding Children", 3, None)));
    let mover = &profiles[4];
    assert!(
        mover.requirements.len() <= 6
            && !mover
                .requirements
                .iter()
                .any(|r| matches!(r, Requirement::Dbs { .. }))
    );
}

#[test]
fn profile_shape_errors() {
    let mut p = base();
    p.id = "Test Post".to_owned();
    assert_eq!(
        p.validate(),
        Err(ComplianceError::ProfileId("Test Post".to_owned()))
    );
    let mut p = base();
    p.name = " ".to_owned();
    assert_eq!(
        p.validate(),
        Err(ComplianceError::EmptyName("test-post".to_owned()))
    );
    let mut p = base();
    p.requirements.clear();
    assert_eq!(
        p.validate(),
        Err(ComplianceError::NoRequirements("test-post".to_owned()))
    );
    assert_eq!(
        with(Requirement::Identity {}),
        Err(ComplianceError::DuplicateRequirement {
            profile: "test-post".to_owned(),
            key: "identity".to_owned()
        })
    );
    // Same subject and level twice; two DBS requirements of different levels.
    let mut p = base();
    p.requirements.push(cstf("Fire Safety", 1, None));
    p.requirements.push(cstf("Fire Safety", 1, None));
    assert!(matches!(
        p.validate(),
        Err(ComplianceError::DuplicateRequirement { .. })
    ));
    let mut p = base();
    p.requirements.push(Requirement::Dbs {
        level: DbsLevel::Standard,
        barred_lists: vec![],
    });
    p.requirements.push(Requirement::Dbs {
        level: DbsLevel::Enhanced,
        barred_lists: vec![],
    });
    assert!(
        matches!(p.validate(), Err(ComplianceError::DuplicateRequirement { key, .. }) if key == "dbs")
    );
    assert!(matches!(
        RoleProfile::from_json(
            r#"{"id": "x", "name": "X", "doctor_in_training": false, "exposure_prone": false, "requirements": [{"type": "identity", "extra": 1}]}"#
        ),
        Err(ComplianceError::Json(_))
    ));
    assert!(matches!(
        RoleProfile::from_json(
            r#"{"id": "x", "name": "X", "doctor_in_training": false, "exposure_prone": false, "requirements": [{"type": "passport_photo"}]}"#
        ),
        Err(ComplianceError::Json(_))
    ));
}

#[test]
fn cstf_subjects_levels_and_streams_are_checked() {
    assert_eq!(
        with(cstf("Fire Safty", 1, None)),
        Err(ComplianceError::UnknownSubject("Fire Safty".to_owned()))
    );
    assert!(matches!(
        with(cstf("Fire Safety", 2, None)),
        Err(ComplianceError::UnknownLevel { level: 2, .. })
    ));
    assert!(matches!(
        with(cstf("Preventing Radicalisation", 2, None)),
        Err(ComplianceError::UnknownLevel { .. })
    ));
    assert!(matches!(
        with(cstf("Fire Safety", 1, Some("Adult"))),
        Err(ComplianceError::UnknownQualifier { .. })
    ));
    assert!(matches!(
        with(cstf("Resuscitation", 1, Some("Adult"))),
        Err(ComplianceError::UnknownQualifier { .. })
    ));
    assert!(matches!(
        with(cstf("Resuscitation", 2, Some("Geriatric"))),
        Err(ComplianceError::UnknownQualifier { .. })
    ));
    assert_eq!(with(cstf("Resuscitation", 2, Some("Newborn"))), Ok(()));
    assert_eq!(with(cstf("Preventing Radicalisation", 3, None)), Ok(()));
}

#[test]
fn dbs_registration_tis_and_epp_rules() {
    use crate::{BarredList::*, ProfessionalBody};
    let dbs = |level, barred_lists: Vec<_>| {
        with(Requirement::Dbs {
            level,
            barred_lists,
        })
    };
    assert_eq!(
        dbs(DbsLevel::Enhanced, vec![Adults]),
        Err(ComplianceError::BarredListsWithoutBarredCheck)
    );
    assert_eq!(
        dbs(DbsLevel::EnhancedWithBarredLists, vec![]),
        Err(ComplianceError::BarredLists)
    );
    assert_eq!(
        dbs(DbsLevel::EnhancedWithBarredLists, vec![Adults, Adults]),
        Err(ComplianceError::BarredLists)
    );
    assert_eq!(
        dbs(DbsLevel::EnhancedWithBarredLists, vec![Children]),
        Ok(())
    );
    assert_eq!(dbs(DbsLevel::Standard, vec![]), Ok(()));
    let reg = |bodies| with(Requirement::ProfessionalRegistration { bodies });
    assert_eq!(reg(vec![]), Err(ComplianceError::RegistrationBodies));
    assert_eq!(
        reg(vec![ProfessionalBody::Nmc, ProfessionalBody::Nmc]),
        Err(ComplianceError::RegistrationBodies)
    );
    assert_eq!(
        reg(vec![ProfessionalBody::Hcpc, ProfessionalBody::Nmc]),
        Ok(())
    );
    // TIS requirements belong to doctors in training.
    assert!(matches!(
        with(Requirement::TrainingProgramme {}),
        Err(ComplianceError::DoctorsOnly { .. })
    ));
    let mut doctor = base();
    doctor.doctor_in_training = true;
    doctor.requirements.push(Requirement::TrainingPlacement {
        grades: vec!["ST9".to_owned()],
    });
    assert_eq!(
        doctor.validate(),
        Err(ComplianceError::Grade("ST9".to_owned()))
    );
    // Exposure-prone without occupational health.
    let mut epp = base();
    epp.exposure_prone = true;
    assert_eq!(
        epp.validate(),
        Err(ComplianceError::ExposureProneWithoutClearance(
            "test-post".to_owned()
        ))
    );
    epp.requirements.push(Requirement::OccupationalHealth {});
    assert_eq!(epp.validate(), Ok(()));
}
