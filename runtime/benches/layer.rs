//! The layer's cost, side by side: the happy path without a layer, with a set that reads no request head and
//! with one that does; and the error path handled by a handler or by the built-in default.
//!
//! `cargo bench -p errorhandler --bench layer`

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use common::{HeadReadingErrors, HeadlessErrors, routes};
use tower::ServiceExt;

fn main() {
    divan::main();
}

fn request(path: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header(
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header("user-agent", "bench")
        .body(Body::empty())
        .expect("request")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
}

fn run(runtime: &tokio::runtime::Runtime, app: &Router, path: &str) -> u16 {
    runtime.block_on(async {
        let response = app
            .clone()
            .oneshot(request(path))
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        status
    })
}

mod happy_path {
    use super::*;

    #[divan::bench]
    fn no_layer(bencher: divan::Bencher) {
        let app = routes();
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/ok"));
    }

    /// What any tower layer costs under `Router::layer`: the baseline of the two rows below.
    #[divan::bench]
    fn pass_through_layer(bencher: divan::Bencher) {
        let app = routes().layer(tower::util::MapResponseLayer::new(
            |response: axum::response::Response| response,
        ));
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/ok"));
    }

    #[divan::bench]
    fn layer_reading_no_head(bencher: divan::Bencher) {
        let app = routes().layer(HeadlessErrors::layer());
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/ok"));
    }

    #[divan::bench]
    fn layer_reading_the_head(bencher: divan::Bencher) {
        let app = routes().layer(HeadReadingErrors::layer());
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/ok"));
    }
}

mod error_path {
    use super::*;

    #[divan::bench]
    fn no_layer(bencher: divan::Bencher) {
        let app = routes();
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/missing"));
    }

    #[divan::bench]
    fn handled(bencher: divan::Bencher) {
        let app = routes().layer(HeadlessErrors::layer());
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/missing"));
    }

    #[divan::bench]
    fn handled_with_head(bencher: divan::Bencher) {
        let app = routes().layer(HeadReadingErrors::layer());
        let runtime = runtime();
        bencher.bench_local(|| run(&runtime, &app, "/missing"));
    }
}
