//! What the servers of the tests log and report, captured for the tests to read.
//!
//! [`TestServer::start`](crate::TestServer::start) installs the capturing subscriber (once per test binary; it takes
//! the events of `errorhandler` and of the tests, no other crate's) and
//! serves every app inside tower-http's `TraceLayer`, whose request span carries a `server` id of its own, so a
//! test reads the events of its own server among those of the tests running beside it. A layer just inside the
//! trace records the `ErrorReport` of every response as an event too (target [`REPORTS`]).
//!
//! Secrets: every session token a test sees ([`remember_secret`], called by `Tokens::of` and `set_cookies`) is
//! looked for among the words of every event captured before and after (a word: a run of the characters a token is
//! written with); a hit is recorded, and [`assert_no_secret_logged`] (called when a server stops) fails the test
//! that sees it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, Once};

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Level, Metadata, Subscriber};
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

struct Captured {
    events: Vec<Event>,
    secrets: Option<HashSet<String>>,
    // Every word of the captured events that could be a token, with the event it is in: a secret is looked up
    // here once when it is remembered, and each event's words in the secrets once when it is captured, so that
    // neither grows with the other (a suite signs a thousand users in).
    words: Option<HashMap<String, usize>>,
    leaks: Vec<String>,
}

static CAPTURED: Mutex<Captured> = Mutex::new(Captured {
    events: Vec::new(),
    secrets: None,
    words: None,
    leaks: Vec::new(),
});

/// The words of `text` that could be a session token or a cookie's value: runs of the characters those are
/// written with, long enough not to match by chance.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || "-_.~+/%".contains(c)))
        .filter(|word| word.len() >= MIN_SECRET_LEN)
}

/// The shortest value taken for a secret: shorter ones would match by chance.
const MIN_SECRET_LEN: usize = 16;

fn captured() -> MutexGuard<'static, Captured> {
    CAPTURED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the capturing subscriber as the global default, once per test binary: every event of the crate and of
/// the tests, at every level.
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
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut captured = captured();
    if !captured
        .secrets
        .get_or_insert_with(HashSet::new)
        .insert(secret.to_owned())
    {
        return;
    }
    let seen = captured
        .words
        .as_ref()
        .and_then(|words| words.get(secret).copied());
    if let Some(index) = seen {
        let leak = format!("{} contains a token", captured.events[index]);
        captured.leaks.push(leak);
    }
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

/// Whether a call site is the crate's or the tests' own: only those are captured, so that the servers of the
/// tests (a thousand sessions at once, some of them) do not wait on recording every event of hyper and reqwest.
fn is_captured(metadata: &Metadata<'_>) -> bool {
    metadata.target().starts_with("errorhandler")
}

impl<S> tracing_subscriber::Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if is_captured(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        is_captured(metadata)
    }

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
        let index = captured.events.len();
        let words: Vec<String> = event.texts().flat_map(words).map(str::to_owned).collect();
        let leaked = captured
            .secrets
            .as_ref()
            .is_some_and(|secrets| words.iter().any(|word| secrets.contains(word)));
        if leaked {
            captured.leaks.push(format!("{event} contains a token"));
        }
        let known = captured.words.get_or_insert_with(HashMap::new);
        for word in words {
            known.entry(word).or_insert(index);
        }
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
