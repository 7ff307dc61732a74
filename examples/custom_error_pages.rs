//! Serves Flask's "Custom Error Pages" example: `cargo run --example custom_error_pages`, then open
//! http://127.0.0.1:3000/ (set `PORT` to use another port). Errors are logged on stderr (`RUST_LOG=debug` shows the
//! 4xx too); `/crash` logs one line with the request id, the panic and where it happened.

use errorhandler_examples::observability::{init_logging, with_request_ids};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    init_logging();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3000_u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "The Cheese Shop is open at http://{}/",
        listener.local_addr()?
    );
    let app = with_request_ids(errorhandler_examples::custom_error_pages::app());
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
