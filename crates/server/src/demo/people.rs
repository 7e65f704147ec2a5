//! Invented staff for the demo, written as the files trust systems export (the formats of
//! `samples/`), so the demo exercises the real import path. Deterministic: the same `staff`
//! gives the same files, so seeding again changes nothing.
use passport_records::ImportKind;

/// One file to import into one organisation.
pub struct DemoFile {
    pub org: String,
    pub kind: ImportKind,
    pub text: String,
}

const TRUSTS: &[(&str, &str, &str)] = &[
    (
        "RHQ",
        "Northfield Teaching Hospitals NHS Foundation Trust (synthetic)",
        "RHQ01",
    ),
    (
        "R0A",
        "Eastbridge University NHS Foundation Trust (synthetic)",
        "R0A02",
    ),
    ("RTH", "Westmoor Hospitals NHS Trust (synthetic)", "RTH01"),
];

const GIVEN: &[&str] = &[
    "Amara",
    "Tomasz",
    "Priya",
    "Siobhan",
    "David",
    "Grace",
    "Oluwaseun",
    "Fatima",
    "Niamh",
    "Hannah",
    "Jose",
    "Mei",
    "Arjun",
    "Chloe",
    "Kwame",
    "Ewa",
    "Rhys",
    "Leila",
    "Callum",
    "Zainab",
    "Isla",
    "Mateusz",
    "Ananya",
    "Declan",
    "Yusuf",
    "Freya",
    "Kofi",
    "Aoife",
];
const FAMILY: &[&str] = &[
    "Okafor",
    "Kowalczyk",
    "Raman-Shah",
    "O'Connell",
    "Mensah",
    "Whitfield",
    "Adeyemi",
    "Al-Sayed",
    "Byrne",
    "Lee",
    "Alvarez Ruiz",
    "Chen",
    "Patel",
    "Hughes",
    "Asante",
    "Nowak",
    "Evans",
    "Haddad",
    "MacLeod",
    "Bello",
    "Fraser",
    "Wisniewski",
    "Iyer",
    "Gallagher",
    "Demir",
    "Sorensen",
    "Boateng",
    "Murphy",
    "Thornbury",
    "Ashdown",
];

