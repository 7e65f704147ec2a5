//! DBS, professional registration and occupational health clearance.

use crate::date;
use crate::evaluate::{Claims, Context, Outcome};
use crate::report::Status;
use crate::rules::date_claim;
use crate::vocab::{BarredList, DbsLevel, ProfessionalBody};

/// Age at which a DBS check stops being portable for doctors in training (DOMAIN.md).
const DBS_PORTABLE_MONTHS: u32 = 36;

pub(super) fn dbs(
    ctx: &Context<'_>,
    claims: &Claims<'_>,
    required: DbsLevel,
    lists: &[BarredList],
    needed: &[&str],
) -> Outcome {
    // The certificate number pre-fills the next step but does not decide.
    let deciding: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|c| *c != "certificateNumber")
        .collect();
    if let Some(withheld) = claims.withheld(&deciding) {
        return withheld;
    }
    let issued = match date_claim(claims, "disclosureIssueDate") {
        Ok(Some(d)) => d,
        Ok(None) => return claims.missing("no disclosure issue date".to_owned(), String::new()),
        Err(outcome) => return *outcome,
    };
    let kind = claims.text("typeOfDbsCheck").unwrap_or_default();
    let certificate = claims.text("certificateNumber").unwrap_or("not shared");
    let mut summary = format!(
        "{kind}, certificate {certificate}, issued {}",
        date::format(issued)
    );
    for list in lists {
        let yes = claims.flag(list.claim()) == Some(true);
        summary.push_str(&format!(
            "; {} barred list {}",
            list.words(),
            if yes { "checked" } else { "not checked" }
        ));
    }
    let Some(level) = DbsLevel::from_claim(kind) else {
        return claims.missing(format!("'{kind}' is not a DBS check type"), summary);
    };
    if level < required {
        return claims.missing(
            format!(
                "the check presented is {}: {} or above is required",
                level.words(),
                required.words()
            ),
            summary,
        );
    }
    if let Some(list) = lists.iter().find(|l| claims.flag(l.claim()) != Some(true)) {
        return claims.missing(
            format!("the {} barred list was not checked", list.words()),
            summary,
        );
    }
    let three_years = date::add_months(issued, DBS_PORTABLE_MONTHS).unwrap_or(time::Date::MAX);
    let local = "make a new DBS check, or a status check on the DBS Update Service if the person subscribes";
    let status = if !ctx.profile.doctor_in_training {
        Status::NotPortable {
            reason: format!("a DBS check is portable only for doctors in training: {local} (certificate {certificate})"),
        }
    } else if three_years <= ctx.from {
        Status::NotPortable {
            reason: format!(
                "the check is 3 years old on {}, by the start of the placement: portable for doctors in training only under 3 years; {local} (certificate {certificate})",
                date::format(three_years)
            ),
        }
    } else if claims.flag("informationDisclosed") != Some(false) {
        Status::NotPortable {
            reason: "information was disclosed on the certificate: see the original certificate and make a local risk assessment".to_owned(),
        }
    } else if three_years <= ctx.placement.end {
        Status::ExpiresDuringPlacement { on: three_years }
    } else {
        claims.met(issued)
    };
    Outcome {
        status,
        evidence: Some(claims.evidence(Some(issued), summary)),
        note: None,
        order: Some(issued),
    }
}

pub(super) fn registration(claims: &Claims<'_>, bodies: &[ProfessionalBody]) -> Outcome {
    if let Some(withheld) = claims.withheld(&["professionalBody", "registrationNumber"]) {
        return withheld;
    }
    let body_text = claims.text("professionalBody").unwrap_or_default();
    let number = claims
        .0
        .claims
        .get("registrationNumber")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .unwrap_or_default();
    let summary = format!("{body_text} registration number {number}");
    let accepted: Vec<&str> = bodies.iter().map(|b| b.abbreviation()).collect();
    match ProfessionalBody::from_claim(body_text) {
        Some(body) if bodies.contains(&body) => Outcome {
            status: Status::NotPortable {
                reason: format!(
                    "professional registration is never portable: check the live {} register for {number} (registration status, licence to practise, conditions) before the start",
                    body.abbreviation()
                ),
            },
            evidence: Some(claims.evidence(None, summary)),
            note: None,
            order: None,
        },
        _ => claims.missing(
            format!("registration with {body_text} was presented: {} is required", accepted.join(" or ")),
            summary,
        ),
    }
}

pub(super) fn occupational_health(ctx: &Context<'_>, claims: &Claims<'_>) -> Outcome {
    let epp = ctx.profile.exposure_prone;
    let deciding: &[&str] = if epp {
        &["clearanceOutcome", "assessmentDate", "eppCleared"]
    } else {
        &["clearanceOutcome", "assessmentDate"]
    };
    if let Some(withheld) = claims.withheld(deciding) {
        return withheld;
    }
    let (assessed, epp_date) = match (
        date_claim(claims, "assessmentDate"),
        date_claim(claims, "eppClearanceDate"),
    ) {
        (Ok(Some(a)), Ok(e)) => (a, e),
        (Err(o), _) | (_, Err(o)) => return *o,
        (Ok(None), _) => return claims.missing("no assessment date".to_owned(), String::new()),
    };
    let outcome = claims.text("clearanceOutcome").unwrap_or_default();
    let category = claims.text("roleRiskCategory").unwrap_or("not shared");
    let mut summary = format!(
        "{outcome} for role risk category '{category}', assessed {}",
        date::format(assessed)
    );
    let epp_cleared = claims.flag("eppCleared") == Some(true);
    if epp {
        match (epp_cleared, epp_date) {
            (true, Some(d)) => summary.push_str(&format!("; EPP cleared on {}", date::format(d))),
            (true, None) => summary.push_str("; EPP cleared"),
            (false, _) => summary.push_str("; not EPP cleared"),
        }
    }
    let note = match outcome {
        "Fit" => None,
        "Fit with adjustments" => Some(format!(
            "adjustments needed: {}",
            claims
                .text("adjustmentsSummary")
                .unwrap_or("no summary shared: ask the OH team")
        )),
        "Not fit" => {
            return claims.missing(
                format!(
                    "assessed not fit on {}: refer to occupational health",
                    date::format(assessed)
                ),
                summary,
            )
        }
        other => return claims.missing(format!("'{other}' is not a clearance outcome"), summary),
    };
    if epp && !epp_cleared {
        return claims.missing(
            "not cleared for exposure-prone procedures: EPP clearance (HIV, hepatitis B and C on identified validated samples) is needed".to_owned(),
            summary,
        );
    }
    Outcome {
        status: claims.met(assessed),
        evidence: Some(claims.evidence(Some(assessed), summary)),
        note,
        order: Some(assessed),
    }
}
