//! Amara Okafor (synthetic), an FY2 doctor rotating from RHQ to R0A, whose records give a known
//! report against the foundation doctor profile: one CSTF subject expiring mid-placement, one
//! expired, one absent, two below the level needed, a DBS over 3 years old, a GMC registration.
//! Dates are relative to today, so the outcome never drifts. Used by the demo, the integration
//! tests, the two-server test and `passport bench verify`.
use time::{Date, Duration, OffsetDateTime};

pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// `today + days` as `YYYY-MM-DD`.
pub fn day(days: i64) -> String {
    (today() + Duration::days(days)).to_string()
}

/// The placement: from two weeks from now for about six months.
pub fn placement() -> (Date, Date) {
    (
        today() + Duration::days(14),
        today() + Duration::days(14 + 180),
    )
}

pub fn staff_csv() -> String {
    format!(
        "esr_person_id,assignment_number,title,forenames,surname,date_of_birth,email,ni_number,gmc_number,nmc_pin,hcpc_number,organisation_ods,organisation_name,staff_group,job_role,position_title,grade,assignment_category,assignment_status,whole_time_equivalent,start_date,end_date,primary_assignment\n\
10000101,20000101,Dr,Amara,Okafor,1999-03-14,amara.okafor@nhs.example,QQ100101A,9100001,,,RHQ,Sheffield Teaching Hospitals NHS Foundation Trust,Medical and Dental,Foundation Year 2,FY2 Doctor - Acute Medicine,FY2,Fixed Term Temp,Active Assignment,1,{},{},Y\n",
        day(-365),
        day(13)
    )
}

/// Subject -> award date offset. Information Governance (1 year) was awarded 13 months ago:
/// expired before the start. Fire Safety (2 years) 22 months ago: expires mid-placement.
/// Preventing Radicalisation is basic awareness (level 1) where level 3 is needed; Resuscitation
/// is level 2 where level 3 is needed; Safeguarding Children is absent.
pub fn competences_csv() -> String {
    let rows = [
        ("NHS|CSTF|Conflict Resolution - 3 Years|", -365),
        (
            "\"NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|\"",
            -365,
        ),
        ("NHS|CSTF|Fire Safety - 2 Years|", -22 * 30),
        ("\"NHS|CSTF|Health, Safety and Welfare - 3 Years|\"", -365),
        (
            "NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|",
            -60,
        ),
        (
            "NHS|CSTF|Information Governance and Data Security - 1 Year|",
            -13 * 31,
        ),
        ("NHS|CSTF|Moving and Handling - Level 1 - 3 Years|", -365),
        (
            "NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|",
            -365,
        ),
        (
            "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
            -30,
        ),
        ("NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|", -365),
    ];
    let mut out = String::from("esr_person_id,forenames,surname,competence_name,date_achieved,expiry_date,awarding_organisation,learning_method,assessed,assessor_name,assessor_role,description,status\n");
    for (name, offset) in rows {
        out.push_str(&format!(
            "10000101,Amara,Okafor,{name},{},,,E-Learning,N,,,,\n",
            day(offset)
        ));
    }
    out
}

pub fn oh_csv() -> String {
    format!(
        "esr_person_id,forenames,surname,record_kind,code,description,date,result,interpretation,clearance_outcome,adjustments_summary,epp_cleared,epp_clearance_date,role_risk_category,review_date,oh_provider,status\n\
10000101,Amara,Okafor,clearance,,,{},,,Fit,,N,,\"Clinical, no exposure-prone procedures\",,RHQ,\n\
10000101,Amara,Okafor,vaccination,MMR001,Measles Mumps and Rubella Vaccine,2000-06,,,,,,,,,,\n",
        day(-120)
    )
}

/// Identity, GMC registration, an Enhanced DBS issued 3 years and 30 days ago, right to work.
pub fn dsp_json() -> String {
    serde_json::json!({
        "system": "rhq-recruitment",
        "employees": [{
            "id": "E1001", "firstName": "Amara", "surname": "Okafor", "birthDate": "1999-03-14",
            "email": "amara.okafor@nhs.example", "esrIdentifier": "10000101",
            "records": [
                {"recordType": "Identity", "legalFirstName": "Amara", "legalSurname": "Okafor",
                 "birthDate": "1999-03-14", "identityCheckMethod": "Identity service provider",
                 "evidenceCheckedBy": "Synthetic Identity Service Ltd", "dateOfIdCheck": day(-400),
                 "GPG45profile": "H1A"},
                {"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council",
                 "registrationNumber": "9100001", "registrationDate": "2024-07-25",
                 "registrationCheckDate": day(-100)},
                {"recordType": "DBSCheckOutcome", "applicantFirstName": "Amara", "applicantMiddleNames": "", "applicantSurname": "Okafor",
                 "applicantDateOfBirth": "1999-03-14", "typeOfDbsCheck": "Enhanced with barred list(s) check",
                 "adultsBarredListChecked": "true", "childrensBarredListChecked": "true",
                 "certificateNumber": "009100001001", "disclosureIssueDate": day(-3 * 365 - 30),
                 "informationDisclosed": "false", "workforceType": "Child and Adult",
                 "registeredBodyNumber": "20000000001", "registeredBodyName": "Synthetic Registered Body Ltd"},
                {"recordType": "RightToWork", "legalFirstName": "Amara", "legalSurname": "Okafor",
                 "birthDate": "1999-03-14", "identityDocumentExpiryDate": "2031-04-30",
                 "identityVerified": "true", "evidenceCheckedBy": "Synthetic Identity Service Ltd",
                 "dateOfIdCheck": day(-400), "GPG45profile": "H1A"}
            ]
        }]
    })
    .to_string()
}

/// NHS England's programme and the next FY2 placement, at the receiving trust R0A.
pub fn tis_csv() -> String {
    let (start, end) = placement();
    format!(
        "gmc_number,forenames,surname,email,programme_name,programme_number,training_number,curriculum,programme_specialty,designated_body,local_office,programme_start_date,programme_end_date,placement_id,site_code,site_name,grade,specialty,national_post_number,employing_body_ods,training_body_ods,placement_start_date,placement_end_date,whole_time_equivalent,placement_type,placement_status\n\
9100001,Amara,Okafor,amara.okafor@nhs.example,South Yorkshire Foundation Programme,SYFP-2024-017,,Foundation,Foundation,NHS England Yorkshire and the Humber,Yorkshire and the Humber,{},{},310004,R0A01,Eastbridge General Hospital,FY2,General Internal Medicine,YHD/R0A01/F2/GIM/002,R0A,R0A,{start},{end},1,In post,Future\n",
        day(-365),
        day(365),
    )
}
