//! Another service verifies the session example's access tokens with `jose` (the JWT library SuperTokens' docs
//! use) through the example's JWKS: `tests/jwt/verify.mjs`, run by Node against two instances of the example that
//! share a `redis-server` and a root secret, before and after a key rotation.
//!
//! Needs Node, `npm ci` at the repository root and `redis-server`. Without them the test says what is missing and
//! passes, unless `ERRORHANDLER_JWT_VERIFIER_TEST=required` (set by `.ci/run`), which makes their absence a
//! failure.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use errorhandler_examples::session_errors::{Backing, ISSUER, Options, app_with};
use errorhandler_tests::{RedisServer, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jose_verifies_the_tokens_of_two_instances_through_the_jwks_across_a_rotation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let missing: Vec<&str> = [
        (!root.join("node_modules/jose").is_dir())
            .then_some("node_modules/jose (`npm ci` at the repository root)"),
        which("node").is_none().then_some("node on the PATH"),
        (!RedisServer::is_installed()).then_some("redis-server (`apt-get install redis-server`)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        let message = format!(
            "jose verification skipped: missing {}; `.ci/run` installs them",
            missing.join(", ")
        );
        assert!(
            std::env::var("ERRORHANDLER_JWT_VERIFIER_TEST").as_deref() != Ok("required"),
            "{message}"
        );
        eprintln!("{message}");
        return;
    }

    let redis = RedisServer::start().expect("redis-server starts");
    let secret = "the root secret both instances share, 32+ bytes";
    let mut instances = Vec::new();
    for _ in 0..2 {
        let backing = Backing::redis(&redis.url(), secret)
            .await
            .expect("connect to redis-server");
        instances.push(
            TestServer::start(app_with(Options {
                backing,
                ..Options::default()
            }))
            .await,
        );
    }

    let mut node = tokio::process::Command::new("node")
        .arg(root.join("tests/jwt/verify.mjs"))
        .arg(instances[0].url(""))
        .arg(instances[1].url(""))
        .arg(ISSUER)
        .current_dir(&root)
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let status = tokio::time::timeout(Duration::from_secs(120), node.wait())
        .await
        .expect("the jose checks finish within 2 minutes")
        .expect("node runs");
    assert!(
        status.success(),
        "a jose check failed ({status}); its output is above"
    );
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}
