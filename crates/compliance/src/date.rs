//! Dates: `YYYY-MM-DD` text, whole-month arithmetic and serde helpers.

use serde::{Deserialize, Deserializer, Serializer};
use time::macros::format_description;
use time::{Date, Month};

const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Parses a full date, `YYYY-MM-DD`.
pub(crate) fn parse(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    Date::parse(text, FORMAT).ok()
}

/// Formats a date as `YYYY-MM-DD`.
pub(crate) fn format(date: Date) -> String {
    date.format(FORMAT).unwrap_or_else(|_| {
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    })
}

/// `date` plus whole months; a day past the end of the target month becomes its last day
/// (29 February + 12 months = 28 February). `None` only past the year 9999.
pub(crate) fn add_months(date: Date, months: u32) -> Option<Date> {
    let index =
        i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// The day after `date` (saturates at the last representable day).
pub(crate) fn next_day(date: Date) -> Date {
    date.next_day().unwrap_or(date)
}

/// Serde for a `Date` as `YYYY-MM-DD`.
pub(crate) mod iso {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*date))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("'{text}' is not a date (YYYY-MM-DD)")))
    }
}

/// Serde for an `Option<Date>` as `YYYY-MM-DD` or `null`.
pub(crate) mod iso_option {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => s.serialize_str(&format(*date)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse(&text).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!("'{text}' is not a date (YYYY-MM-DD)"))
            }),
            None => Ok(None),
        }
    }
}
