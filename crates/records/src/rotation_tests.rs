use super::*;

const PROFILES: &[&str] = &["foundation-doctor-medicine", "specialty-registrar-surgery"];

const HEADER: &str = "gmc_number,forenames,surname,email,grade,specialty,site_code,site_name,start_date,end_date,role_profile\n";

fn row(gmc: &str) -> String {
    format!("{gmc},Amara,Okafor,amara.okafor@nhs.example,FY2,General Internal Medicine,R0A01,Eastbridge General Hospital,2026-08-05,2026-12-01,foundation-doctor-medicine\n")
}

fn errors(text: &str) -> Vec<RowError> {
    match parse_rotation(text, PROFILES) {
        Err(RecordsError::Rows(rows)) => rows,
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn a_good_list_gives_one_entry_per_doctor() {
    let text = format!("{HEADER}{}{}", row("9100001"), row("9100002"));
    let entries = parse_rotation(&text, PROFILES).unwrap();
    assert_eq!(entries.len(), 2);
    let e = &entries[0];
    assert_eq!(
        (e.line, e.gmc_number.as_str(), e.grade.as_str()),
        (2, "9100001", "FY2")
    );
    assert_eq!(
        (e.site_code.as_str(), e.site_name.as_deref()),
        ("R0A01", Some("Eastbridge General Hospital"))
    );
    assert_eq!(
        (e.start_date.as_str(), e.end_date.as_str()),
        ("2026-08-05", "2026-12-01")
    );
    assert_eq!(entries[1].line, 3);
}

#[test]
fn the_shipped_sample_parses() {
    let text = include_str!("../../../samples/rotation.csv");
    let entries = parse_rotation(
        text,
        &[
            "foundation-doctor-medicine",
            "specialty-registrar-surgery",
            "paediatric-registrar",
        ],
    )
    .unwrap();
    assert!(entries.len() >= 5);
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_nothing_is_returned() {
    let text = format!(
        "{HEADER}{}\
         123456,Amara,Okafor,a@nhs.example,FY2,GIM,R0A01,,2026-08-05,2026-12-01,foundation-doctor-medicine\n\
         9100003,Tom,Kowalczyk,not-an-address,ZZ9,GIM,R0A,,2026-13-01,2026-12-01,nurse\n\
         9100004,Chloe,Evans,c@nhs.example,ST1,Paediatrics,R0A01,,2026-08-05,2026-08-04,foundation-doctor-medicine\n\
         9100005,Priya\n\
         9100006,Priya,Shah,\"Priya <p@nhs.example>\",ST1,Paediatrics,R0A01,,2026-08-05,2026-09-04,foundation-doctor-medicine\n",
        row("9100001")
    );
    let rows = errors(&text);
    let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
    assert!(!lines.contains(&2), "the good row is not blamed: {rows:?}");
    for line in [3, 4, 5, 6, 7] {
        assert!(lines.contains(&line), "line {line} reported: {rows:?}");
    }
    let on = |line: usize| -> String {
        rows.iter()
            .filter(|r| r.line == line)
            .map(|r| r.reason.clone())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(on(3).contains("column gmc_number"), "{}", on(3));
    for column in ["email", "grade", "site_code", "start_date", "role_profile"] {
        assert!(
            on(4).contains(&format!("column {column}")),
            "{column}: {}",
            on(4)
        );
    }
    assert!(on(4).contains("not a role profile of this trust (known: foundation-doctor-medicine, specialty-registrar-surgery)"));
    assert!(on(5).contains("column end_date: '2026-08-04' is before the start date 2026-08-05"));
    assert!(on(6).contains("field(s) but the header has"));
    assert!(on(7).contains("not one plain e-mail address"));
}

#[test]
fn a_doctor_twice_in_the_file_is_refused_on_the_later_line() {
    let text = format!(
        "{HEADER}{}{}{}",
        row("9100001"),
        row("9100002"),
        row("9100001")
    );
    let rows = errors(&text);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].line, 4);
    assert!(
        rows[0].reason.contains("9100001 is also on line 2"),
        "{rows:?}"
    );
}

#[test]
fn missing_columns_and_empty_lists_make_the_file_unusable() {
    let err = parse_rotation("gmc_number,forenames\n9100001,Amara\n", PROFILES).unwrap_err();
    assert!(matches!(err, RecordsError::Format(m) if m.contains("email")));
    let err = parse_rotation(HEADER, PROFILES).unwrap_err();
    assert!(matches!(err, RecordsError::Format(m) if m.contains("no doctors")));
}

#[test]
fn quoting_follows_rfc_4180() {
    // Baseline: quoted fields with commas, doubled quotes and line breaks are fine.
    let good = "a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",z\n";
    assert!(rfc4180_problems(good).is_empty());
    assert_eq!(rfc4180_problems("a,b\nx\"y,z\n")[0].line, 2);
    assert!(rfc4180_problems("a,b\nx,\"y\"z\n")[0]
        .reason
        .contains("after a closing quote"));
    let open = rfc4180_problems("a,b\nx,y\n\"never closed,z\nw,v\n");
    assert_eq!((open.len(), open[0].line), (1, 3), "{open:?}");
    assert!(open[0].reason.contains("never closed"));
    assert!(rfc4180_problems("a,b\rx,y\n")[0]
        .reason
        .contains("carriage return"));
    // A structural problem is reported before any cell is read.
    let text = format!("{HEADER}{}9100002,\"Tom\"x,Evans\n", row("9100001"));
    let rows = errors(&text);
    assert_eq!((rows.len(), rows[0].line), (1, 3), "{rows:?}");
}

#[test]
fn grade_spelling_is_the_catalogues() {
    let text = format!(
        "{HEADER}9100001,Amara,Okafor,a@nhs.example,fy2,GIM,r0a01,,05/08/2026,01/12/2026,foundation-doctor-medicine\n"
    );
    let e = &parse_rotation(&text, PROFILES).unwrap()[0];
    assert_eq!(
        (
            e.grade.as_str(),
            e.site_code.as_str(),
            e.start_date.as_str()
        ),
        ("FY2", "R0A01", "2026-08-05")
    );
}
