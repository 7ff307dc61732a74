//! Serves Flask's "Custom Error Pages" example: `cargo run --example custom_error_pages`, then open
//! http://127.0.0.1:3000/ (set `PORT` to use another port).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3000_u16);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "The Cheese Shop is open at http://{}/",
        listener.local_addr()?
    );
    axum::serve(listener, errorhandler_examples::custom_error_pages::app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
