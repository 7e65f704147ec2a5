//! A synthetic cohort of doctors in training rotating into R0A: their records at three issuing
//! trusts (ESR staff and competences, OH, DSP) and at NHS England (TIS), and the receiving
//! trust's rotation list. Every doctor has a plan: share everything, share with a CSTF subject
//! missing or expired, decline, or never answer. Dates are relative to today, as Amara's are,
//! so the outcome never drifts.
#![allow(dead_code, clippy::unwrap_used)]
use super::transfer::day;
use super::{import, TestServer};
use passport_records::ImportKind;
use passport_server::orgs::OrgConfig;

pub const RECEIVING: &str = "R0A";
pub const ISSUING: [&str; 3] = ["RHQ", "RTH", "RJ1"];
pub const PROFILE: &str = "foundation-doctor-medicine";
/// The requirement keys the two kinds of gap fall on.
pub const SAFEGUARDING_CHILDREN: &str = "cstf_safeguarding_children_l2";
pub const INFORMATION_GOVERNANCE: &str = "cstf_information_governance_and_data_security_l1";

/// The third issuing trust, beside the demo's RHQ and RTH.
pub fn third_trust() -> OrgConfig {
    OrgConfig {
        ods_code: "RJ1".into(),
        name: "Southgate Hospitals NHS Trust (synthetic)".into(),
        kind: "trust".into(),
        may_issue: vec![],
    }
}

/// What the doctor does with their invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plan {
    /// Shares everything: every requirement met (registration needs its local check).
    Full,
    /// Shares, but holds no Safeguarding Children training.
    MissingCstf,
    /// Shares, but their Information Governance training expired before the start.
    ExpiredCstf,
    /// Opens the request and declines.
    Decline,
    /// Never answers.
    Never,
}

impl Plan {
    pub fn answers(self) -> bool {
        matches!(self, Plan::Full | Plan::MissingCstf | Plan::ExpiredCstf)
    }

