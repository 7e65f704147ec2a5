//! Bar charts drawn on the server as inline SVG, for the cohort dashboard: no script, no
//! styles (presentation attributes only, so the portal's Content-Security-Policy holds), and
//! accessible as one image (`role="img"`, its `<title>` and a `<desc>` that says what it shows).
//! The page puts the same figures in a table beside each chart.
//!
//! The drawing is 280 units wide, about the width a 320 px phone leaves the page's column, so
//! there the text is drawn at its own size; labels sit above their bars, so long specialty
//! names keep the whole width. On a desktop the chart scales up to its CSS `max-width`.
use super::html::attr;
use std::fmt::Write;

/// Width of the drawing, in SVG units.
const WIDTH: u32 = 280;
const PAD: u32 = 4;
/// Room kept right of the longest bar for its figure.
const FIGURE_ROOM: u32 = 52;
/// 16 units: about 16 px on a 320 px phone, 18 px at the desktop `max-width`.
const FONT: u32 = 16;
const LINE: u32 = 19;
const BAR: u32 = 18;
/// Below each bar.
const GAP: u32 = 10;
const LEGEND_ROW: u32 = 24;
/// A label is wrapped at this many characters a line, on at most two lines, then cut (the
/// table beside has it whole).
const LABEL_LINE: usize = 28;
const TEXT_COLOUR: &str = "#212b32";

/// One series of a chart (a standing): its name in the legend and its fill.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    pub name: &'static str,
    pub colour: &'static str,
}

/// One bar: its label and one value per series.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub values: Vec<usize>,
}

/// A horizontal bar chart, stacked when there are several series; with `legend`, the series'
/// colours are named above the bars. `id` makes the title and description ids unique on the
/// page.
pub fn bar_chart(
    id: &str,
    title: &str,
    desc: &str,
    series: &[Series],
    bars: &[Bar],
    legend: bool,
) -> String {
    let legend_items = if legend {
        legend_layout(series)
    } else {
        vec![]
    };
    let legend_rows = legend_items.last().map_or(0, |(_, _, row)| row + 1);
    let labels: Vec<Vec<String>> = bars.iter().map(|b| wrap(&b.label)).collect();
    let top = PAD + legend_rows * LEGEND_ROW;
    let rows: u32 = labels
        .iter()
        .map(|l| u32::try_from(l.len()).unwrap_or(2) * LINE + 4 + BAR + GAP)
        .sum();
    let height = top + rows + PAD;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="app-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" focusable="false" font-family="Frutiger W01, Arial, sans-serif" font-size="{FONT}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        id = attr(id),
        title = attr(title),
        desc = attr(desc),
    );
    for (s, x, row) in legend_items {
        let y = PAD + row * LEGEND_ROW;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{ry}" width="15" height="15" fill="{fill}"/><text x="{tx}" y="{ty}" fill="{TEXT_COLOUR}">{name}</text>"#,
            ry = y + 2,
            fill = attr(s.colour),
            tx = x + 20,
            ty = y + 15,
            name = attr(s.name),
        );
    }
    let max = bars
        .iter()
        .map(|b| b.values.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let room = WIDTH - 2 * PAD - FIGURE_ROOM;
    let mut y = top;
    for (bar, lines) in bars.iter().zip(&labels) {
        for line in lines {
            y += LINE;
            let _ = write!(
                out,
                r#"<text x="{PAD}" y="{ty}" fill="{TEXT_COLOUR}">{text}</text>"#,
                ty = y - 4,
                text = attr(line),
            );
        }
        let bar_y = y + 2;
        let mut x = PAD;
        let total: usize = bar.values.iter().sum();
        for (value, s) in bar.values.iter().zip(series) {
            let w = scale(*value, max, room);
            if w == 0 {
                continue;
            }
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{bar_y}" width="{w}" height="{BAR}" fill="{fill}"><title>{name}: {value}</title></rect>"#,
                fill = attr(s.colour),
                name = attr(s.name),
            );
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{fx}" y="{fy}" fill="{TEXT_COLOUR}" font-weight="bold">{total}</text>"#,
            fx = x + 6,
            fy = bar_y + BAR - 3,
        );
        y += 4 + BAR + GAP;
    }
    out.push_str("</svg>");
    out
}

/// `value` of `max` as a width of at most `room`; any value above 0 is at least 1 wide.
fn scale(value: usize, max: usize, room: u32) -> u32 {
    if value == 0 {
        return 0;
    }
    let w = (value as u64 * u64::from(room)) / max as u64;
    u32::try_from(w).unwrap_or(room).clamp(1, room)
}

