//! The summary as plain text, for a terminal.

use std::fmt::Write as _;

use super::numbers::{format_bytes, format_cpu_hours, format_duration};
use super::{Mark, by_system, kilobytes};
use crate::models::{Build, BuildsSummary};
use crate::printable::escape_controls;

/// The same summary as [`markdown`](super::markdown), as aligned plain-text tables.
pub fn text(summary: &BuildsSummary, builds: &[Build]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "nixbuild.net summary: {} builds", summary.build_count);
    let totals = vec![
        vec![
            "successful".to_owned(),
            summary.successful_build_count.to_string(),
            "billable CPU hours".to_owned(),
            format_cpu_hours(summary.billable_cpu_seconds),
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
    out.push_str(&aligned(&totals, &[false, true, false, true]));
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
        out.push_str(&aligned(
            &rows,
            &[false, false, false, true, true, true, true, false],
        ));
    }
    out
}

fn row(build: &Build) -> Vec<String> {
    let mark = match Mark::of(&build.status) {
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
        escape_controls(&build.status.to_string()).into_owned(),
        format_duration(build.duration_seconds.unwrap_or(0.0)),
        build.cpu_count.to_string(),
        format_bytes(kilobytes(build.peak_memory_use_kilobytes)),
        format_bytes(kilobytes(build.peak_storage_use_kilobytes)),
        outputs,
    ]
}

/// Rows in columns two spaces apart, right-aligned where asked, trailing space trimmed.
fn aligned(rows: &[Vec<String>], right: &[bool]) -> String {
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
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            line.push(' ');
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
