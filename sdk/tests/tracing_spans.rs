//! Every HTTP attempt is a `nixbuild.request` span with method, path, attempt, status and
//! duration; no field ever holds the token.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wiremock::ResponseTemplate;

type Fields = BTreeMap<String, String>;

/// Collects the fields of every span, by span id, in creation order.
#[derive(Clone, Default)]
struct SpanRecorder(Arc<Mutex<Vec<(Id, String, Fields)>>>);

struct FieldVisitor<'a>(&'a mut Fields);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: tracing::Subscriber> Layer<S> for SpanRecorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut FieldVisitor(&mut fields));
        self.0
            .lock()
            .unwrap()
            .push((id.clone(), attrs.metadata().name().to_owned(), fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, _, fields)) = spans.iter_mut().find(|(span, _, _)| span == id) {
            values.record(&mut FieldVisitor(fields));
        }
    }
}

#[tokio::test]
async fn each_attempt_is_a_span_with_method_path_attempt_status_and_duration() {
    let server = common::failing_then_ok(1, ResponseTemplate::new(503)).await;

    let recorder = SpanRecorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    common::client(&server).builds().list().send().await.unwrap();

    let spans = recorder.0.lock().unwrap().clone();
    let requests: Vec<&Fields> = spans
        .iter()
        .filter(|(_, name, _)| name == "nixbuild.request")
        .map(|(_, _, f)| f)
        .collect();
    assert_eq!(requests.len(), 2, "{spans:?}");
    for (attempt, (fields, status)) in requests.iter().zip(["503", "200"]).enumerate() {
        assert_eq!(fields["method"], "GET");
        assert_eq!(fields["path"], "/builds");
        assert_eq!(fields["attempt"], (attempt + 1).to_string());
        assert_eq!(fields["status"], status);
        assert!(fields["duration_ms"].parse::<u64>().is_ok(), "{fields:?}");
    }
    assert!(!format!("{spans:?}").contains(common::TOKEN));
}
