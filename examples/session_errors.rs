//! Serves SuperTokens' custom session error handling, older and newer SDK side by side:
//! `cargo run --example session_errors`, then follow the README's section "Try it: `cargo run --example
//! session_errors`" (set `PORT` to use another port than 3001; set `REDIS_URL` and `SESSION_SECRET` to share
//! sessions with other instances through Redis).

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3001_u16);
    let backing = errorhandler_examples::session_errors::Backing::from_env()
        .await
        .map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("Session errors demo at http://{}/", listener.local_addr()?);
    axum::serve(
        listener,
        errorhandler_examples::session_errors::app_with(&backing),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
