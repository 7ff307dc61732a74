//! What the servers of the tests log and report, captured for the tests to read.
//!
//! [`TestServer::start`](crate::TestServer::start) installs the capturing subscriber (once per test binary) and
//! serves every app inside tower-http's `TraceLayer`, whose request span carries a `server` id of its own, so a
//! test reads the events of its own server among those of the tests running beside it. A layer just inside the
//! trace records the `ErrorReport` of every response as an event too (target [`REPORTS`]).
//!
//! Secrets: every session token a test sees ([`remember_secret`], called by `Tokens::of`) is looked for in every
//! event captured before and after; a hit is recorded, and [`assert_no_secret_logged`] (called when a server
//! stops) fails the test that sees it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The target of the events that record the `ErrorReport` of a response.
pub const REPORTS: &str = "errorhandler_tests::report";

/// One event, with the fields of the spans it sat in, innermost first.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its level.
    pub level: Level,
    /// Its target (the module that logged it).
    pub target: String,
    /// Its fields, `message` among them.
    pub fields: BTreeMap<String, String>,
    /// The spans it sat in, innermost first: their names and fields.
    pub spans: Vec<(String, BTreeMap<String, String>)>,
}

impl Event {
    /// The value of field `name`, if the event has it.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// The value of field `name` of the innermost span that has it.
    pub fn span_field(&self, name: &str) -> Option<&str> {
        self.spans
            .iter()
            .find_map(|(_, fields)| fields.get(name).map(String::as_str))
    }

    /// Whether the event was logged by the crate under test.
    pub fn is_errorhandler(&self) -> bool {
        self.target == "errorhandler" || self.target.starts_with("errorhandler::")
    }

    /// Every text of the event and its spans, for a search.
    fn texts(&self) -> impl Iterator<Item = &str> {
        self.fields
            .values()
            .chain(self.spans.iter().flat_map(|(_, fields)| fields.values()))
            .map(String::as_str)
            .chain(std::iter::once(self.target.as_str()))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {:?}", self.level, self.target, self.fields)
    }
}

#[derive(Default)]
struct Captured {
    events: Vec<Event>,
    secrets: Vec<String>,
    leaks: Vec<String>,
}

static CAPTURED: Mutex<Captured> = Mutex::new(Captured {
    events: Vec::new(),
    secrets: Vec::new(),
    leaks: Vec::new(),
});

fn captured() -> MutexGuard<'static, Captured> {
    CAPTURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the capturing subscriber as the global default, once per test binary; every level is captured.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Another subscriber (a test's own) may be there already: then nothing is captured, and the tests that
        // read events say so by failing.
        let _ = tracing_subscriber::registry().with(Capture).try_init();
    });
}

/// The events captured so far whose request span has `server = id`.
pub fn events_of(server: u64) -> Vec<Event> {
    let wanted = server.to_string();
    captured()
        .events
        .iter()
        .filter(|event| event.span_field("server") == Some(wanted.as_str()))
        .cloned()
        .collect()
}

/// Every event captured so far, of every test of this binary.
pub fn all_events() -> Vec<Event> {
    captured().events.clone()
}

/// Remembers a secret (a session token) that no event may contain, and looks for it in those captured so far.
pub fn remember_secret(secret: &str) {
    // Short values would match by chance.
    if secret.len() < 16 {
        return;
    }
    let mut captured = captured();
    if captured.secrets.iter().any(|known| known == secret) {
        return;
    }
    let leaks: Vec<String> = captured
        .events
        .iter()
        .filter(|event| event.texts().any(|text| text.contains(secret)))
        .map(|event| format!("{event} contains a token"))
        .collect();
    captured.leaks.extend(leaks);
    captured.secrets.push(secret.to_owned());
}

/// Fails when a captured event contained a remembered secret.
pub fn assert_no_secret_logged() {
    let leaks = captured().leaks.clone();
    assert!(leaks.is_empty(), "secrets reached the log: {leaks:#?}");
}

/// Serves `app` inside a request span with `server = id` (and the method, URI and `x-request-id`), with the
/// `ErrorReport` of each response recorded as an event.
pub fn traced(app: Router, id: u64) -> Router {
    app.layer(middleware::from_fn(record_report)).layer(
        tower_http::trace::TraceLayer::new_for_http().make_span_with(move |request: &Request| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|value| value.to_str().ok())
                .unwrap_or("");
            tracing::info_span!(
                "request",
                server = id,
                method = %request.method(),
                uri = %request.uri(),
                request_id,
            )
        }),
    )
}

/// A new server id.
pub fn next_server_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

async fn record_report(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(report) = response.extensions().get::<errorhandler::ErrorReport>() {
        tracing::info!(target: REPORTS, report = ?report, status = report.status().as_u16());
    }
    response
}

struct Capture;

impl<S> tracing_subscriber::Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut fields = Fields::default();
        attributes.record(&mut fields);
        if let Some(span) = context.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        if let Some(span) = context.span(id) {
            let mut extensions = span.extensions_mut();
            if let Some(fields) = extensions.get_mut::<Fields>() {
                values.record(fields);
            }
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, context: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = context
            .event_scope(event)
            .map(|scope| {
                scope
                    .map(|span| {
                        let fields = span
                            .extensions()
                            .get::<Fields>()
                            .map(|fields| fields.0.clone())
                            .unwrap_or_default();
                        (span.name().to_owned(), fields)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let event = Event {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields: fields.0,
            spans,
        };
        let mut captured = captured();
        let leaks: Vec<String> = captured
            .secrets
            .iter()
            .filter(|secret| event.texts().any(|text| text.contains(secret.as_str())))
            .map(|_| format!("{event} contains a token"))
            .collect();
        captured.leaks.extend(leaks);
        captured.events.push(event);
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}
