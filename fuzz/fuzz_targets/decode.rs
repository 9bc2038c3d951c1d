//! Any bytes as any answer body the SDK decodes: no panic; a list of builds that decodes
//! re-encodes to JSON that decodes to the same builds; the reports render any of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nixbuild::report::{self, Scope};
use nixbuild::{Build, BuildsSummary, ErrorBody, Process, Usage};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<BuildsSummary>(data);
    let _ = serde_json::from_slice::<Usage>(data);
    let _ = serde_json::from_slice::<ErrorBody>(data);
    let _ = serde_json::from_slice::<Vec<Process>>(data);
    if let Ok(builds) = serde_json::from_slice::<Vec<Build>>(data) {
        let again = serde_json::to_vec(&builds).expect("decoded builds encode");
        let decoded: Vec<Build> = serde_json::from_slice(&again).expect("encoded builds decode");
        assert_eq!(decoded, builds);
        let summary = BuildsSummary::default();
        let _ = report::markdown(&summary, &builds, Scope::Workflow);
        let text = report::text(&summary, &builds);
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
        for build in &builds {
            let _ = (build.name(), build.finish_time(), build.status.is_finished());
        }
    }
});
