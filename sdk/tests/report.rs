//! The CI summary against golden files: the Markdown the official GitHub Action publishes,
//! and the plain-text table. `UPDATE_GOLDEN=1 cargo test -p nixbuild --test report` rewrites
//! the golden files after an intended change; review their diff before committing it.

use std::path::PathBuf;

use nixbuild::report::{self, Scope};
use nixbuild::{Build, BuildsSummary};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// 16 builds over four systems and six statuses (the seed builds among them), and the
/// summary the mock computes for them.
fn inputs() -> (BuildsSummary, Vec<Build>) {
    let read = |name: &str| std::fs::read_to_string(golden_dir().join(name)).unwrap();
    (
        serde_json::from_str(&read("summary.json")).unwrap(),
        serde_json::from_str(&read("builds.json")).unwrap(),
    )
}

fn assert_golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or(0);
        panic!(
            "{name} differs from the golden file at line {}:\n  golden: {:?}\n  actual: {:?}\n\
             (UPDATE_GOLDEN=1 rewrites it after an intended change)",
            first_difference + 1,
            expected.lines().nth(first_difference),
            actual.lines().nth(first_difference),
        );
    }
}

#[test]
fn the_markdown_summary_matches_its_golden_file() {
    let (summary, builds) = inputs();
    assert_golden(
        "summary-workflow.md",
        &report::markdown(&summary, &builds, Scope::Workflow),
    );
    assert_golden("summary-job.md", &report::markdown(&summary, &builds, Scope::Job));
}

#[test]
fn the_text_summary_matches_its_golden_file() {
    let (summary, builds) = inputs();
    assert_golden("summary.txt", &report::text(&summary, &builds));
}

#[test]
fn the_markdown_holds_the_actions_figures() {
    let (summary, builds) = inputs();
    let markdown = report::markdown(&summary, &builds, Scope::Workflow);
    assert!(
        markdown.starts_with(
            "<h3><a href=\"https://nixbuild.net/\">nixbuild.net</a> summary for workflow</h3>\n"
        )
    );
    assert!(markdown.contains("<td>Successful builds</td><td>7</td>"));
    assert!(
        markdown.contains("<td>Billable CPU hours</td><td>7.28</td>"),
        "26202 s"
    );
    assert!(markdown.contains("<td>Restarted builds</td><td>2</td><td><td><td></tr>"));
    assert!(markdown.contains("<h4>x86_64-linux builds ("));
    // The seed build: its name, duration, CPUs, peaks and output with its size.
    assert!(markdown.contains("<summary>snix-qemu-6.1.0</summary>"));
    assert!(
        markdown.contains("<br/>- out: /nix/store/f00405bw7avnd5asafvvq4dgh6y33brc-snix-qemu-6.1.0 (245 MB)")
    );
    assert!(markdown.contains("<td>07:40</td><td>4</td><td>2 GB</td><td>2 GB</td>"));
    assert!(markdown.contains("<span title=\"client_disconnect: ssh session closed\">&#x274C;</span>"));
    assert!(
        markdown.contains("&#x1F3F4;</span>"),
        "the internal_error build is the service's failure"
    );
}

#[test]
fn an_empty_summary_has_only_the_totals() {
    let summary = BuildsSummary::default();
    let markdown = report::markdown(&summary, &[], Scope::Job);
    assert_eq!(markdown.matches("<table>").count(), 1);
    assert!(markdown.contains("<td>Total output size</td><td>0 KB</td>"));
    assert!(report::text(&summary, &[]).starts_with("nixbuild.net summary: 0 builds\n"));
}
