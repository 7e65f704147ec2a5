//! The synthetic changeover: doctors in training employed by three issuing trusts (RHQ, RTH,
//! RJ1), each with their records there (ESR assignment and CSTF competences, an OH clearance,
//! identity, GMC registration, Enhanced DBS and right to work from the DSP API) and NHS
//! England's programme and next placement (TIS), all moving to R0A, and R0A's rotation list. The
//! files are written in the formats of `samples/` so they go through the real parsers and
//! import. `passport bench changeover` and the server's rotation tests both use it; what a
//! doctor was trained in is the caller's ([`Award`]s), so a test can leave a subject out or
//! make one expired. Dates are relative to today, so the outcome never drifts. Every person is
//! invented.
use super::amara::day;
use super::DemoFile;
use crate::orgs::OrgConfig;
use passport_records::ImportKind;
use std::collections::HashMap;

pub const RECEIVING: &str = "R0A";
pub const NHS_ENGLAND: &str = "X24";
pub const ISSUING: [&str; 3] = ["RHQ", "RTH", "RJ1"];
pub const PROFILE: &str = "foundation-doctor-medicine";

/// Credentials a doctor holds besides CSTF competences: ESR assignment, OH clearance, the four
/// DSP records, NHS England's programme and placement.
pub const NON_COMPETENCE: usize = 8;

