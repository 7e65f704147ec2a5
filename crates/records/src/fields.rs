//! Checks of single values from import files. Each returns the normalised value or a
//! message saying what is wrong; the caller prefixes the column name.

use passport_catalogue::Catalogue;
use time::{Date, Month};

/// A full date: `YYYY-MM-DD`, or `DD/MM/YYYY` as ESR reports often write it; normalised to
/// ISO and checked to be a real day (no 31 April, 29 February only in leap years).
pub(crate) fn date(text: &str) -> Result<String, String> {
    let bad = || format!("'{text}' is not a date (YYYY-MM-DD or DD/MM/YYYY)");
    let parts: Vec<&str> = if text.contains('/') {
        let mut p: Vec<&str> = text.split('/').collect();
        p.reverse();
        p
    } else {
        text.split('-').collect()
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (year, month, day) = (
        number(y).ok_or_else(bad)?,
        number(m).ok_or_else(bad)?,
        number(d).ok_or_else(bad)?,
    );
    real_date(year, month, day).ok_or_else(bad)
}

/// A date that may be partial, as the OH record types allow: `YYYY`, `YYYY-MM`,
/// `YYYY-MM-DD` (or `DD/MM/YYYY`).
pub(crate) fn partial_date(text: &str) -> Result<String, String> {
    let bad = || format!("'{text}' is not a date (YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY)");
    match text.len() {
        4 => {
            let year = number(text).ok_or_else(bad)?;
            real_date(year, 1, 1)
                .map(|_| text.to_owned())
                .ok_or_else(bad)
        }
        7 => {
            let (y, m) = text.split_once('-').ok_or_else(bad)?;
            let (year, month) = (number(y).ok_or_else(bad)?, number(m).ok_or_else(bad)?);
            if y.len() != 4 {
                return Err(bad());
            }
            real_date(year, month, 1)
                .map(|_| text.to_owned())
                .ok_or_else(bad)
        }
        _ => date(text).map_err(|_| bad()),
    }
}

fn number(text: &str) -> Option<u16> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

/// The ISO form of a real date in 1900-2199 (older or later dates are typing errors here).
fn real_date(year: u16, month: u16, day: u16) -> Option<String> {
    if !(1900..=2199).contains(&year) {
        return None;
    }
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// An ODS organisation code: 3 to 6 letters or digits, upper-cased.
pub(crate) fn ods(text: &str) -> Result<String, String> {
    let code = text.to_ascii_uppercase();
    if (3..=6).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(format!(
            "'{text}' is not an ODS code (3 to 6 letters or digits, e.g. RHQ)"
        ))
    }
}

/// An ODS site code: exactly 5 letters or digits (trust code + 2), upper-cased.
pub(crate) fn site_code(text: &str) -> Result<String, String> {
    let code = text.to_ascii_uppercase();
    if code.len() == 5 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(format!(
            "'{text}' is not an ODS site code (5 letters or digits, e.g. RHQ01)"
        ))
    }
}

/// Free text of at most `max` characters, without control characters.
pub(crate) fn text(max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |value: &str| {
        if value.chars().any(char::is_control) {
            Err("contains control characters".to_owned())
        } else if value.chars().count() > max {
            Err(format!("is longer than {max} characters"))
        } else {
            Ok(value.to_owned())
        }
    }
}

/// A person's name: free text of at most 200 characters holding at least one letter (a
/// number here means the columns have shifted).
pub(crate) fn name(value: &str) -> Result<String, String> {
    let value = text(200)(value)?;
    if value.chars().any(char::is_alphabetic) && !value.chars().any(|c| c.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(format!("'{value}' is not a name"))
    }
}

/// An email address: one `@`, a non-empty local part and a dotted domain, no spaces.
pub(crate) fn email(value: &str) -> Result<String, String> {
    let ok = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(value.to_owned())
    } else {
        Err(format!("'{value}' is not an email address"))
    }
}

