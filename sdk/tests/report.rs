//! The CI summary against golden files: the Markdown the official GitHub Action publishes,
//! and the plain-text table. `UPDATE_GOLDEN=1 cargo test -p nixbuild --test report` rewrites
//! the golden files after an intended change; review their diff before committing it.

use std::path::PathBuf;

use nixbuild::report::{self, Scope};
use nixbuild::{Build, BuildStatus, BuildsSummary};

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

/// Every case of `golden/summary-cases`: our Markdown is byte for byte what the Action's
/// own code renders from the same summary and builds (see the folder's README).
#[test]
fn the_markdown_summary_is_the_actions_byte_for_byte() {
    let cases = golden_dir().join("summary-cases");
    let mut checked = 0;
    for entry in std::fs::read_dir(&cases).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let read = |name: &str| std::fs::read_to_string(case.join(name)).unwrap();
        let summary: BuildsSummary = serde_json::from_str(&read("summary.json")).unwrap();
        let builds: Vec<Build> = serde_json::from_str(&read("builds.json")).unwrap();
        for (scope, file) in [(Scope::Workflow, "workflow.md"), (Scope::Job, "job.md")] {
            let ours = report::markdown(&summary, &builds, scope);
            let theirs = read(file);
            if ours != theirs {
                let line = ours
                    .lines()
                    .zip(theirs.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let (a, b) = (
                    ours.lines().nth(line).unwrap_or(""),
                    theirs.lines().nth(line).unwrap_or(""),
                );
                let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(0);
                panic!(
                    "{}/{file} differs at line {} byte {at}:\n  ours:   {:?}\n  action: {:?}",
                    case.display(),
                    line + 1,
                    &a[at.saturating_sub(60)..(at + 60).min(a.len())],
                    &b[at.saturating_sub(60)..(at + 60).min(b.len())],
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10, "five cases, two scopes each");
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
    assert!(markdown.contains("<td>07:40</td><td>4</td><td>1.57 GB</td><td>2.06 GB</td>"));
    assert!(markdown.contains("<br/>start time: 2022-08-19T07:33:17.53853Z<br/>"));
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

#[test]
fn server_strings_are_escaped_in_markdown_and_made_printable_in_text() {
    let (summary, mut builds) = inputs();
    let build = &mut builds[0];
    build.system = "<script>alert(1)</script>\u{1b}[2J".into();
    build.status_message = Some("\"><img src=x onerror=alert(1)>\r\u{9b}31m".into());
    build.derivation_path = "/nix/store/00000000000000000000000000000000-a&b<\u{202e}.drv".into();
    let markdown = report::markdown(&summary, &builds, Scope::Job);
    assert!(
        !markdown.contains("<script>") && !markdown.contains("<img"),
        "{markdown}"
    );
    assert!(markdown.contains("&lt;script&gt;alert(1)&lt;/script&gt;&#x1b;[2J builds (1)"));
    assert!(markdown.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#xd;&#x9b;31m"));
    assert!(markdown.contains("a&amp;b&lt;&#x202e;"));
    let text = report::text(&summary, &builds);
    for rendered in [&markdown, &text] {
        assert!(
            !rendered
                .chars()
                .any(|c| c.is_control() && c != '\n' || c == '\u{202e}'),
            "{rendered:?}"
        );
    }
    assert!(
        text.contains("<script>alert(1)</script>\\u{1b}[2J builds (1)"),
        "{text}"
    );
}

#[test]
fn the_coloured_text_is_the_plain_text_with_each_status_painted() {
    let (summary, builds) = inputs();
    let plain = report::text(&summary, &builds);
    let coloured = report::text_with(&summary, &builds, report::Colour::Ansi);
    assert!(coloured.contains("\u{1b}[32mbuilt"), "{coloured}");
    assert!(coloured.contains("\u{1b}[31mclient_disconnect"), "{coloured}");
    let stripped = coloured
        .replace("\u{1b}[0m", "")
        .replace("\u{1b}[31m", "")
        .replace("\u{1b}[32m", "")
        .replace("\u{1b}[33m", "");
    assert_eq!(stripped, plain, "colour changes no character of the table");
    assert!(!plain.contains('\u{1b}'));
}

#[test]
fn an_unfinished_build_is_not_marked_done_in_the_text_but_is_in_the_action_s_markdown() {
    let (summary, builds) = inputs();
    let running: Vec<Build> = builds
        .into_iter()
        .filter(|build| build.status == BuildStatus::Running)
        .collect();
    assert!(!running.is_empty(), "the golden builds hold running ones");
    let text = report::text(&summary, &running);
    assert!(!text.contains('✔'), "{text}");
    assert_eq!(text.matches('…').count(), running.len(), "{text}");
    let ticks = |builds: &[Build]| {
        report::markdown(&summary, builds, Scope::Workflow)
            .matches("&#x2714;")
            .count()
    };
    assert_eq!(
        ticks(&running) - ticks(&[]),
        running.len(),
        "as the Action marks them"
    );
}
