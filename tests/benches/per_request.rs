//! Serves one scenario's contender `N` times in-process and exits: the program `valgrind --tool=callgrind` runs
//! to count instructions per request, which do not move from run to run as times do. The count per request is the
//! difference between two runs (say 3,000 and 1,000 requests) divided by the difference of their counts, so that
//! start-up and the building of the routers cancel out.
//!
//! `cargo bench -p errorhandler-tests --bench per_request -- "typed error, type handler" errorhandler 1000`
//!
//! With `PER_REQUEST_LOG` set to a filter (`error`, `debug`), a `tracing-subscriber` formats every event it lets
//! through into a sink, as a server's log would: the cost of logging on. Unset, no subscriber is installed.

use errorhandler_tests::contenders::{self, serve_once};

fn main() {
    // Panics print nothing: the panic scenario measures the catching, not the hook's formatting.
    std::panic::set_hook(Box::new(|_| {}));
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let (Some(scenario), Some(contender), Some(count)) = (args.next(), args.next(), args.next())
    else {
        eprintln!(
            "usage: per_request SCENARIO CONTENDER COUNT (names as in tests/src/contenders.rs)"
        );
        return;
    };
    let count: u32 = count.parse().expect("COUNT is a number");
    if let Ok(filter) = std::env::var("PER_REQUEST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::sink)
            .init();
    }
    let (path, app) = contenders::contender(&scenario, &contender);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    for _ in 0..count {
        runtime.block_on(serve_once(&app, path));
    }
}