/// A CSTF subject (ESR competence name) and when it was awarded, in days from today.
pub type Award = (&'static str, i64);

/// How many of [`SUBJECTS`] the foundation profile asks for (the first ones).
pub const FOUNDATION_SUBJECTS: usize = 11;

/// The eleven subjects the foundation profile asks for (a doctor given fewer than 19
/// credentials lacks some, and has gaps), then others of the CSTF and MAND lists,
/// each with how many days ago it was awarded (long enough ago to be real, recent enough to
/// last the placement).
pub const SUBJECTS: &[Award] = &[
    ("NHS|CSTF|Conflict Resolution - 3 Years|", -200),
    (
        "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|",
        -200,
    ),
    ("NHS|CSTF|Fire Safety - 2 Years|", -60),
    ("NHS|CSTF|Health, Safety and Welfare - 3 Years|", -200),
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
    (
        "NHS|MAND|Oliver McGowan Mandatory Training - Tier 1 - 3 Years|",
        -200,
    ),
    (
        "NHS|CSTF|Infection Prevention and Control - Level 1 - 3 Years|",
        -200,
    ),
    ("NHS|CSTF|Moving and Handling - Level 2 - 2 Years|", -90),
    (
        "NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|",
        -200,
    ),
    (
        "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
        -30,
    ),
    (
        "NHS|CSTF|Resuscitation - Level 2 - Newborn Life Support - 1 Year|",
        -30,
    ),
    (
        "NHS|CSTF|Resuscitation - Level 2 - Paediatric Basic Life Support - 1 Year|",
        -30,
    ),
    ("NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|", -200),
];

/// Most credentials a doctor can be given.
pub const MAX_CREDENTIALS: usize = NON_COMPETENCE + SUBJECTS.len();

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

/// The third issuing trust, beside the demo's RHQ and RTH.
pub fn third_trust() -> OrgConfig {
    OrgConfig {
        ods_code: "RJ1".into(),
        name: "Southgate Hospitals NHS Trust (synthetic)".into(),
        kind: "trust".into(),
        may_issue: vec![],
    }
}

/// Doctor `n` of the changeover: everything about them follows from `n`.
#[derive(Debug, Clone)]
pub struct Doctor {
    pub n: usize,
    pub trust: &'static str,
    pub gmc: String,
    pub esr: String,
    pub forenames: &'static str,
    pub surname: String,
    pub dob: String,
    pub email: String,
    pub grade: &'static str,
    pub specialty: &'static str,
    pub site: (&'static str, &'static str),
    pub start: String,
    pub end: String,
}

/// Doctor `n` (`n` below 2,000,000: GMC numbers are seven digits).
pub fn doctor(n: usize) -> Doctor {
    let offset = if n.is_multiple_of(5) { 21 } else { 14 };
    Doctor {
        n,
        trust: ISSUING[n % 3],
        gmc: format!("{}", 7_000_000 + n),
        esr: format!("{}", 11_000_000 + n),
        forenames: FORENAMES[n % 10],
        // Names carry no digits: unique (forename, surname) pairs up to 200 doctors.
        surname: if n < 100 {
            SURNAMES[(n / 10) % 10].to_string()
        } else {
            format!("{}-Brown", SURNAMES[(n / 10) % 10])
        },
        dob: format!("19{}-{:02}-{:02}", 90 + n % 9, 1 + n % 12, 1 + n % 28),
        email: format!("doctor.{n}@nhs.example"),
        grade: if n.is_multiple_of(2) { "FY1" } else { "FY2" },
        specialty: SPECIALTIES[n % 4],
        site: SITES[n % 3],
        start: day(offset),
        end: day(offset + 180),
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn staff_csv(trust: &str, doctors: &[&Doctor]) -> String {
    let mut out = String::from("esr_person_id,assignment_number,title,forenames,surname,date_of_birth,email,gmc_number,organisation_ods,organisation_name,staff_group,job_role,position_title,grade,assignment_category,assignment_status,whole_time_equivalent,start_date,end_date,primary_assignment\n");
    let (start, end) = (day(-365), day(13));
    for d in doctors {
        out.push_str(&format!(
            "{esr},{asg},Dr,{first},{last},{dob},{email},{gmc},{trust},{trust} (synthetic),Medical and Dental,Foundation Year 2,{grade} Doctor,{grade},Fixed Term Temp,Active Assignment,1,{start},{end},Y\n",
            esr = d.esr,
            asg = 21_000_000 + d.n,
            first = d.forenames,
            last = quoted(&d.surname),
            dob = d.dob,
            email = d.email,
            gmc = d.gmc,
            grade = d.grade,
        ));
    }
    out
}

fn competences_csv(doctors: &[&Doctor], awards: &dyn Fn(&Doctor) -> Vec<Award>) -> String {
    let mut out = String::from("esr_person_id,forenames,surname,competence_name,date_achieved,expiry_date,awarding_organisation,learning_method,assessed,assessor_name,assessor_role,description,status\n");
    let mut dates: HashMap<i64, String> = HashMap::new();
    for d in doctors {
        for (name, offset) in awards(d) {
            let date = dates.entry(offset).or_insert_with(|| day(offset));
            out.push_str(&format!(
                "{},{},{},{},{date},,,E-Learning,N,,,,\n",
                d.esr,
                d.forenames,
                quoted(&d.surname),
                quoted(name),
            ));
        }
    }
    out
}

fn oh_csv(trust: &str, doctors: &[&Doctor]) -> String {
    let mut out = String::from("esr_person_id,forenames,surname,record_kind,code,description,date,result,interpretation,clearance_outcome,adjustments_summary,epp_cleared,epp_clearance_date,role_risk_category,review_date,oh_provider,status\n");
    let date = day(-120);
    for d in doctors {
        out.push_str(&format!(
            "{},{},{},clearance,,,{date},,,Fit,,N,,\"Clinical, no exposure-prone procedures\",,{trust},\n",
            d.esr,
            d.forenames,
            quoted(&d.surname),
        ));
    }
    out
}

/// Identity, GMC registration, an Enhanced DBS a year old, right to work.
fn dsp_json(trust: &str, doctors: &[&Doctor]) -> String {
    let (checked, dbs, registration) = (day(-400), day(-365), day(-100));
    let employees: Vec<serde_json::Value> = doctors
        .iter()
        .map(|d| {
            serde_json::json!({
                "id": format!("E{}", d.n), "firstName": d.forenames, "surname": d.surname,
                "birthDate": d.dob, "email": d.email, "esrIdentifier": d.esr,
                "records": [
                    {"recordType": "Identity", "legalFirstName": d.forenames, "legalSurname": d.surname,
                     "birthDate": d.dob, "identityCheckMethod": "Identity service provider",
                     "evidenceCheckedBy": "Synthetic Identity Service Ltd", "dateOfIdCheck": checked,
                     "GPG45profile": "H1A"},
                    {"recordType": "ProfessionalRegistration", "professionalBody": "General Medical Council",
                     "registrationNumber": d.gmc, "registrationDate": "2024-07-25",
                     "registrationCheckDate": registration},
                    {"recordType": "DBSCheckOutcome", "applicantFirstName": d.forenames, "applicantMiddleNames": "",
                     "applicantSurname": d.surname, "applicantDateOfBirth": d.dob,
                     "typeOfDbsCheck": "Enhanced with barred list(s) check",
                     "adultsBarredListChecked": "true", "childrensBarredListChecked": "true",
                     "certificateNumber": format!("{:012}", 900_000_000_000u64 + d.n as u64),
                     "disclosureIssueDate": dbs, "informationDisclosed": "false",
                     "workforceType": "Child and Adult", "registeredBodyNumber": "20000000001",
                     "registeredBodyName": "Synthetic Registered Body Ltd"},
                    {"recordType": "RightToWork", "legalFirstName": d.forenames, "legalSurname": d.surname,
                     "birthDate": d.dob, "identityDocumentExpiryDate": "2031-04-30",
                     "identityVerified": "true", "evidenceCheckedBy": "Synthetic Identity Service Ltd",
                     "dateOfIdCheck": checked, "GPG45profile": "H1A"}
                ]
            })
        })
        .collect();
    serde_json::json!({"system": format!("{}-recruitment", trust.to_lowercase()), "employees": employees})
        .to_string()
}

/// NHS England's programme and each doctor's next placement, at R0A.
fn tis_csv(doctors: &[&Doctor]) -> String {
    let mut out = String::from("gmc_number,forenames,surname,email,programme_name,programme_number,training_number,curriculum,programme_specialty,designated_body,local_office,programme_start_date,programme_end_date,placement_id,site_code,site_name,grade,specialty,national_post_number,employing_body_ods,training_body_ods,placement_start_date,placement_end_date,whole_time_equivalent,placement_type,placement_status\n");
    let (pstart, pend) = (day(-365), day(365));
    for d in doctors {
        out.push_str(&format!(
            "{gmc},{first},{last},{email},Synthetic Foundation Programme,SFP-{n},,Foundation,Foundation,NHS England (synthetic),Synthetic Region,{pstart},{pend},{pid},{site},{sname},{grade},{spec},SYN/{site}/{grade}/{n},{RECEIVING},{RECEIVING},{start},{end},1,In post,Future\n",
            gmc = d.gmc,
            first = d.forenames,
            last = quoted(&d.surname),
            email = d.email,
            n = d.n,
            pid = 500_000 + d.n,
            site = d.site.0,
            sname = quoted(d.site.1),
            grade = d.grade,
            spec = d.specialty,
            start = d.start,
            end = d.end,
        ));
    }
    out
}

/// The files holding `doctors`' records: four per issuing trust (no competences file where
/// nobody was awarded anything), one for NHS England. `awards` says what each doctor was
/// trained in: [`awards`] for the first subjects of the list.
pub fn record_files(doctors: &[&Doctor], awards: &dyn Fn(&Doctor) -> Vec<Award>) -> Vec<DemoFile> {
    let mut out = Vec::new();
    for trust in ISSUING {
        let theirs: Vec<&Doctor> = doctors
            .iter()
            .copied()
            .filter(|d| d.trust == trust)
            .collect();
        if theirs.is_empty() {
            continue;
        }
        let file = |kind, text| DemoFile {
            org: trust.to_string(),
            kind,
            text,
        };
        out.push(file(ImportKind::EsrStaff, staff_csv(trust, &theirs)));
        if theirs.iter().any(|d| !awards(d).is_empty()) {
            out.push(file(
                ImportKind::EsrCompetences,
                competences_csv(&theirs, awards),
            ));
        }
        out.push(file(ImportKind::OccupationalHealth, oh_csv(trust, &theirs)));
        out.push(file(ImportKind::DspJson, dsp_json(trust, &theirs)));
    }
    out.push(DemoFile {
        org: NHS_ENGLAND.to_string(),
        kind: ImportKind::TisPlacements,
        text: tis_csv(doctors),
    });
    out
}

/// The first `count` subjects of [`SUBJECTS`], awarded as it says (a doctor with
/// `credentials` records in all has `credentials - NON_COMPETENCE` of them).
pub fn awards(count: usize) -> Vec<Award> {
    SUBJECTS.iter().copied().take(count).collect()
}

/// The receiving trust's rotation list of `doctors` (samples/README.md columns).
pub fn rotation_csv<'a>(doctors: impl IntoIterator<Item = &'a Doctor>) -> String {
    let mut out = String::new();
    out.push_str("gmc_number,forenames,surname,email,grade,specialty,site_code,site_name,start_date,end_date,role_profile\n");
    for d in doctors {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{PROFILE}\n",
            d.gmc,
            d.forenames,
            quoted(&d.surname),
            d.email,
            d.grade,
            d.specialty,
            d.site.0,
            quoted(d.site.1),
            d.start,
            d.end,
        ));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every file parses, and a doctor has exactly the records asked for.
    #[test]
    fn every_doctor_has_the_credentials_asked_for() {
        let doctors: Vec<Doctor> = (0..7).map(doctor).collect();
        let all: Vec<&Doctor> = doctors.iter().collect();
        for credentials in [NON_COMPETENCE, 20, MAX_CREDENTIALS] {
            let mut records = 0;
            let subjects = credentials - NON_COMPETENCE;
            for f in record_files(&all, &|_| awards(subjects)) {
                records += passport_records::parse(f.kind, &f.text, &f.org)
                    .unwrap_or_else(|e| panic!("{:?}: {e}", f.kind))
                    .len();
            }
            assert_eq!(records, doctors.len() * credentials, "{credentials}");
        }
        let list = rotation_csv(&doctors);
        let entries = passport_records::parse_rotation(&list, &[PROFILE]).unwrap();
        assert_eq!(entries.len(), 7);
        assert_eq!(entries[3].gmc_number, doctor(3).gmc);
        // Beyond a hundred doctors the surnames change, so names stay unique.
        let names: std::collections::HashSet<(String, String)> = (0..200)
            .map(doctor)
            .map(|d| (d.forenames.to_string(), d.surname))
            .collect();
        assert_eq!(names.len(), 200);
    }
}
