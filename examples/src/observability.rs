//! What both example servers put around their app, as a production axum server would: a log on stderr filtered by
//! `RUST_LOG` (`info` when it is unset), and a request id on every request (its own `x-request-id`, or a new
//! UUID) that every event of the request carries and the response echoes.
//!
//! A request the site answers with its 500 page logs one line, the error handlers' own:
//!
//! ```text
//! ERROR request{id=5e0c… method=GET uri=/crash}: errorhandler: answered an error status=500 … panic.location=examples/src/custom_error_pages.rs:…
//! ```

use axum::Router;
use axum::extract::Request;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs [`subscriber`] on stderr, filtered by `RUST_LOG` (`info` when it is unset), as the process's default.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing::subscriber::set_global_default(subscriber(std::io::stderr, filter))
        .expect("no other subscriber is installed");
}

/// The examples' subscriber: `tracing-subscriber`'s one-line format, filtered by `filter`, written to `writer`, in
/// colour when stderr is a terminal.
pub fn subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

/// `app` with a request id and a `TraceLayer` span around every request.
///
/// The span carries the id, the method and the URI. `TraceLayer`'s own failure event is off: the error handlers
/// log every error they answer, with its cause, so a 500 is logged once.
pub fn with_request_ids(app: Router) -> Router {
    app.layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get("x-request-id")
                        .and_then(|id| id.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        id,
                        method = %request.method(),
                        uri = %request.uri(),
                    )
                })
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
