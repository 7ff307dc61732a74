//! Load on loopback, side by side: the same routes served without a layer, under a pass-through tower layer
//! and under two handler sets (one whose handlers read the request head, one whose handlers do not), driven
//! by `wrk` in alternating rounds so that machine noise hits all four alike.
//!
//! `cargo bench -p errorhandler --bench load` (needs `wrk`: `apt-get install wrk`). The servers share one
//! thread and `wrk` gets one, so the two do not compete for a core on a two-core machine.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::mpsc;

mod common;

use axum::Router;
use common::{HeadReadingErrors, HeadlessErrors, routes};

/// Rounds per server and path; each round is one `wrk` run of `SECONDS_PER_RUN`.
const ROUNDS: usize = 3;
const SECONDS_PER_RUN: u32 = 3;
const CONNECTIONS: u32 = 32;

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("load: `wrk` is not installed (`apt-get install wrk`); nothing measured");
        return;
    }
    let servers = start_servers(vec![
        ("no layer", routes()),
        (
            "pass-through layer",
            routes().layer(tower::util::MapResponseLayer::new(
                |response: axum::response::Response| response,
            )),
        ),
        (
            "set reading no head",
            routes().layer(HeadlessErrors::layer()),
        ),
        (
            "set reading the head",
            routes().layer(HeadReadingErrors::layer()),
        ),
    ]);
    for path in ["/ok", "/missing"] {
        let mut rates = vec![Vec::new(); servers.len()];
        for _ in 0..ROUNDS {
            for (rate, (_, address)) in rates.iter_mut().zip(&servers) {
                rate.push(requests_per_second(*address, path));
            }
        }
        println!(
            "GET {path}: requests/s, median of {ROUNDS} alternating runs of {SECONDS_PER_RUN}s"
        );
        let baseline = median(&mut rates[0].clone());
        for ((name, _), rate) in servers.iter().zip(&mut rates) {
            let median = median(rate);
            println!(
                "  {name:<20} {median:>10.0}   {:.3}x the first row",
                median / baseline
            );
        }
    }
}

/// Serves every app on its own loopback port from one background thread.
fn start_servers(apps: Vec<(&'static str, Router)>) -> Vec<(&'static str, SocketAddr)> {
    let (sender, receiver) = mpsc::channel();
    let count = apps.len();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            for (name, app) in apps {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a loopback port");
                let address = listener.local_addr().expect("local address");
                tokio::spawn(async move { axum::serve(listener, app).await });
                sender.send((name, address)).expect("main thread waits");
            }
            std::future::pending::<()>().await;
        });
    });
    (0..count)
        .map(|_| receiver.recv().expect("server started"))
        .collect()
}

fn requests_per_second(address: SocketAddr, path: &str) -> f64 {
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{SECONDS_PER_RUN}s"),
        ])
        .arg(format!("http://{address}{path}"))
        .output()
        .expect("run wrk");
    let report = String::from_utf8_lossy(&output.stdout);
    report
        .lines()
        .find_map(|line| line.trim().strip_prefix("Requests/sec:"))
        .and_then(|rate| rate.trim().parse().ok())
        .unwrap_or_else(|| panic!("wrk printed no rate:\n{report}"))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