/// `label` on one or two lines of at most [`LABEL_LINE`] characters, broken at spaces, the
/// rest cut with an ellipsis.
fn wrap(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    for word in label.split_whitespace() {
        let current = lines.last_mut().map_or(0, |l| l.chars().count());
        let needed = word.chars().count() + usize::from(current > 0);
        if current > 0 && current + needed > LABEL_LINE {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if lines.len() > 2 {
        let rest = lines[1..].join(" ");
        lines.truncate(1);
        lines.push(rest);
    }
    for line in &mut lines {
        if line.chars().count() > LABEL_LINE {
            let mut cut: String = line.chars().take(LABEL_LINE - 1).collect();
            cut.push('…');
            *line = cut;
        }
    }
    lines
}

/// Where each legend item goes: (series, x, row), wrapping at the drawing's width. Text is
/// taken as 9 units a character, generous for the font.
fn legend_layout(series: &[Series]) -> Vec<(Series, u32, u32)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (PAD, 0);
    for s in series {
        let w = legend_width(s);
        if x > PAD && x + w > WIDTH - PAD {
            x = PAD;
            row += 1;
        }
        out.push((*s, x, row));
        x += w;
    }
    out
}

fn legend_width(s: &Series) -> u32 {
    20 + 9 * u32::try_from(s.name.chars().count()).unwrap_or(0) + 12
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TWO: [Series; 2] = [
        Series {
            name: "Ready",
            colour: "#005eb8",
        },
        Series {
            name: "With gaps",
            colour: "#d5281b",
        },
    ];

    #[test]
    fn a_chart_is_one_labelled_image_with_bars_in_proportion() {
        let bars = vec![
            Bar {
                label: "Cardiology".into(),
                values: vec![30, 10],
            },
            Bar {
                label: "<script>".into(),
                values: vec![0, 20],
            },
        ];
        let svg = bar_chart(
            "c1",
            "By specialty",
            "Doctors ready and with gaps",
            &TWO,
            &bars,
            true,
        );
        assert!(svg.starts_with(r#"<svg class="app-chart" id="c1""#));
        assert!(svg.contains(r#"role="img" aria-labelledby="c1-title c1-desc""#));
        assert!(svg.contains(r#"<title id="c1-title">By specialty</title>"#));
        assert!(svg.contains(r#"<desc id="c1-desc">Doctors ready and with gaps</desc>"#));
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
        assert!(!svg.contains("style="), "no inline style under the CSP");
        // 40 is the longest bar: 30 of 40 and 10 of 40 of the room, 20 of 40 below.
        let room = WIDTH - 2 * PAD - FIGURE_ROOM;
        assert!(svg.contains(&format!(
            r##"width="{}" height="18" fill="#005eb8""##,
            room * 3 / 4
        )));
        assert!(svg.contains(&format!(
            r##"width="{}" height="18" fill="#d5281b""##,
            room / 4
        )));
        assert!(svg.contains(&format!(
            r##"width="{}" height="18" fill="#d5281b""##,
            room / 2
        )));
        assert!(svg.contains(">40</text>") && svg.contains(">20</text>"));
        assert!(svg.contains("<title>Ready: 30</title>"));
    }

    #[test]
    fn empty_and_tiny_values_still_draw_and_long_labels_are_cut() {
        let svg = bar_chart("c2", "t", "d", &TWO[..1], &[], false);
        assert!(svg.ends_with("</svg>"));
        assert_eq!(scale(1, 10_000, 264), 1);
        assert_eq!(scale(0, 10, 264), 0);
        assert_eq!(scale(10, 10, 264), 264);
        let long =
            "Trauma and Orthopaedic Surgery with a very long sub-specialty name, longer still";
        let lines = wrap(long);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "Trauma and Orthopaedic");
        assert!(lines[1].ends_with('…') && lines[1].chars().count() == LABEL_LINE);
        assert_eq!(wrap("Cardiology"), ["Cardiology"]);
        assert_eq!(
            wrap("Antidisestablishmentarianismically-speaking-long-word").len(),
            1
        );
        // A legend that does not fit one line wraps.
        let many = [TWO[0], TWO[1], TWO[0], TWO[1], TWO[0]];
        assert!(legend_layout(&many).iter().any(|(_, _, row)| *row > 0));
        assert!(legend_layout(&many)
            .iter()
            .all(|(s, x, _)| x + legend_width(s) <= WIDTH));
    }
}
