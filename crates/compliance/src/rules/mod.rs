//! One rule per requirement type: what one credential says about one requirement.
//!
//! Each rule returns `None` when the credential is not about the requirement (another CSTF
//! subject), otherwise an [`Outcome`]; [`crate::evaluate`] keeps the best.

mod checks;
mod training;

use time::Date;

use crate::date;
use crate::evaluate::{Claims, Context, Outcome};
use crate::profile::Requirement;
use crate::report::Status;
use crate::PlacementKind;

/// What `claims` says about `requirement`. `needed` are the claims the request asked for.
pub(crate) fn decide(
    requirement: &Requirement,
    ctx: &Context<'_>,
    claims: &Claims<'_>,
    needed: &[&str],
) -> Option<Outcome> {
    match requirement {
        Requirement::Identity {} => Some(identity(claims, needed)),
        Requirement::RightToWork {} => Some(right_to_work(ctx, claims)),
        Requirement::Employment {} => Some(employment(ctx, claims)),
        Requirement::Dbs {
            level,
            barred_lists,
        } => Some(checks::dbs(ctx, claims, *level, barred_lists, needed)),
        Requirement::ProfessionalRegistration { bodies } => {
            Some(checks::registration(claims, bodies))
        }
        Requirement::OccupationalHealth {} => Some(checks::occupational_health(ctx, claims)),
        Requirement::Cstf {
            subject,
            level,
            qualifier,
        } => training::cstf(ctx, claims, subject, *level, qualifier.as_deref()),
        Requirement::TrainingProgramme {} => Some(training::programme(ctx, claims)),
        Requirement::TrainingPlacement { grades } => Some(training::placement(ctx, claims, grades)),
    }
}

/// Parses a date claim, or gives the `Missing` outcome that says it is not a date.
pub(crate) fn date_claim(claims: &Claims<'_>, name: &str) -> Result<Option<Date>, Box<Outcome>> {
    claims
        .date(name)
        .map_err(|reason| Box::new(claims.missing(reason, String::new())))
}

fn identity(claims: &Claims<'_>, needed: &[&str]) -> Outcome {
    if let Some(withheld) = claims.withheld(needed) {
        return withheld;
    }
    let checked = match date_claim(claims, "dateOfIdCheck") {
        Ok(Some(d)) => d,
        Ok(None) => return claims.missing("no identity check date".to_owned(), String::new()),
        Err(outcome) => return *outcome,
    };
    let profile = claims.text("GPG45profile").unwrap_or_default();
    let by = claims.text("evidenceCheckedBy").unwrap_or_default();
    let summary = format!(
        "GPG45 profile {profile}, checked by {by} on {}",
        date::format(checked)
    );
    // GPG45 profiles start with the confidence: L(ow), M(edium), H(igh), V(ery high).
    if !matches!(profile.chars().next(), Some('M' | 'H' | 'V')) {
        return claims.missing(
            format!("GPG45 profile '{profile}' is below medium confidence: check identity documents in person"),
            summary,
        );
    }
    Outcome {
        status: claims.met(checked),
        evidence: Some(claims.evidence(Some(checked), summary)),
        note: Some("confirm likeness in person at first attendance".to_owned()),
        order: Some(checked),
    }
}

fn right_to_work(ctx: &Context<'_>, claims: &Claims<'_>) -> Outcome {
    if let Some(withheld) = claims.withheld(&["rightToWorkCheckType", "dateOfRightToWorkCheck"]) {
        return withheld;
    }
    let (checked, permission_ends) = match (
        date_claim(claims, "dateOfRightToWorkCheck"),
        date_claim(claims, "permissionExpiryDate"),
    ) {
        (Ok(Some(c)), Ok(p)) => (c, p),
        (Err(o), _) | (_, Err(o)) => return *o,
        (Ok(None), _) => {
            return claims.missing("no right to work check date".to_owned(), String::new())
        }
    };
    let kind = claims.text("rightToWorkCheckType").unwrap_or_default();
    let mut summary = format!("{kind} on {}", date::format(checked));
    if let Some(p) = permission_ends {
        summary.push_str(&format!("; permission to work ends {}", date::format(p)));
    }
    let status = ctx.window(
        permission_ends.map(date::next_day),
        claims.met(checked),
        "no permission to work from",
    );
    let note = (permission_ends.is_none() && kind != "IDSP British/Irish passport").then(|| {
        "no permission end date was shared: confirm the Home Office check showed permission without a time limit"
            .to_owned()
    });
    Outcome {
        status,
        evidence: Some(claims.evidence(Some(checked), summary)),
        note,
        order: Some(permission_ends.unwrap_or(Date::MAX)),
    }
}

fn employment(ctx: &Context<'_>, claims: &Claims<'_>) -> Outcome {
    if let Some(withheld) = claims.withheld(&["organisationOds", "contractType", "startDate"]) {
        return withheld;
    }
    let (start, end) = match (
        date_claim(claims, "startDate"),
        date_claim(claims, "endDate"),
    ) {
        (Ok(Some(s)), Ok(e)) => (s, e),
        (Err(o), _) | (_, Err(o)) => return *o,
        (Ok(None), _) => {
            return claims.missing("no assignment start date".to_owned(), String::new())
        }
    };
    let contract = claims.text("contractType").unwrap_or_default();
    let org = claims.text("organisationOds").unwrap_or_default();
    let mut summary = format!(
        "{contract} assignment at {org} from {}",
        date::format(start)
    );
    if let Some(e) = end {
        summary.push_str(&format!(" to {}", date::format(e)));
    }
    if contract == "Honorary" {
        return claims.missing(
            "an honorary contract is not substantive NHS employment".to_owned(),
            summary,
        );
    }
    if start > ctx.today {
        return claims.missing(
            format!(
                "the assignment starts on {}: not current",
                date::format(start)
            ),
            summary,
        );
    }
    let status = match (ctx.placement.kind, end) {
        (_, Some(e)) if e < ctx.today => Status::Missing {
            reason: Some(format!("the assignment ended on {}", date::format(e))),
        },
        // A rotation ends the current assignment: current today is what counts.
        (PlacementKind::Rotation, _) => claims.met(start),
        // A temporary mover's substantive employment must last the whole placement.
        (_, end) => ctx.window(
            end.map(date::next_day),
            claims.met(start),
            "no substantive employment from",
        ),
    };
    Outcome {
        status,
        evidence: Some(claims.evidence(Some(start), summary)),
        note: None,
        order: Some(end.unwrap_or(Date::MAX)),
    }
}
