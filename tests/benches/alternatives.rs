//! Each scenario's contenders side by side in one run, one request at a time through `oneshot`, in-process:
//! our layer against bare axum and what users would write instead (see `errorhandler_tests::contenders`, whose
//! answers `tests/tests/contenders.rs` checks to be byte-identical).
//!
//! `cargo bench -p errorhandler-tests --bench alternatives`

use errorhandler_tests::contenders::serve_once;

fn main() {
    // Panics print nothing: the panic scenario measures the catching, not the hook's formatting.
    std::panic::set_hook(Box::new(|_| {}));
    divan::main();
}

fn bench(bencher: divan::Bencher, scenario: &str, contender: &str) {
    let (path, app) = errorhandler_tests::contenders::contender(scenario, contender);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    bencher.bench_local(|| runtime.block_on(serve_once(&app, path)));
}

#[divan::bench(args = ["bare axum", "errorhandler", "CatchPanicLayer", "HashMap registry", "from_fn match"])]
fn success_set_without_extractors(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "2xx, set without extractors", contender);
}

#[divan::bench(args = ["bare axum", "errorhandler"])]
fn success_set_taking_uri(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "2xx, set whose handler takes Uri", contender);
}

#[divan::bench(args = ["from_fn match", "errorhandler", "HashMap registry", "bare axum fallback", "bare axum (empty 404)"])]
fn unknown_route_404_page(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "unknown route, custom 404 page", contender);
}

#[divan::bench(args = ["hand-written IntoResponse", "errorhandler"])]
fn typed_error(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "typed error, type handler", contender);
}

#[divan::bench(args = ["hand-written IntoResponse", "errorhandler"])]
fn declared_error_own_answer(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "declared error, its own answer", contender);
}

#[divan::bench(args = ["from_fn 50-arm match", "errorhandler"])]
fn status_in_fifty_keys(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "status in the middle of a 50-key set", contender);
}

#[divan::bench(args = ["CatchPanicLayer", "errorhandler"])]
fn panic_500_page(bencher: divan::Bencher, contender: &str) {
    bench(bencher, "panicking route, 500 page", contender);
}
