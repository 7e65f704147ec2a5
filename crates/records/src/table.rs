//! CSV files with a header row, read into rows whose cells are fetched by column name.
//!
//! Columns are found by name, not position, so exports may order them freely and carry
//! extra columns; extra columns are never read (that is how pay columns stay out). A row
//! collects every problem it has before it is judged, so one pass reports them all.

use std::collections::HashMap;

use csv::{ReaderBuilder, StringRecord, Trim};

use crate::{fields, IdScheme, Identifier, PersonDetails, RecordsError, RowError};

/// A CSV file: its columns and its data rows with their physical line numbers.
pub(crate) struct Table {
    columns: HashMap<String, usize>,
    width: usize,
    rows: Vec<(usize, StringRecord)>,
    /// Header columns the format does not read, as written in the file.
    pub(crate) ignored: Vec<String>,
    /// Rows the CSV reader could not read at all.
    pub(crate) unreadable: Vec<RowError>,
}

/// Header names are matched after trimming, lower-casing and turning spaces, hyphens and
/// dots into `_`: `ESR Person ID`, `esr-person-id` and `esr_person_id` are one column.
pub(crate) fn column_name(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The 1-based physical line on which the record at `byte` starts. The CSV reader's own
/// line count skips blank lines and miscounts `\r\n`, and its byte offset points just
/// after the previous record, so the line breaks in between are stepped over and counted
/// here.
/// Physical line numbers of byte offsets met in increasing order, counting each newline once
/// (a file of n rows costs O(size), not O(n x size)).
struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of the first character at or after `byte` that is not a line break.
    fn at(&mut self, byte: u64) -> usize {
        let bytes = self.bytes;
        let mut start = usize::try_from(byte)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += bytes[self.pos..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.pos = start;
        self.line
    }
}

impl Table {
    /// Reads `text`; a missing required column (or a column named twice) makes the whole
    /// file unusable.
    pub(crate) fn read(
        text: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table, RecordsError> {
        let mut reader = ReaderBuilder::new()
            .flexible(true)
            .trim(Trim::All)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| RecordsError::Format(format!("cannot read the header row: {e}")))?
            .clone();
        if header.iter().all(str::is_empty) {
            return Err(RecordsError::Format("no header row".to_owned()));
        }
        let mut columns = HashMap::new();
        let mut ignored = Vec::new();
        for (index, raw) in header.iter().enumerate() {
            let name = column_name(raw);
            if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
                ignored.push(raw.to_owned());
                continue;
            }
            if columns.insert(name.clone(), index).is_some() {
                return Err(RecordsError::Format(format!(
                    "column {name} appears twice in the header"
                )));
            }
        }
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !columns.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            return Err(RecordsError::Format(format!(
                "the header lacks required column(s): {}",
                missing.join(", ")
            )));
        }
        let mut rows = Vec::new();
        let mut unreadable = Vec::new();
        let mut lines = Lines::new(text);
        for result in reader.records() {
            match result {
                Ok(record) => {
                    let line = record.position().map_or(0, |p| lines.at(p.byte()));
                    rows.push((line, record));
                }
                Err(error) => unreadable.push(RowError {
                    line: error.position().map_or(0, |p| lines.at(p.byte())),
                    reason: format!("unreadable CSV: {error}"),
                }),
            }
        }
        Ok(Table {
            columns,
            width: header.len(),
            rows,
            ignored,
            unreadable,
        })
    }

    /// The data rows, in file order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, record)| {
            let mut row = Row {
                line: *line,
                table: self,
                record,
                errors: Vec::new(),
            };
            if record.len() != self.width {
                row.errors.push(RowError {
                    line: *line,
                    reason: format!(
                        "has {} field(s) but the header has {} column(s)",
                        record.len(),
                        self.width
                    ),
                });
            }
            row
        })
    }
}

/// One data row. Getters record what is wrong and return `None`; [`Row::finish`] hands back
/// every problem at once.
pub(crate) struct Row<'t> {
    pub(crate) line: usize,
    table: &'t Table,
    record: &'t StringRecord,
    errors: Vec<RowError>,
}

impl<'t> Row<'t> {
    /// Whether the row is unusable as a whole (wrong number of fields): its cells would be
    /// read from the wrong columns, so no further check makes sense.
    pub(crate) fn is_misshapen(&self) -> bool {
        self.record.len() != self.table.width
    }

    /// The trimmed cell, `None` if the column is absent or the cell empty.
    pub(crate) fn cell(&self, column: &str) -> Option<&'t str> {
        let index = *self.table.columns.get(column)?;
        self.record.get(index).filter(|v| !v.is_empty())
    }

    /// Records a problem with a column.
    pub(crate) fn fail(&mut self, column: &str, what: impl std::fmt::Display) {
        self.errors.push(RowError {
            line: self.line,
            reason: format!("column {column}: {what}"),
        });
    }

    /// A cell that must be present, checked by `check`.
    pub(crate) fn required<T>(
        &mut self,
        column: &str,
        check: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.cell(column) {
            None => {
                self.fail(column, "is required but empty");
                None
            }
            Some(value) => self.checked(column, value, check),
        }
    }

    /// A cell that may be empty or absent, checked by `check` when present.
    pub(crate) fn optional<T>(
        &mut self,
        column: &str,
        check: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let value = self.cell(column)?;
        self.checked(column, value, check)
    }

    /// Fails every listed column that holds a value: they do not belong on this kind of row.
    pub(crate) fn must_be_empty(&mut self, columns: &[&str], why: &str) {
        for column in columns {
            if self.cell(column).is_some() {
                self.fail(column, format!("must be empty {why}"));
            }
        }
    }

    fn checked<T>(
        &mut self,
        column: &str,
        value: &str,
        check: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match check(value) {
            Ok(v) => Some(v),
            Err(what) => {
                self.fail(column, what);
                None
            }
        }
    }

    /// Whether any problem has been recorded so far.
    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Every problem found in the row.
    pub(crate) fn into_errors(self) -> Vec<RowError> {
        self.errors
    }
}

