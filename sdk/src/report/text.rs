//! The summary as plain text, for a terminal.

use std::fmt::Write as _;

use super::human;
use super::marks::{Mark, by_system, kilobytes};
use super::numbers::format_bytes;
use crate::models::{Build, BuildsSummary};
use crate::printable::escape_controls;

/// Whether [`text_with`] colours each build's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Colour {
    /// Plain text.
    #[default]
    Never,
    /// ANSI colours, as [`human::paint`] gives them: for a terminal that wants colour.
    Ansi,
}

/// The same summary as [`markdown`](super::markdown), as aligned plain-text tables, with
/// figures in the [`human`] style; [`text_with`] colours it. Unlike the Markdown, a build
/// still pending or running is marked `…`, not `✔`.
pub fn text(summary: &BuildsSummary, builds: &[Build]) -> String {
    text_with(summary, builds, Colour::Never)
}

/// [`text`], each build's status coloured when `colour` says so.
pub fn text_with(summary: &BuildsSummary, builds: &[Build], colour: Colour) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "nixbuild.net summary: {}",
        human::count(summary.build_count, "build")
    );
    let totals = vec![
        vec![
            "successful".to_owned(),
            summary.successful_build_count.to_string(),
            "billable CPU time".to_owned(),
            human::cpu_hours(summary.billable_cpu_seconds),
        ],
        vec![
            "failed".to_owned(),
            summary.failed_build_count.to_string(),
            "total output size".to_owned(),
            format_bytes(kilobytes(Some(summary.total_output_nar_size_kilobytes))),
        ],
        vec![
            "restarted".to_owned(),
            summary.discarded_build_count.to_string(),
            String::new(),
            String::new(),
        ],
    ];
    out.push_str(&aligned(&totals, &[false, true, false, true], |_, _, cell| cell));
    for (system, group) in by_system(builds) {
        let _ = writeln!(out, "\n{} builds ({})", escape_controls(system), group.len());
        let mut rows = vec![
            [
                "",
                "name",
                "status",
                "duration",
                "cpus",
                "peak memory",
                "peak storage",
                "outputs",
            ]
            .map(String::from)
            .to_vec(),
        ];
        rows.extend(group.iter().map(|build| row(build)));
        let right = [false, false, false, true, true, true, true, false];
        out.push_str(&aligned(&rows, &right, |row, column, cell| {
            // Row 0 is the heading; column 2 the status.
            match (colour, row.checked_sub(1), column) {
                (Colour::Ansi, Some(build), STATUS_COLUMN) => human::paint(&group[build].status, &cell),
                _ => cell,
            }
        }));
    }
    out
}

/// The column of a build's status in its system's table.
const STATUS_COLUMN: usize = 2;

fn row(build: &Build) -> Vec<String> {
    // The Markdown marks an unfinished build ✔, as the Action does (it runs once a job has
    // finished); a person reading a table while builds run must not take them for done.
    let mark = match Mark::of(&build.status) {
        _ if build.status.is_in_progress() => "…",
        Mark::Success => "✔",
        Mark::Failure => "✘",
        Mark::ServiceFailure => "⚑",
    };
    let outputs = build
        .outputs
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                escape_controls(&o.name),
                format_bytes(o.nar_size_bytes as f64)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        mark.to_owned(),
        escape_controls(build.name()).into_owned(),
        escape_controls(build.status.as_str()).into_owned(),
        build.duration_seconds.map(human::duration).unwrap_or_default(),
        build.cpu_count.to_string(),
        format_bytes(kilobytes(build.peak_memory_use_kilobytes)),
        format_bytes(kilobytes(build.peak_storage_use_kilobytes)),
        outputs,
    ]
}

/// Rows in columns two spaces apart, right-aligned where asked, trailing space trimmed;
/// `paint` may wrap each padded cell (given its row and column) in colour.
fn aligned(rows: &[Vec<String>], right: &[bool], paint: impl Fn(usize, usize, String) -> String) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            let padded = if right.get(c).copied().unwrap_or(false) {
                format!("{pad}{cell}")
            } else {
                format!("{cell}{pad}")
            };
            line.push(' ');
            line.push_str(&paint(r, c, padded));
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