/// (staff group, job role, position, grade, kind of registration)
const ROLES: &[(&str, &str, &str, &str, Reg)] = &[
    (
        "Medical and Dental",
        "Foundation Year 1",
        "FY1 Doctor - General Medicine",
        "FY1",
        Reg::Gmc,
    ),
    (
        "Medical and Dental",
        "Foundation Year 2",
        "FY2 Doctor - Acute Medicine",
        "FY2",
        Reg::Gmc,
    ),
    (
        "Medical and Dental",
        "Specialty Registrar",
        "Specialty Registrar - General Surgery",
        "ST4",
        Reg::Gmc,
    ),
    (
        "Nursing and Midwifery Registered",
        "Staff Nurse",
        "Staff Nurse - Ward A2",
        "Band 5",
        Reg::Nmc,
    ),
    (
        "Nursing and Midwifery Registered",
        "Staff Nurse",
        "Staff Nurse - Emergency Department",
        "Band 5",
        Reg::Nmc,
    ),
    (
        "Nursing and Midwifery Registered",
        "Sister/Charge Nurse",
        "Ward Sister - Respiratory",
        "Band 6",
        Reg::Nmc,
    ),
    (
        "Allied Health Professionals",
        "Physiotherapist",
        "Physiotherapist - Musculoskeletal",
        "Band 6",
        Reg::Hcpc,
    ),
    (
        "Additional Clinical Services",
        "Healthcare Assistant",
        "Healthcare Assistant - Ward B1",
        "Band 3",
        Reg::None,
    ),
    (
        "Administrative and Clerical",
        "Medical Staffing Officer",
        "Medical Staffing Officer",
        "Band 4",
        Reg::None,
    ),
    (
        "Estates and Ancillary",
        "Porter",
        "Hospital Porter",
        "Band 2",
        Reg::None,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reg {
    Gmc,
    Nmc,
    Hcpc,
    None,
}

const CSTF: &[&str] = &[
    "NHS|CSTF|Conflict Resolution - 3 Years|",
    "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|",
    "NHS|CSTF|Fire Safety - 2 Years|",
    "NHS|CSTF|Health, Safety and Welfare - 3 Years|",
    "NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|",
    "NHS|CSTF|Information Governance and Data Security - 1 Year|",
    "NHS|CSTF|Moving and Handling - Level 2 - 2 Years|",
    "NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|",
    "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
    "NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|",
    "NHS|CSTF|Safeguarding Children - Level 2 - 3 Years|",
];

/// A small deterministic generator (xorshift): the demo must be the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A date `days` before 2026-08-05 (the August 2026 changeover), as YYYY-MM-DD.
fn date_before_changeover(days: u64) -> String {
    // Days from 1970-01-01 to 2026-08-05.
    let anchor: i64 = 20_670;
    civil(anchor - days as i64)
}

/// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
fn civil(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

struct Person {
    trust: usize,
    esr: u64,
    given: &'static str,
    family: &'static str,
    dob: String,
    email: String,
    role: usize,
    reg: String,
}

fn people(staff: usize) -> Vec<Person> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..staff)
        .map(|i| {
            let given = GIVEN[rng.below(GIVEN.len() as u64) as usize];
            let family = FAMILY[rng.below(FAMILY.len() as u64) as usize];
            let role = i % ROLES.len();
            let n = i as u64 + 1;
            let reg = match ROLES[role].4 {
                Reg::Gmc => format!("{}", 7_000_000 + n),
                Reg::Nmc => format!("{:02}A{:04}E", n % 100, n % 10_000),
                Reg::Hcpc => format!("PH{:05}", 10_000 + n),
                Reg::None => String::new(),
            };
            let email_name: String = format!("{given}.{family}.{n}")
                .to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            Person {
                trust: i % TRUSTS.len(),
                esr: 30_000_000 + n,
                given,
                family,
                dob: date_before_changeover(8_000 + rng.below(12_000)),
                email: format!("{email_name}@nhs.example"),
                role,
                reg,
            }
        })
        .collect()
}

const ESR_HEADER: &str = "esr_person_id,assignment_number,title,forenames,surname,date_of_birth,email,ni_number,gmc_number,nmc_pin,hcpc_number,organisation_ods,organisation_name,staff_group,job_role,position_title,grade,assignment_category,assignment_status,whole_time_equivalent,start_date,end_date,primary_assignment\n";
const COMPETENCE_HEADER: &str = "esr_person_id,forenames,surname,competence_name,date_achieved,expiry_date,awarding_organisation,learning_method,assessed,assessor_name,assessor_role,description,status\n";
const OH_HEADER: &str = "esr_person_id,forenames,surname,record_kind,code,description,date,result,interpretation,clearance_outcome,adjustments_summary,epp_cleared,epp_clearance_date,role_risk_category,review_date,oh_provider,status\n";
const TIS_HEADER: &str = "gmc_number,forenames,surname,email,programme_name,programme_number,training_number,curriculum,programme_specialty,designated_body,local_office,programme_start_date,programme_end_date,placement_id,site_code,site_name,grade,specialty,national_post_number,employing_body_ods,training_body_ods,placement_start_date,placement_end_date,whole_time_equivalent,placement_type,placement_status\n";

/// The demo's files: ESR staff and competences for each trust, one OH export for the OH
/// provider, one TIS export for NHS England.
pub fn files(staff: usize) -> Vec<DemoFile> {
    let people = people(staff);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::new();
    for (t, (ods, name, _)) in TRUSTS.iter().enumerate() {
        let mut esr = String::from(ESR_HEADER);
        let mut comp = String::from(COMPETENCE_HEADER);
        // A second export, from another learning system, with a few names spelt differently.
        let mut mismatched = String::from(COMPETENCE_HEADER);
        for p in people.iter().filter(|p| p.trust == t) {
            let (group, job, position, grade, reg) = ROLES[p.role];
            let (gmc, nmc, hcpc) = match reg {
                Reg::Gmc => (p.reg.as_str(), "", ""),
                Reg::Nmc => ("", p.reg.as_str(), ""),
                Reg::Hcpc => ("", "", p.reg.as_str()),
                Reg::None => ("", "", ""),
            };
            let esr_id = p.esr.to_string();
            let assignment = (p.esr + 10_000_000).to_string();
            let ni = format!("QQ{:06}A", p.esr % 1_000_000);
            let doctor = reg == Reg::Gmc;
            let (category, start, end) = if doctor {
                ("Fixed Term Temp", "2025-08-06", "2026-08-04")
            } else {
                ("Permanent", "2019-04-01", "")
            };
            let title = if doctor { "Dr" } else { "Mx" };
            esr.push_str(&row(&[
                &esr_id,
                &assignment,
                title,
                p.given,
                p.family,
                &p.dob,
                &p.email,
                &ni,
                gmc,
                nmc,
                hcpc,
                ods,
                name,
                group,
                job,
                position,
                grade,
                category,
                "Active Assignment",
                "1",
                start,
                end,
                "Y",
            ]));
            // Every third doctor also does locum shifts through the trust's bank; every seventh
            // nurse or HCA works bank shifts: a second, concurrent assignment.
            if (reg == Reg::Gmc && p.esr.is_multiple_of(3))
                || (matches!(reg, Reg::Nmc | Reg::None) && p.esr.is_multiple_of(7))
            {
                esr.push_str(&row(&[
                    &esr_id,
                    &format!("{assignment}-2"),
                    title,
                    p.given,
                    p.family,
                    &p.dob,
                    &p.email,
                    &ni,
                    gmc,
                    nmc,
                    hcpc,
                    ods,
                    name,
                    group,
                    job,
                    &format!("Bank {position}"),
                    grade,
                    "Bank",
                    "Active Assignment",
                    "",
                    "2022-01-10",
                    "",
                    "N",
                ]));
            }
            for (k, subject) in CSTF.iter().enumerate() {
                // A few people lack a subject, so reports have gaps to show.
                if (p.esr + k as u64).is_multiple_of(13) {
                    continue;
                }
                let achieved = date_before_changeover(20 + rng.below(1_000));
                comp.push_str(&row(&[
                    &esr_id,
                    p.given,
                    p.family,
                    subject,
                    &achieved,
                    "",
                    ods,
                    "E-Learning",
                    "N",
                    "",
                    "",
                    "",
                    "",
                ]));
            }
            // The learning system spells a few surnames differently from ESR: the import queues
            // these for a person to match in the portal instead of guessing.
            if p.esr % 67 == 1 {
                mismatched.push_str(&row(&[
                    &esr_id,
                    p.given,
                    &format!("{}-Smith", p.family),
                    "NHS|MAND|Oliver McGowan Mandatory Training - Tier 1 - 3 Years|",
                    &date_before_changeover(10),
                    "",
                    ods,
                    "Classroom",
                    "N",
                    "",
                    "",
                    "",
                    "",
                ]));
            }
            if matches!(reg, Reg::Nmc) {
                comp.push_str(&row(&[
                    &esr_id,
                    p.given,
                    p.family,
                    &format!("{ods}|SKILL|Venepuncture|"),
                    &date_before_changeover(400 + rng.below(900)),
                    "",
                    "",
                    "",
                    "",
                    "Ruth Adebayo",
                    "Clinical Nurse Educator",
                    "Taking venous blood samples from adults",
                    "",
                ]));
            }
        }
        out.push(DemoFile {
            org: (*ods).into(),
            kind: ImportKind::EsrStaff,
            text: esr,
        });
        out.push(DemoFile {
            org: (*ods).into(),
            kind: ImportKind::EsrCompetences,
            text: comp,
        });
        if mismatched.lines().count() > 1 {
            out.push(DemoFile {
                org: (*ods).into(),
                kind: ImportKind::EsrCompetences,
                text: mismatched,
            });
        }
    }
    out.push(DemoFile {
        org: "OHP01".into(),
        kind: ImportKind::OccupationalHealth,
        text: oh_file(&people, &mut rng),
    });
    out.push(DemoFile {
        org: "X24".into(),
        kind: ImportKind::TisPlacements,
        text: tis_file(&people),
    });
    out
}

/// Every CSTF and MAND competence of the sample format: with one assignment, 20 records a person.
const ALL_COMPETENCES: &[&str] = &[
    "NHS|CSTF|Conflict Resolution - 3 Years|",
    "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|",
    "NHS|CSTF|Fire Safety - 2 Years|",
    "NHS|CSTF|Health, Safety and Welfare - 3 Years|",
    "NHS|CSTF|Infection Prevention and Control - Level 1 - 3 Years|",
    "NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|",
    "NHS|CSTF|Information Governance and Data Security - 1 Year|",
    "NHS|CSTF|Moving and Handling - Level 1 - 3 Years|",
    "NHS|CSTF|Moving and Handling - Level 2 - 2 Years|",
    "NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|",
    "NHS|CSTF|Preventing Radicalisation - Level 3 - 3 Years|",
    "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
    "NHS|CSTF|Resuscitation - Level 2 - Newborn Life Support - 1 Year|",
    "NHS|CSTF|Resuscitation - Level 2 - Paediatric Basic Life Support - 1 Year|",
    "NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|",
    "NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|",
    "NHS|CSTF|Safeguarding Children - Level 2 - 3 Years|",
    "NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|",
    "NHS|MAND|Oliver McGowan Mandatory Training - Tier 1 - 3 Years|",
];

/// Files for `passport bench issue`: `staff` people at RHQ, each with one assignment and 19
/// competences (20 records), in chunks of at most `chunk` people per file pair.
pub fn bench_files(staff: usize, chunk: usize) -> Vec<DemoFile> {
    let people = people(staff);
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let (ods, name, _) = TRUSTS[0];
    let mut out = Vec::new();
    for group in people.chunks(chunk.max(1)) {
        let mut esr = String::from(ESR_HEADER);
        let mut comp = String::from(COMPETENCE_HEADER);
        for p in group {
            let (group_name, job, position, grade, _) = ROLES[p.role];
            let esr_id = p.esr.to_string();
            esr.push_str(&row(&[
                &esr_id,
                &(p.esr + 10_000_000).to_string(),
                "Mx",
                p.given,
                p.family,
                &p.dob,
                &p.email,
                "",
                "",
                "",
                "",
                ods,
                name,
                group_name,
                job,
                position,
                grade,
                "Permanent",
                "Active Assignment",
                "1",
                "2019-04-01",
                "",
                "Y",
            ]));
            for subject in ALL_COMPETENCES {
                comp.push_str(&row(&[
                    &esr_id,
                    p.given,
                    p.family,
                    subject,
                    &date_before_changeover(20 + rng.below(1_000)),
                    "",
                    ods,
                    "E-Learning",
                    "N",
                    "",
                    "",
                    "",
                    "",
                ]));
            }
        }
        out.push(DemoFile {
            org: ods.into(),
            kind: ImportKind::EsrStaff,
            text: esr,
        });
        out.push(DemoFile {
            org: ods.into(),
            kind: ImportKind::EsrCompetences,
            text: comp,
        });
    }
    out
}

fn oh_file(people: &[Person], rng: &mut Rng) -> String {
    let mut oh = String::from(OH_HEADER);
    for p in people {
        let esr_id = p.esr.to_string();
        let epp = ROLES[p.role].2.contains("Surgery");
        let cleared = date_before_changeover(30 + rng.below(1_400));
        let ods = TRUSTS[p.trust].0;
        let (risk, epp_flag, epp_date) = if epp {
            ("Clinical, exposure-prone procedures", "Y", cleared.as_str())
        } else {
            ("Clinical, no exposure-prone procedures", "N", "")
        };
        oh.push_str(&row(&[
            &esr_id,
            p.given,
            p.family,
            "clearance",
            "",
            "",
            &cleared,
            "",
            "",
            "Fit",
            "",
            epp_flag,
            epp_date,
            risk,
            "",
            ods,
            "",
        ]));
        oh.push_str(&row(&[
            &esr_id,
            p.given,
            p.family,
            "vaccination",
            "MMR002",
            "Measles Mumps and Rubella Vaccine (second dose)",
            "2003",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]));
        if epp {
            for (code, what) in [
                ("HBSAG001", "Hepatitis B Surface Antigen Test (IVS)"),
                ("HCVAB001", "Hepatitis C Antibody Test (IVS)"),
                ("HIVAB001", "HIV Antibody Test (IVS)"),
            ] {
                oh.push_str(&row(&[
                    &esr_id,
                    p.given,
                    p.family,
                    "test",
                    code,
                    what,
                    &cleared,
                    "",
                    "Not detected",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]));
            }
        }
    }
    oh
}

fn tis_file(people: &[Person]) -> String {
    let mut tis = String::from(TIS_HEADER);
    for p in people.iter().filter(|p| ROLES[p.role].4 == Reg::Gmc) {
        let (_, _, position, grade, _) = ROLES[p.role];
        let foundation = grade.starts_with("FY");
        let (programme, number, training_number, curriculum, specialty, start, end) = if foundation
        {
            (
                "Northfield Foundation Programme",
                format!("NFP-2025-{:04}", p.esr % 10_000),
                String::new(),
                "Foundation",
                "Foundation",
                "2025-08-06",
                "2027-08-03",
            )
        } else {
            (
                "General Surgery Higher Training",
                format!("GS-NF-{:04}", p.esr % 10_000),
                format!("NFD/GS/{:04}/N", p.esr % 10_000),
                "General Surgery",
                "General Surgery",
                "2023-08-02",
                "2029-08-07",
            )
        };
        let here = &TRUSTS[p.trust];
        let next = &TRUSTS[(p.trust + 1) % TRUSTS.len()];
        let placements = [
            (p.esr * 10, here, "2025-08-06", "2026-08-04", "Current"),
            (p.esr * 10 + 1, next, "2026-08-05", "2027-08-03", "Future"),
        ];
        for (id, (ods, _, site), from, to, status) in placements {
            let post = format!("NFD/{site}/{grade}/{:03}", p.esr % 1000);
            tis.push_str(&row(&[
                &p.reg,
                p.given,
                p.family,
                &p.email,
                programme,
                &number,
                &training_number,
                curriculum,
                specialty,
                "NHS England North East and Yorkshire (synthetic)",
                "North East and Yorkshire",
                start,
                end,
                &id.to_string(),
                site,
                position,
                grade,
                specialty,
                &post,
                ods,
                ods,
                from,
                to,
                "1",
                "In post",
                status,
            ]));
        }
    }
    tis
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_file_passes_its_parser() {
        for f in files(60) {
            let records = passport_records::parse(f.kind, &f.text, &f.org)
                .unwrap_or_else(|e| panic!("{:?} for {}: {e}", f.kind, f.org));
            assert!(!records.is_empty(), "{:?}", f.kind);
        }
    }

    #[test]
    fn the_demo_is_the_same_every_time_and_the_calendar_is_right() {
        let a: Vec<String> = files(30).into_iter().map(|f| f.text).collect();
        let b: Vec<String> = files(30).into_iter().map(|f| f.text).collect();
        assert_eq!(a, b);
        assert_eq!(date_before_changeover(0), "2026-08-05");
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(date_before_changeover(366), "2025-08-04");
    }
}