    /// The dashboard's standing for this plan once carried out.
    pub fn standing(self) -> &'static str {
        match self {
            Plan::Full => "ready",
            Plan::MissingCstf | Plan::ExpiredCstf => "gaps",
            Plan::Decline => "declined",
            Plan::Never => "not-responded",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Doctor {
    pub n: usize,
    pub trust: &'static str,
    pub plan: Plan,
    pub gmc: String,
    pub esr: String,
    pub forenames: &'static str,
    pub surname: String,
    pub email: String,
    pub grade: &'static str,
    pub specialty: &'static str,
    pub site_code: &'static str,
    pub site_name: &'static str,
    pub start: String,
    pub end: String,
}

const FORENAMES: [&str; 10] = [
    "Amara",
    "Tom",
    "Priya",
    "Chloe",
    "Kwame",
    "Róisín",
    "Oluwaseun",
    "Fatima",
    "Niamh",
    "José",
];
const SURNAMES: [&str; 10] = [
    "Okafor",
    "Kowalczyk",
    "Raman-Shah",
    "Evans",
    "Asante",
    "Gallagher",
    "Adeyemi",
    "Al-Sayed",
    "O'Connell",
    "Álvarez Ruiz",
];
pub const SPECIALTIES: [&str; 4] = [
    "General Internal Medicine",
    "Acute Internal Medicine",
    "Geriatric Medicine",
    "Cardiology",
];
pub const SITES: [(&str, &str); 3] = [
    ("R0A01", "Eastbridge General Hospital"),
    ("R0A02", "Eastbridge Royal Infirmary"),
    ("R0A03", "Eastbridge Community Hospital, Westside"),
];

/// `count` doctors. Of every ten: six share everything, one lacks a subject, one has one
/// expired, one declines, one never answers. Two start dates, a week apart.
pub fn cohort(count: usize) -> Vec<Doctor> {
    (0..count)
        .map(|n| {
            let plan = match n % 10 {
                9 => Plan::Never,
                8 => Plan::Decline,
                7 => Plan::MissingCstf,
                6 => Plan::ExpiredCstf,
                _ => Plan::Full,
            };
            let offset = if n.is_multiple_of(5) { 21 } else { 14 };
            let (site_code, site_name) = SITES[n % 3];
            Doctor {
                n,
                trust: ISSUING[(n / 3) % 3],
                plan,
                gmc: format!("{}", 9_200_000 + n),
                esr: format!("{}", 11_000_000 + n),
                forenames: FORENAMES[n % 10],
                // Names carry no digits: unique (forename, surname) pairs up to 200 doctors.
                surname: if n < 100 {
                    SURNAMES[(n / 10) % 10].to_string()
                } else {
                    format!("{}-Brown", SURNAMES[(n / 10) % 10])
                },
                email: format!("doctor.{n:03}@nhs.example"),
                grade: if n.is_multiple_of(2) { "FY1" } else { "FY2" },
                specialty: SPECIALTIES[n % 4],
                site_code,
                site_name,
                start: day(offset),
                end: day(offset + 180),
            }
        })
        .collect()
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub fn staff_csv(trust: &str, doctors: &[&Doctor]) -> String {
    let mut out = String::from("esr_person_id,assignment_number,title,forenames,surname,date_of_birth,email,gmc_number,organisation_ods,organisation_name,staff_group,job_role,position_title,grade,assignment_category,assignment_status,whole_time_equivalent,start_date,end_date,primary_assignment\n");
    for d in doctors {
        out.push_str(&format!(
            "{esr},{asg},Dr,{first},{last},1998-04-{dd:02},{email},{gmc},{trust},{trust} (synthetic),Medical and Dental,Foundation Year 2,{grade} Doctor,{grade},Fixed Term Temp,Active Assignment,1,{start},{end},Y\n",
            esr = d.esr,
            asg = 21_000_000 + d.n,
            first = d.forenames,
            last = quoted(&d.surname),
            dd = 1 + d.n % 28,
            email = d.email,
            gmc = d.gmc,
            grade = d.grade,
            start = day(-365),
            end = day(13),
        ));
    }
    out
}

/// The eleven subjects the foundation profile asks for, awarded recently enough to last the
/// placement; the plan takes one away or makes one expired.
pub fn competences_csv(doctors: &[&Doctor]) -> String {
    let subjects = [
        ("NHS|CSTF|Conflict Resolution - 3 Years|", -200),
        (
            "\"NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|\"",
            -200,
        ),
        ("NHS|CSTF|Fire Safety - 2 Years|", -60),
        ("\"NHS|CSTF|Health, Safety and Welfare - 3 Years|\"", -200),
        (
            "NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|",
            -60,
        ),
        (
            "NHS|CSTF|Information Governance and Data Security - 1 Year|",
            -60,
        ),
        ("NHS|CSTF|Moving and Handling - Level 1 - 3 Years|", -200),
        (
            "NHS|CSTF|Preventing Radicalisation - Level 3 - 3 Years|",
            -200,
        ),
        (
            "NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|",
            -30,
        ),
        ("NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|", -200),
        ("NHS|CSTF|Safeguarding Children - Level 2 - 3 Years|", -200),
    ];
    let mut out = String::from("esr_person_id,forenames,surname,competence_name,date_achieved,expiry_date,awarding_organisation,learning_method,assessed,assessor_name,assessor_role,description,status\n");
    for d in doctors {
        for (name, offset) in subjects {
            if d.plan == Plan::MissingCstf && name.contains("Safeguarding Children") {
                continue;
            }
            let offset = if d.plan == Plan::ExpiredCstf && name.contains("Information Governance") {
                -13 * 31
            } else {
                offset
            };
            out.push_str(&format!(
                "{},{},{},{name},{},,,E-Learning,N,,,,\n",
                d.esr,
                d.forenames,
                quoted(&d.surname),
                day(offset)
            ));
        }
    }
    out
}

pub fn oh_csv(trust: &str, doctors: &[&Doctor]) -> String {
    let mut out = String::from("esr_person_id,forenames,surname,record_kind,code,description,date,result,interpretation,clearance_outcome,adjustments_summary,epp_cleared,epp_clearance_date,role_risk_category,review_date,oh_provider,status\n");
    for d in doctors {
        out.push_str(&format!(
            "{},{},{},clearance,,,{},,,Fit,,N,,\"Clinical, no exposure-prone procedures\",,{trust},\n",
            d.esr,
            d.forenames,
            quoted(&d.surname),
            day(-120)
        ));
    }
    out
}

/// Identity, GMC registration, an Enhanced DBS a year old, right to work.
pub fn dsp_json(trust: &str, doctors: &[&Doctor]) -> String {
    let employees: Vec<serde_json::Value> = doctors
        .iter()
        .map(|d| {
            let dob = format!("1998-04-{:02}", 1 + d.n % 28);
            serde_json::json!({
                "id": format!("E{}", d.n), "firstName": d.forenames, "surname": d.surname,
                "birthDate": dob, "email": d.email, "esrIdentifier": d.esr,
                "records": [
                    {"recordType": "Identity", "legalFirstName": d.forenames, "legalSurname": d.surname,
                     "birthDate": dob, "identityCheckMethod": "Identity service provider",
                     "evidenceCheckedBy": "Synthetic Identity Service Ltd", "dateOfIdCheck": day(-400),
                     "GPG45profile": "H1A"},
                    {"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council",
                     "registrationNumber": d.gmc, "registrationDate": "2024-07-25",
                     "registrationCheckDate": day(-100)},
                    {"recordType": "DBSCheckOutcome", "applicantFirstName": d.forenames, "applicantMiddleNames": "",
                     "applicantSurname": d.surname, "applicantDateOfBirth": dob,
                     "typeOfDbsCheck": "Enhanced with barred list(s) check",
                     "adultsBarredListChecked": "true", "childrensBarredListChecked": "true",
                     "certificateNumber": format!("{:012}", 9_200_000_000u64 + d.n as u64),
                     "disclosureIssueDate": day(-365), "informationDisclosed": "false",
                     "workforceType": "Child and Adult", "registeredBodyNumber": "20000000001",
                     "registeredBodyName": "Synthetic Registered Body Ltd"},
                    {"recordType": "RightToWork", "legalFirstName": d.forenames, "legalSurname": d.surname,
                     "birthDate": dob, "identityDocumentExpiryDate": "2031-04-30",
                     "identityVerified": "true", "evidenceCheckedBy": "Synthetic Identity Service Ltd",
                     "dateOfIdCheck": day(-400), "GPG45profile": "H1A"}
                ]
            })
        })
        .collect();
    serde_json::json!({"system": format!("{}-recruitment", trust.to_lowercase()), "employees": employees})
        .to_string()
}

/// NHS England's programme and each doctor's next placement, at R0A.
pub fn tis_csv(doctors: &[&Doctor]) -> String {
    let mut out = String::from("gmc_number,forenames,surname,email,programme_name,programme_number,training_number,curriculum,programme_specialty,designated_body,local_office,programme_start_date,programme_end_date,placement_id,site_code,site_name,grade,specialty,national_post_number,employing_body_ods,training_body_ods,placement_start_date,placement_end_date,whole_time_equivalent,placement_type,placement_status\n");
    for d in doctors {
        out.push_str(&format!(
            "{gmc},{first},{last},{email},Synthetic Foundation Programme,SFP-{n},,Foundation,Foundation,NHS England (synthetic),Synthetic Region,{pstart},{pend},{pid},{site},{sname},{grade},{spec},SYN/{site}/{grade}/{n},R0A,R0A,{start},{end},1,In post,Future\n",
            gmc = d.gmc,
            first = d.forenames,
            last = quoted(&d.surname),
            email = d.email,
            n = d.n,
            pstart = day(-365),
            pend = day(365),
            pid = 500_000 + d.n,
            site = d.site_code,
            sname = quoted(d.site_name),
            grade = d.grade,
            spec = d.specialty,
            start = d.start,
            end = d.end,
        ));
    }
    out
}

/// The receiving trust's rotation list.
pub fn rotation_csv(doctors: &[Doctor]) -> String {
    let mut out = String::from("gmc_number,forenames,surname,email,grade,specialty,site_code,site_name,start_date,end_date,role_profile\n");
    for d in doctors {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{PROFILE}\n",
            d.gmc,
            d.forenames,
            quoted(&d.surname),
            d.email,
            d.grade,
            d.specialty,
            d.site_code,
            quoted(d.site_name),
            d.start,
            d.end,
        ));
    }
    out
}

/// Every doctor's records, at their trust and at NHS England.
pub async fn import_records(server: &TestServer, doctors: &[Doctor]) {
    for trust in ISSUING {
        let theirs: Vec<&Doctor> = doctors.iter().filter(|d| d.trust == trust).collect();
        import(
            server,
            trust,
            ImportKind::EsrStaff,
            &staff_csv(trust, &theirs),
        )
        .await;
        import(
            server,
            trust,
            ImportKind::EsrCompetences,
            &competences_csv(&theirs),
        )
        .await;
        import(
            server,
            trust,
            ImportKind::OccupationalHealth,
            &oh_csv(trust, &theirs),
        )
        .await;
        import(
            server,
            trust,
            ImportKind::DspJson,
            &dsp_json(trust, &theirs),
        )
        .await;
    }
    let all: Vec<&Doctor> = doctors.iter().collect();
    import(server, "X24", ImportKind::TisPlacements, &tis_csv(&all)).await;
}