/// Columns every format shares: identifiers, the person and a record status.
impl Row<'_> {
    /// An identifier column, checked against its scheme.
    pub(crate) fn identifier(
        &mut self,
        column: &str,
        scheme: IdScheme,
        required: bool,
    ) -> Option<Identifier> {
        let check = |value: &str| {
            Identifier::new(scheme.clone(), value).map_err(|e| match e {
                RecordsError::Identifier(what) => what,
                other => other.to_string(),
            })
        };
        if required {
            self.required(column, check)
        } else {
            self.optional(column, check)
        }
    }

    /// `forenames`, `surname`, `date_of_birth`, `email`. With `names_required` the names
    /// must be there; otherwise the person is `None` when both names are empty, and one
    /// name without the other is an error.
    pub(crate) fn person(
        &mut self,
        names_required: bool,
        birth_required: bool,
    ) -> Option<PersonDetails> {
        let given = self.cell("forenames");
        let family = self.cell("surname");
        let wanted = names_required || given.is_some() || family.is_some();
        let given_name = if wanted {
            self.required("forenames", fields::name)
        } else {
            None
        };
        let family_name = if wanted {
            self.required("surname", fields::name)
        } else {
            None
        };
        let date_of_birth = if birth_required {
            self.required("date_of_birth", fields::date)
        } else {
            self.optional("date_of_birth", fields::date)
        };
        let email = self.optional("email", fields::email);
        Some(PersonDetails {
            given_name: given_name?,
            family_name: family_name?,
            date_of_birth,
            email,
        })
    }

    /// An optional `status` column saying whether the source record still holds:
    /// empty or one of `active_words` -> false; `Withdrawn`, `Cancelled`, `Entered in error`
    /// -> true (credentials from the record are revoked).
    pub(crate) fn withdrawn(&mut self, column: &str, active_words: &[&str]) -> bool {
        let Some(value) = self.cell(column) else {
            return false;
        };
        let folded = fields::fold(value);
        if WITHDRAWN_WORDS.contains(&folded.as_str()) {
            true
        } else if active_words.iter().any(|w| fields::fold(w) == folded) {
            false
        } else {
            let mut accepted: Vec<&str> = active_words.to_vec();
            accepted.extend(["Withdrawn", "Cancelled", "Entered in error"]);
            self.fail(
                column,
                format!("'{value}' is not one of: {}", accepted.join(", ")),
            );
            false
        }
    }
}

/// Statuses (folded) by which a source says a record no longer holds.
pub(crate) const WITHDRAWN_WORDS: [&str; 3] = ["withdrawn", "cancelled", "entered in error"];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_normalised() {
        assert_eq!(column_name(" ESR Person ID "), "esr_person_id");
        assert_eq!(column_name("date-of-birth"), "date_of_birth");
        assert_eq!(column_name("\u{feff}WTE (0-1)"), "wte_0_1");
    }

    #[test]
    fn missing_and_repeated_columns_are_format_errors() {
        let err = Table::read("a,b\n1,2\n", &["a", "c", "d"], &[])
            .err()
            .unwrap();
        assert_eq!(
            err,
            RecordsError::Format("the header lacks required column(s): c, d".into())
        );
        let err = Table::read("a,A\n1,2\n", &["a"], &[]).err().unwrap();
        assert!(matches!(err, RecordsError::Format(m) if m.contains("twice")));
        assert!(Table::read("", &["a"], &[]).is_err());
    }

    #[test]
    fn windows_line_endings_and_a_byte_order_mark() {
        let table = Table::read("\u{feff}A,B\r\n1,2\r\n\r\n3,4\r\n", &["a", "b"], &[]).unwrap();
        let rows: Vec<(usize, Option<&str>)> =
            table.rows().map(|r| (r.line, r.cell("b"))).collect();
        assert_eq!(rows, [(2, Some("2")), (4, Some("4"))]);
    }

    #[test]
    fn rows_know_their_physical_lines() {
        let table = Table::read("a,b,salary\n1,2,3\n\"x\ny\",4,5\n6,7\n", &["a"], &["b"]).unwrap();
        assert_eq!(table.ignored, ["salary"]);
        let lines: Vec<usize> = table.rows().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        let sparse = Table::read("a\n\n1\n\n\n2\n", &["a"], &[]).unwrap();
        let lines: Vec<usize> = sparse.rows().map(|r| r.line).collect();
        assert_eq!(lines, [3, 6]);
        let last = table.rows().last().unwrap();
        assert!(last.is_misshapen());
        assert_eq!(
            last.into_errors()[0].reason,
            "has 2 field(s) but the header has 3 column(s)"
        );
    }
}
