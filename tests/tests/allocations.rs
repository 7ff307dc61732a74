//! Allocations per request, counted by a global allocator (deterministic, unlike times): each scenario's
//! contenders side by side, and the layer's budget over the hand-written equivalent asserted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use errorhandler_tests::contenders::{contender, scenarios};
use tower::ServiceExt;

/// Counts the allocations of the thread that asked for counting, and their bytes.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call forwards to the system allocator; the counters are thread-locals that allocate nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(pointer, layout) }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(pointer, layout, new_size) }
    }
}

fn count(size: usize) {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = COUNTING.try_with(|counting| {
        if counting.get() {
            ALLOCATIONS.with(|allocations| allocations.set(allocations.get() + 1));
            BYTES.with(|bytes| bytes.set(bytes.get() + size as u64));
        }
    });
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Allocations and bytes of one GET through `app`, body read, on a warm router.
fn allocations_per_request(
    runtime: &tokio::runtime::Runtime,
    app: &Router,
    path: &str,
) -> (u64, u64) {
    allocations_per(runtime, app, "GET", path)
}

/// Allocations and bytes of one `method` request through `app`, body read, on a warm router.
fn allocations_per(
    runtime: &tokio::runtime::Runtime,
    app: &Router,
    method: &str,
    path: &str,
) -> (u64, u64) {
    let request = || {
        Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .expect("request")
    };
    let serve = |request: Request<Body>| {
        runtime.block_on(async {
            let response = app.clone().oneshot(request).await.expect("infallible");
            axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
        })
    };
    // The first requests fill lazily built statics and caches.
    for _ in 0..3 {
        serve(request());
    }
    let request = request();
    ALLOCATIONS.with(|allocations| allocations.set(0));
    BYTES.with(|bytes| bytes.set(0));
    COUNTING.with(|counting| counting.set(true));
    serve(request);
    COUNTING.with(|counting| counting.set(false));
    (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get))
}

#[test]
fn allocations_per_request_of_each_contender() {
    // Panics print nothing: the panic scenario measures the layer, not the hook's formatting.
    std::panic::set_hook(Box::new(|_| {}));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut table = Vec::new();
    for scenario in scenarios() {
        for (name, app) in &scenario.contenders {
            let (allocations, bytes) = allocations_per_request(&runtime, app, scenario.path);
            // Deterministic: a second count of the same request is the same.
            assert_eq!(
                allocations_per_request(&runtime, app, scenario.path),
                (allocations, bytes),
                "{}: {name}",
                scenario.name
            );
            table.push((scenario.name, *name, allocations, bytes));
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "{:<40} {:<28} {:>6} {:>8}",
        "scenario", "contender", "allocs", "bytes"
    );
    for (scenario, name, allocations, bytes) in &table {
        println!("{scenario:<40} {name:<28} {allocations:>6} {bytes:>8}");
    }
    let count = |scenario: &str, contender: &str| {
        table
            .iter()
            .find(|(s, c, _, _)| *s == scenario && *c == contender)
            .map(|(_, _, allocations, _)| *allocations)
            .unwrap_or_else(|| panic!("{scenario}: no contender {contender}"))
    };
    // The layer's allocations over the hand-written equivalent, per scenario: what they are today, so that
    // none comes back unnoticed (bench/README.md explains each). Every answered error carries its `ErrorReport`
    // in the response's extensions: one box (the map is the one the error travelled in, or a new one where the
    // `Handled` mark had one already), and for an error with a message, the message written once; a bare
    // status (the router's 404) writes none.
    for (scenario, equivalent, budget) in [
        ("2xx, set without extractors", "HashMap registry", 0),
        ("2xx, set whose handler takes Uri", "bare axum", 4),
        ("unknown route, custom 404 page", "bare axum fallback", 3),
        ("unknown route, custom 404 page", "from_fn match", 0),
        // Under the layer, the route's error keeps its plain-text page as a lazy body (one box) for code
        // between the route and the layer that would read it.
        ("typed error, type handler", "hand-written IntoResponse", 12),
        (
            "declared error, its own answer",
            "hand-written IntoResponse",
            11,
        ),
        (
            "status in the middle of a 50-key set",
            "from_fn 50-arm match",
            0,
        ),
        // The panic's location and message (recorded by the layer's hook, in case code inside the layer catches
        // it first), its message and cause kept for the report.
        ("panicking route, 500 page", "CatchPanicLayer", 10),
    ] {
        let ours = count(scenario, "errorhandler");
        let theirs = count(scenario, equivalent);
        assert!(
            ours <= theirs + budget,
            "{scenario}: the layer allocates {ours} times, {equivalent} {theirs}; the budget is {budget} over it"
        );
    }
}

#[test]
fn the_layers_response_future_is_little_larger_than_its_routes() {
    use axum::routing::future::RouteFuture;
    use errorhandler::ResponseFuture;
    use errorhandler_tests::contenders::{HeadReadingErrors, PageErrors};
    use std::convert::Infallible;
    use std::mem::size_of;

    let route = size_of::<RouteFuture<Infallible>>();
    let ours = size_of::<ResponseFuture<RouteFuture<Infallible>, PageErrors>>();
    let reading = size_of::<ResponseFuture<RouteFuture<Infallible>, HeadReadingErrors>>();
    println!("route future {route} bytes; the layer's {ours}; with a head-reading set {reading}");
    // The request's `Accept` and the head a set reads, boxed (some 230 bytes, copied only for sets that read it):
    // axum moves the future into a box of its own, and a larger one costs every request a larger copy.
    assert!(
        ours <= route + 64,
        "{ours} bytes over a route future of {route}"
    );
    assert_eq!(reading, ours);
}

#[test]
fn an_event_no_subscriber_wants_costs_no_allocation() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (path, app) = contender("unknown route, custom 404 page", "errorhandler");
    let without = allocations_per_request(&runtime, &app, path);
    // A server's log that takes errors only: the 404's event (at DEBUG) is not wanted.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("error"))
        .with_writer(std::io::sink)
        .finish();
    let with = tracing::subscriber::with_default(subscriber, || {
        allocations_per_request(&runtime, &app, path)
    });
    assert_eq!(
        with.0, without.0,
        "allocations of a 404 with and without a subscriber"
    );
}

