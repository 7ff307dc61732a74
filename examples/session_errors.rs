//! Serves SuperTokens' custom session error handling, older and newer SDK side by side:
//! `cargo run --example session_errors`, then follow the `session` module docs' section "Try it: the example"
//! (set `PORT` to use another port than 3001), or open the page it prints, which drives the
//! server with SuperTokens' own frontend SDK (installed by `npm ci` at the repository root). The same page is
//! served on the next port as another origin, calling the API through CORS. Set `REDIS_URL` and `SESSION_SECRET`
//! to share sessions with other instances through Redis.

use axum::http::HeaderValue;
use errorhandler_examples::observability::{init_logging, with_request_ids};
use errorhandler_examples::session_errors::{Backing, Options, app_with, frontend, sdk_bundle_dir};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    init_logging();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3001_u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let api = format!("http://{}", listener.local_addr()?);
    let other = tokio::net::TcpListener::bind(("127.0.0.1", port.wrapping_add(1))).await?;
    let other_origin = format!("http://{}", other.local_addr()?);
    println!("Session errors demo at {api}/ (the API and a page driving it with SuperTokens' SDK)");
    println!("The same page on another origin, calling the API through CORS: {other_origin}/");
    if !sdk_bundle_dir().is_dir() {
        println!(
            "The SDK bundle is not installed ({}): run `npm ci` at the repository root for the pages; the API works without it",
            sdk_bundle_dir().display()
        );
    }
    let backing = Backing::from_env().await.map_err(std::io::Error::other)?;
    let options = Options {
        backing,
        cors_origins: vec![
            HeaderValue::from_str(&other_origin).expect("an origin is a header value"),
        ],
        ..Options::default()
    };
    let shutdown = || async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let cross_origin = axum::serve(other, frontend(&api)).with_graceful_shutdown(shutdown());
    let same_origin = axum::serve(listener, with_request_ids(app_with(options)))
        .with_graceful_shutdown(shutdown());
    let (same, cross) = tokio::join!(same_origin, cross_origin);
    same.and(cross)
}
