//! SuperTokens' official frontend SDK (`supertokens-web-js` 0.16, embedding `supertokens-website` 20) drives the
//! session example in headless Chromium: `tests/browser/session.mjs`, run by Node with `playwright-core`, in
//! cookie and header mode, same origin and cross origin, with the newer and the older (440) configuration.
//!
//! Needs Debian's Chromium (`/usr/bin/chromium`, or `CHROMIUM`), Node and `npm ci` at the repository root.
//! Without them the test says what is missing and passes, unless `ERRORHANDLER_BROWSER_TEST=required` (set by
//! `.ci/run`), which makes their absence a failure.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::http::HeaderValue;
use errorhandler::session::AntiCsrf;
use errorhandler_examples::session_errors::{Options, app_with, frontend, sdk_bundle_dir};
use errorhandler_tests::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_frontend_sdk_drives_the_session_recipe_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let missing: Vec<String> = [
        (!chromium.exists()).then(|| {
            format!(
                "Chromium at {} (`apt-get install chromium`, or set CHROMIUM)",
                chromium.display()
            )
        }),
        (!root.join("node_modules/playwright-core").is_dir())
            .then(|| "node_modules/playwright-core (`npm ci` at the repository root)".to_owned()),
        (!sdk_bundle_dir().is_dir()).then(|| {
            format!(
                "the supertokens-web-js bundle at {} (`npm ci` at the repository root)",
                sdk_bundle_dir().display()
            )
        }),
        which_node()
            .is_none()
            .then(|| "node on the PATH".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        let message = format!(
            "browser test skipped: missing {}; `.ci/run` installs them",
            missing.join(", ")
        );
        assert!(
            std::env::var("ERRORHANDLER_BROWSER_TEST").as_deref() != Ok("required"),
            "{message}"
        );
        eprintln!("{message}");
        return;
    }

    // The frontend origin must be known before the API's CORS set-up, so its port is taken first.
    let frontend_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let frontend_origin = format!(
        "http://{}",
        frontend_listener.local_addr().expect("address")
    );
    let api = TestServer::start(app_with(Options {
        anti_csrf: Some(AntiCsrf::ViaToken),
        cors_origins: vec![HeaderValue::from_str(&frontend_origin).expect("origin")],
        ..Options::default()
    }))
    .await;
    let api_origin = api.url("");
    let page = frontend(&api_origin);
    let frontend_server = tokio::spawn(async move {
        axum::serve(frontend_listener, page).await.expect("serve");
    });

    let started = Instant::now();
    let mut node = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/session.mjs"))
        .current_dir(&root)
        .env("API_URL", &api_origin)
        .env("FRONTEND_URL", &frontend_origin)
        .env("CHROMIUM", &chromium)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let status = tokio::time::timeout(Duration::from_secs(300), node.wait())
        .await
        .expect("the browser steps finish within 5 minutes")
        .expect("node runs");
    frontend_server.abort();
    eprintln!("browser steps took {:.1?}", started.elapsed());
    assert!(
        status.success(),
        "a browser step failed ({status}); its output is above"
    );
}

fn which_node() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("node"))
            .find(|path| path.is_file())
    })
}