/// The same handlers as `#[handler]` items and declared in the block, for the test below.
mod forms {
    use axum::http::Uri;
    use errorhandler::{HttpError, errorhandler, handler};

    #[handler(404)]
    pub fn missing_page(e: &HttpError, uri: Uri) -> String {
        format!("{uri}: {}", e.description())
    }

    #[handler(405)]
    pub async fn wrong_method(e: &HttpError) -> String {
        e.to_string()
    }

    errorhandler! {
        pub struct Named;

        missing_page;
        wrong_method;
    }

    errorhandler! {
        pub struct Declared;

        #[errorhandler(404)]
        fn declared_missing_page(e: &HttpError, uri: Uri) -> String {
            format!("{uri}: {}", e.description())
        }

        #[errorhandler(405)]
        async fn declared_wrong_method(e: &HttpError) -> String {
            e.to_string()
        }
    }
}

#[test]
fn a_handler_item_costs_what_the_same_handler_in_the_block_costs() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let routes = || Router::new().route("/only-get", axum::routing::get(|| async { "ok" }));
    let named = routes().layer(forms::Named::layer());
    let declared = routes().layer(forms::Declared::layer());
    // A plain `fn` with an extractor (answered at once), and an `async fn` (its future boxed).
    for (method, path) in [("GET", "/nowhere"), ("POST", "/only-get")] {
        let answer = |app: &Router| {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(Body::empty())
                .expect("request");
            runtime.block_on(async {
                let response = app.clone().oneshot(request).await.expect("infallible");
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                    .await
                    .expect("body");
                (status, body)
            })
        };
        let (status, body) = answer(&named);
        assert!(!body.is_empty(), "{method} {path}: a handler answered");
        assert_eq!((status, body), answer(&declared), "{method} {path}");
        assert_eq!(
            allocations_per(&runtime, &named, method, path),
            allocations_per(&runtime, &declared, method, path),
            "{method} {path}: allocations and bytes of the named handler and of the declared one"
        );
    }
}
