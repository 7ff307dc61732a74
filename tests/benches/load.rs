//! Load on loopback, side by side: each scenario's contenders (see `errorhandler_tests::contenders`) served
//! over real HTTP and driven by `wrk -t1 -c32`, in alternating rounds so that machine noise hits them alike.
//! The servers run on one thread pinned to CPU 0 and `wrk` is pinned to CPU 1 (with `taskset`, where the
//! machine has two CPUs), so the two do not compete for a core.
//!
//! `cargo bench -p errorhandler-tests --bench load` (needs `wrk`: `apt-get install wrk`); `LOAD_ROUNDS` and
//! `LOAD_SECONDS` set the rounds per contender and the seconds per run (5 and 2 by default); `LOAD_SCENARIO`
//! keeps the scenarios whose name contains it.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::mpsc;

use axum::Router;
use errorhandler_tests::contenders::scenarios;

const CONNECTIONS: u32 = 32;

fn main() {
    if Command::new("wrk").arg("--version").output().is_err() {
        eprintln!("load: `wrk` is not installed (`apt-get install wrk`); nothing measured");
        return;
    }
    std::panic::set_hook(Box::new(|_| {}));
    let rounds = setting("LOAD_ROUNDS", 5);
    let seconds = setting("LOAD_SECONDS", 2);
    let pinned = std::thread::available_parallelism().is_ok_and(|cpus| cpus.get() >= 2)
        && Command::new("taskset").arg("-V").output().is_ok();
    println!(
        "requests/s, median and range of {rounds} alternating runs of {seconds}s, wrk -t1 -c{CONNECTIONS}{}",
        if pinned {
            ", server on CPU 0, wrk on CPU 1"
        } else {
            " (not pinned)"
        }
    );
    let only = std::env::var("LOAD_SCENARIO").unwrap_or_default();
    for scenario in scenarios()
        .into_iter()
        .filter(|scenario| scenario.name.contains(&only))
    {
        let names: Vec<&str> = scenario.contenders.iter().map(|(name, _)| *name).collect();
        let addresses = start_servers(scenario.contenders, pinned);
        let mut rates = vec![Vec::new(); addresses.len()];
        for _ in 0..rounds {
            for (rate, address) in rates.iter_mut().zip(&addresses) {
                rate.push(requests_per_second(
                    *address,
                    scenario.path,
                    seconds,
                    pinned,
                ));
            }
        }
        println!("{} (GET {})", scenario.name, scenario.path);
        let baseline = median(&mut rates[0].clone());
        for (name, rate) in names.iter().zip(&mut rates) {
            let median = median(rate);
            let (low, high) = (rate[0], rate[rate.len() - 1]);
            println!(
                "  {name:<28} {median:>9.0}  ({low:.0}–{high:.0})  {:.3}x the first row (range {:.3}–{:.3})",
                median / baseline,
                low / baseline,
                high / baseline
            );
        }
    }
}

fn setting(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Serves every app on its own loopback port from one background thread, pinned to CPU 0 when asked.
fn start_servers(apps: Vec<(&'static str, Router)>, pinned: bool) -> Vec<SocketAddr> {
    let (sender, receiver) = mpsc::channel();
    let count = apps.len();
    std::thread::spawn(move || {
        if pinned {
            pin_this_thread_to_cpu_0();
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            for (_, app) in apps {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a loopback port");
                let address = listener.local_addr().expect("local address");
                tokio::spawn(async move { axum::serve(listener, app).await });
                sender.send(address).expect("main thread waits");
            }
            std::future::pending::<()>().await;
        });
    });
    (0..count)
        .map(|_| receiver.recv().expect("server started"))
        .collect()
}

/// `taskset` on this thread's id: Linux schedules threads by their own id.
fn pin_this_thread_to_cpu_0() {
    let thread_id = std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| link.file_name()?.to_str()?.parse::<u32>().ok());
    if let Some(thread_id) = thread_id {
        let _ = Command::new("taskset")
            .args(["-p", "-c", "0", &thread_id.to_string()])
            .output();
    }
}

fn requests_per_second(address: SocketAddr, path: &str, seconds: u32, pinned: bool) -> f64 {
    let mut command = if pinned {
        let mut command = Command::new("taskset");
        command.args(["-c", "1", "wrk"]);
        command
    } else {
        Command::new("wrk")
    };
    let output = command
        .args(["-t1", &format!("-c{CONNECTIONS}"), &format!("-d{seconds}s")])
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