/// Yes or no: `Y`/`Yes`/`True`/`1` or `N`/`No`/`False`/`0`, any case.
pub(crate) fn yes_no(value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "1" => Ok(true),
        "n" | "no" | "false" | "0" => Ok(false),
        _ => Err(format!("'{value}' is not Y or N")),
    }
}

/// A whole-time equivalent: a decimal greater than 0 and at most 1.
pub(crate) fn wte(value: &str) -> Result<f64, String> {
    let bad = || {
        format!("'{value}' is not a whole-time equivalent (a number above 0, at most 1, e.g. 0.8)")
    };
    if !value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad());
    }
    let number: f64 = value.parse().map_err(|_| bad())?;
    if number > 0.0 && number <= 1.0 {
        Ok(number)
    } else {
        Err(bad())
    }
}

/// One of a fixed list, matched without regard to case or repeated spaces; returns the
/// list's spelling.
pub(crate) fn one_of<'a>(options: &'a [&'a str]) -> impl Fn(&str) -> Result<String, String> + 'a {
    move |value: &str| {
        let wanted = fold(value);
        options
            .iter()
            .find(|option| fold(option) == wanted)
            .map(|option| (*option).to_owned())
            .ok_or_else(|| format!("'{value}' is not one of: {}", options.join(", ")))
    }
}

/// Lower case with runs of spaces, hyphens and underscores made one space.
pub(crate) fn fold(value: &str) -> String {
    value
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The `enum` of a catalogue schema property, so that import checks and credential schemas
/// cannot drift apart.
pub(crate) fn schema_enum(type_name: &str, property: &str) -> Vec<&'static str> {
    Catalogue::nhs()
        .by_name(type_name)
        .and_then(|t| {
            t.schema
                .get("properties")?
                .get(property)?
                .get("enum")?
                .as_array()
        })
        .map(|values| values.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_and_normalised() {
        assert_eq!(date("2024-02-29").unwrap(), "2024-02-29");
        assert_eq!(date("01/08/2024").unwrap(), "2024-08-01");
        for bad in [
            "2023-02-29",
            "1990-13-01",
            "2024-04-31",
            "2024-1-01",
            "1/8/2024",
            "01/08/24",
            "2024/08/01",
            "yesterday",
            "1850-01-01",
            "2024-08-01T00:00",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert_eq!(
            date("1990-13-01").unwrap_err(),
            "'1990-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY)"
        );
    }

    #[test]
    fn partial_dates_for_oh_records() {
        assert_eq!(partial_date("2019").unwrap(), "2019");
        assert_eq!(partial_date("2019-06").unwrap(), "2019-06");
        assert_eq!(partial_date("2019-06-30").unwrap(), "2019-06-30");
        assert_eq!(partial_date("30/06/2019").unwrap(), "2019-06-30");
        for bad in ["2019-13", "19", "2019-6", "06-2019", "2019-06-31"] {
            assert!(partial_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn small_values() {
        assert_eq!(ods("rhq").unwrap(), "RHQ");
        assert!(ods("RH").is_err());
        assert!(ods("RHQ-1").is_err());
        assert_eq!(site_code("rhq01").unwrap(), "RHQ01");
        assert!(site_code("RHQ").is_err());
        assert!(email("a.b@nhs.example").is_ok());
        for bad in [
            "a.b",
            "@nhs.example",
            "a@b",
            "a b@nhs.example",
            "a@@b.c",
            "a@b.",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert!(yes_no("Y").unwrap());
        assert!(!yes_no("no").unwrap());
        assert!(yes_no("maybe").is_err());
        assert_eq!(wte("0.8").unwrap(), 0.8);
        assert_eq!(wte("1").unwrap(), 1.0);
        for bad in ["0", "1.2", "-0.5", "80%", "", "NaN", "inf"] {
            assert!(wte(bad).is_err(), "{bad}");
        }
        assert!(name("O'Brien-Smith").is_ok());
        assert!(name("10000123").is_err());
        assert_eq!(
            one_of(&["Fixed term", "Bank"])("FIXED-TERM").unwrap(),
            "Fixed term"
        );
        assert!(one_of(&["Bank"])("Locum").is_err());
    }
}
