//! CSTF subjects (expiry recomputed with the local period) and the TIS programme and
//! placement.

use crate::date;
use crate::evaluate::{Claims, Context, Outcome};
use crate::report::Status;
use crate::rules::date_claim;

/// A CSTF requirement: `None` when the credential is about another subject.
///
/// The expiry is always recomputed: `dateLastAwarded` + the receiving trust's period for
/// the subject at the *required* level (a level 2 award also covers the level 1 content, so
/// it counts for a level 1 requirement as long as level 1's refresher allows). The sender's
/// `dateTo` and renewal period are never read.
pub(super) fn cstf(
    ctx: &Context<'_>,
    claims: &Claims<'_>,
    subject: &str,
    level: u8,
    stream: Option<&str>,
) -> Option<Outcome> {
    let Some(name) = claims.text("subjectName") else {
        // Which subject it is was withheld: it might be this one.
        return claims.withheld(&["subjectName"]);
    };
    if !name.trim().eq_ignore_ascii_case(subject) {
        return None;
    }
    let needed: &[&str] = match stream {
        Some(_) => &["subjectLevel", "competencyName", "dateLastAwarded"],
        None => &["subjectLevel", "dateLastAwarded"],
    };
    if let Some(withheld) = claims.withheld(needed) {
        return Some(withheld);
    }
    let award = match date_claim(claims, "dateLastAwarded") {
        Ok(Some(d)) => d,
        Ok(None) => return Some(claims.missing("no award date".to_owned(), String::new())),
        Err(outcome) => return Some(*outcome),
    };
    let level_text = claims.text("subjectLevel").unwrap_or_default();
    let competency = claims.text("competencyName").unwrap_or(subject);
    let mut summary = format!(
        "{competency} level {level_text}, awarded {}",
        date::format(award)
    );
    let Ok(presented) = level_text.trim().parse::<u8>() else {
        return Some(claims.missing(
            format!("level '{level_text}' is not a level number"),
            summary,
        ));
    };
    if presented < level {
        return Some(claims.missing(
            format!("level {presented} was presented: level {level} or above is required"),
            summary,
        ));
    }
    if let Some(stream) = stream {
        // `Resuscitation Adult Basic Life Support` -> `Adult Basic Life Support` -> `Adult`.
        let qualifier = competency.get(name.len()..).filter(|_| {
            competency
                .get(..name.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(name))
        });
        let first = qualifier
            .and_then(|q| q.split_whitespace().next())
            .unwrap_or_default();
        if !first.eq_ignore_ascii_case(stream) {
            return Some(claims.missing(
                format!("'{competency}' is not in the {stream} stream"),
                summary,
            ));
        }
    }
    if award > ctx.today {
        return Some(claims.missing(
            format!("award date {} is in the future", date::format(award)),
            summary,
        ));
    }
    let Some(months) = ctx.periods.months(subject, level) else {
        return Some(claims.missing(
            format!("no local renewal period for {subject} level {level}"),
            summary,
        ));
    };
    let lapse = date::add_months(award, months).unwrap_or(time::Date::MAX);
    summary.push_str(&format!(
        "; local period {months} months: expires {}",
        date::format(lapse)
    ));
    Some(Outcome {
        status: ctx.window(Some(lapse), claims.met(award), "expired on"),
        evidence: Some(claims.evidence(Some(award), summary)),
        note: None,
        order: Some(lapse),
    })
}

pub(super) fn programme(ctx: &Context<'_>, claims: &Claims<'_>) -> Outcome {
    if let Some(withheld) =
        claims.withheld(&["programmeName", "programmeStartDate", "programmeEndDate"])
    {
        return withheld;
    }
    let (start, end) = match (
        date_claim(claims, "programmeStartDate"),
        date_claim(claims, "programmeEndDate"),
    ) {
        (Ok(Some(s)), Ok(Some(e))) => (s, e),
        (Err(o), _) | (_, Err(o)) => return *o,
        _ => return claims.missing("no programme dates".to_owned(), String::new()),
    };
    let name = claims.text("programmeName").unwrap_or_default();
    let summary = format!("{name}, {} to {}", date::format(start), date::format(end));
    if start > ctx.placement.start {
        return claims.missing(
            format!(
                "the programme starts on {}, after the placement starts",
                date::format(start)
            ),
            summary,
        );
    }
    Outcome {
        status: ctx.window(
            Some(date::next_day(end)),
            claims.met(start),
            "not in the programme from",
        ),
        evidence: Some(claims.evidence(Some(start), summary)),
        note: None,
        order: Some(end),
    }
}

pub(super) fn placement(ctx: &Context<'_>, claims: &Claims<'_>, grades: &[String]) -> Outcome {
    let needed: &[&str] = if grades.is_empty() {
        &["startDate", "endDate"]
    } else {
        &["grade", "startDate", "endDate"]
    };
    if let Some(withheld) = claims.withheld(needed) {
        return withheld;
    }
    let (start, end) = match (
        date_claim(claims, "startDate"),
        date_claim(claims, "endDate"),
    ) {
        (Ok(Some(s)), Ok(Some(e))) => (s, e),
        (Err(o), _) | (_, Err(o)) => return *o,
        _ => return claims.missing("no placement dates".to_owned(), String::new()),
    };
    let grade = claims.text("grade").unwrap_or_default();
    let mut summary = format!(
        "TIS placement {} to {}",
        date::format(start),
        date::format(end)
    );
    if !grade.is_empty() {
        summary.push_str(&format!(", grade {grade}"));
    }
    if !grades.is_empty() && !grades.iter().any(|g| g == grade) {
        return claims.missing(
            format!("grade {grade}: this post needs {}", grades.join(" or ")),
            summary,
        );
    }
    let wanted = ctx.placement.start;
    if start > wanted || end < wanted {
        return claims.missing(
            format!(
                "the TIS placement does not cover the start of this placement on {}",
                date::format(wanted)
            ),
            summary,
        );
    }
    let status = if end < ctx.placement.end {
        Status::ExpiresDuringPlacement {
            on: date::next_day(end),
        }
    } else {
        claims.met(start)
    };
    Outcome {
        status,
        evidence: Some(claims.evidence(Some(start), summary)),
        note: None,
        order: Some(end),
    }
}
