//! The GitHub job summary, as the official Action writes it with `@actions/core`'s summary
//! builder: a heading, a table of totals, and per system a table of builds.

use std::fmt::Write as _;

use super::marks::{Mark, by_system, kilobytes};
use super::numbers::{format_bytes, format_cpu_hours, format_duration};
use super::scope::Scope;
use crate::models::{Build, BuildsSummary};

/// The job summary for `summary` and its `builds`, as the official GitHub Action renders
/// it (HTML inside Markdown, as GitHub job summaries take it).
pub fn markdown(summary: &BuildsSummary, builds: &[Build], scope: Scope) -> String {
    let mut out = String::new();
    let heading = match scope {
        Scope::Workflow => "summary for workflow",
        Scope::Job => "summary for this job",
    };
    out.push_str(&element(
        "h3",
        &format!("<a href=\"https://nixbuild.net/\">nixbuild.net</a> {heading}"),
    ));
    out.push('\n');
    let totals = [
        [
            "&#x2714;".to_owned(),
            "Successful builds".to_owned(),
            summary.successful_build_count.to_string(),
            "&#x23F1;".to_owned(),
            "Billable CPU hours".to_owned(),
            format_cpu_hours(summary.billable_cpu_seconds),
        ],
        [
            "&#x274C;".to_owned(),
            "Failed builds".to_owned(),
            summary.failed_build_count.to_string(),
            "&#x1F4E6;".to_owned(),
            "Total output size".to_owned(),
            format_bytes(kilobytes(Some(summary.total_output_nar_size_kilobytes))),
        ],
        [
            "&#x1F3F4;".to_owned(),
            "Restarted builds".to_owned(),
            summary.discarded_build_count.to_string(),
            String::new(),
            String::new(),
            String::new(),
        ],
    ];
    out.push_str(&table(totals.iter().map(|row| cells("td", row))));
    out.push('\n');
    if summary.build_count == 0 {
        return out;
    }
    let header = cells(
        "th",
        &[
            "",
            "Derivation",
            "Duration",
            "CPUs",
            "Peak memory",
            "Peak storage",
        ]
        .map(String::from),
    );
    for (system, group) in by_system(builds) {
        out.push_str(&element(
            "h4",
            &format!("{} builds ({})", escape(system), group.len()),
        ));
        out.push('\n');
        let rows = group.iter().map(|build| {
            cells(
                "td",
                &[
                    status_cell(build),
                    derivation_cell(build),
                    format_duration(build.duration_seconds.unwrap_or(0.0)),
                    build.cpu_count.to_string(),
                    format_bytes(kilobytes(build.peak_memory_use_kilobytes)),
                    format_bytes(kilobytes(build.peak_storage_use_kilobytes)),
                ],
            )
        });
        out.push_str(&table(std::iter::once(header.clone()).chain(rows)));
        out.push('\n');
    }
    out
}

/// `<tag>content</tag>`, or just `<tag>` for empty content, as the summary builder does.
fn element(tag: &str, content: &str) -> String {
    if content.is_empty() {
        format!("<{tag}>")
    } else {
        format!("<{tag}>{content}</{tag}>")
    }
}

fn cells(tag: &str, row: &[String]) -> String {
    element(
        "tr",
        &row.iter().map(|cell| element(tag, cell)).collect::<String>(),
    )
}

fn table(rows: impl Iterator<Item = String>) -> String {
    element("table", &rows.collect::<String>())
}

/// The mark, with the status and its message as a tooltip.
fn status_cell(build: &Build) -> String {
    let emoji = match Mark::of(&build.status) {
        Mark::Success => "&#x2714;",
        Mark::Failure => "&#x274C;",
        Mark::ServiceFailure => "&#x1F3F4;",
    };
    let mut title = build.status.to_string();
    if let Some(message) = build.status_message.as_deref().filter(|m| !m.is_empty()) {
        let _ = write!(title, ": {message}");
    }
    format!("<span title=\"{}\">{emoji}</span>", escape(&title))
}

/// The derivation's name, unfolding to its build id, path and outputs with their sizes.
fn derivation_cell(build: &Build) -> String {
    let outputs: String = build
        .outputs
        .iter()
        .map(|o| {
            format!(
                "<br/>- {}: {} ({})",
                escape(&o.name),
                escape(&o.path),
                format_bytes(o.nar_size_bytes as f64)
            )
        })
        .collect();
    // The Action prints the JSON's `start_time` as it is: `null` when there is none.
    let start_time = build
        .start_time
        .as_ref()
        .map_or_else(|| "null".to_owned(), crate::models::timestamp::format);
    format!(
        "<details style=\"margin:0\"><summary>{}</summary><pre>build id: {}<br/>start time: {start_time}<br/>deriver: {}<br/>outputs:{outputs}</pre></details>",
        escape(build.name()),
        build.build_id,
        escape(&build.derivation_path),
    )
}

/// Server text made safe inside HTML: the Action writes it raw, so a status message with a
/// quote breaks its markup and one with `<script>` is markup. Control characters become
/// character references too, so the summary is safe to print on a terminal. Text without
/// any of these is written exactly as the Action writes it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if crate::printable::is_unsafe(c) => {
                let _ = write!(out, "&#x{:x};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}
