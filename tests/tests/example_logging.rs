//! `cargo run --example custom_error_pages`, then `/crash`: the server logs one line, with the request id, the
//! panic and where it happened. The example's own subscriber and layers, writing into a buffer, over real HTTP.

use std::io::Write;
use std::sync::{Arc, Mutex};

use errorhandler_examples::custom_error_pages::app;
use errorhandler_examples::observability::{subscriber, with_request_ids};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// What the subscriber wrote, shared with the test.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

impl Buffer {
    fn lines(&self) -> Vec<String> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }
}

#[tokio::test]
async fn a_crash_logs_one_line_with_the_request_id_and_the_panic_location() {
    let buffer = Buffer::default();
    // As `init_logging` does with `RUST_LOG` unset; the ANSI colours are the terminal's, not the test's.
    tracing::subscriber::set_global_default(subscriber(buffer.clone(), EnvFilter::new("info")))
        .expect("the only subscriber of this test binary");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, with_request_ids(app()))
            .await
            .unwrap();
    });
    let client = reqwest::Client::new();

    let response = client
        .get(format!("http://{address}/crash"))
        .header("x-request-id", "req-0042")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["x-request-id"], "req-0042");
    let page = response.text().await.unwrap();
    assert!(
        !page.contains("crashed"),
        "the panic stays in the log: {page}"
    );

    let lines = buffer.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = strip_ansi(&lines[0]);
    for part in [
        "ERROR",
        "req-0042",
        "uri=/crash",
        "the cheese shop crashed",
        "answered_by=500",
        "panic.location=\"examples/src/custom_error_pages.rs:",
    ] {
        assert!(line.contains(part), "{part:?} in {line}");
    }

    // A 404 is at DEBUG: nothing at `info`. A request without an id gets one, echoed.
    let response = client
        .get(format!("http://{address}/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(buffer.lines().len(), 1, "{:#?}", buffer.lines());
    server.abort();
}

/// `line` without the terminal colour codes the default format writes.
fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
