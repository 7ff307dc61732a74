//! The `session` module docs' walkthrough of `cargo run --example session_errors`, request by request, with
//! cookie jars that can be copied as `cp alice.txt stolen.txt` copies curl's.

use std::collections::BTreeMap;

use axum::http::header;
use errorhandler_examples::session_errors::{Backing, Options, app, app_with};
use errorhandler_tests::TestServer;
use serde_json::{Value, json};

/// A cookie jar like curl's `-b jar -c jar`: cookies by name, each sent under its path.
#[derive(Clone, Default)]
struct Jar {
    cookies: BTreeMap<String, (String, String)>,
}

struct Answer {
    status: u16,
    set_cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }

    fn clears(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|cookie| cookie.starts_with(&format!("{name}=;")) && cookie.contains("Max-Age=0"))
    }
}

impl Jar {
    async fn send(&mut self, server: &TestServer, method: &str, path: &str) -> Answer {
        let cookie_header = self
            .cookies
            .iter()
            .filter(|(_, (_, cookie_path))| path.starts_with(cookie_path.as_str()))
            .map(|(name, (value, _))| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let method = method.parse().expect("method");
        let mut request = reqwest::Client::new().request(method, server.url(path));
        if !cookie_header.is_empty() {
            request = request.header(header::COOKIE, cookie_header);
        }
        let response = request.send().await.expect("response");
        let status = response.status().as_u16();
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| value.to_str().expect("ascii").to_owned())
            .collect();
        for cookie in &set_cookies {
            let mut attributes = cookie.split(';').map(str::trim);
            let (name, value) = attributes
                .next()
                .and_then(|pair| pair.split_once('='))
                .expect("name=value");
            let path = attributes
                .find_map(|attribute| attribute.strip_prefix("Path="))
                .unwrap_or("/");
            if cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies
                    .insert(name.to_owned(), (value.to_owned(), path.to_owned()));
            }
        }
        Answer {
            status,
            set_cookies,
            body: response.text().await.expect("body"),
        }
    }
}

#[tokio::test]
async fn the_newer_sdks_defaults_as_the_readme_shows_them() {
    let server = TestServer::start(app()).await;
    let mut alice = Jar::default();
    let mut nobody = Jar::default();

    let answer = alice.send(&server, "POST", "/sign-in/alice").await;
    assert_eq!(answer.status, 200);
    assert!(
        alice.cookies.contains_key("sAccessToken") && alice.cookies.contains_key("sRefreshToken")
    );

    let answer = alice.send(&server, "GET", "/me").await;
    assert_eq!(
        (answer.status, answer.json()["user"].as_str()),
        (200, Some("alice"))
    );

    let answer = nobody.send(&server, "GET", "/me").await;
    assert_eq!(
        (answer.status, answer.json()),
        (401, json!({ "message": "unauthorised" }))
    );

    let answer = alice.send(&server, "GET", "/admin").await;
    assert_eq!(answer.status, 403);
    let body = answer.json();
    assert_eq!(body["message"], "invalid claim");
    let ids: Vec<_> = body["claimValidationErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|claim| claim["id"].clone())
        .collect();
    assert_eq!(ids, [json!("st-role"), json!("st-ev")]);

    assert_eq!(
        nobody
            .send(&server, "POST", "/demo/expire-access-tokens")
            .await
            .status,
        204
    );
    let answer = alice.send(&server, "GET", "/me").await;
    assert_eq!(
        (answer.status, answer.json()),
        (401, json!({ "message": "try refresh token" }))
    );

    let mut stolen = alice.clone();
    let answer = alice.send(&server, "POST", "/auth/session/refresh").await;
    assert_eq!(
        (answer.status, answer.json()),
        (200, json!({ "status": "OK" }))
    );
    assert_eq!(alice.send(&server, "GET", "/me").await.status, 200);

    // An hour later, past the grace period in which a retry with the old tokens would rotate again.
    nobody
        .send(&server, "POST", "/demo/expire-access-tokens")
        .await;
    let answer = stolen.send(&server, "POST", "/auth/session/refresh").await;
    assert_eq!(
        (answer.status, answer.json()),
        (401, json!({ "message": "token theft detected" }))
    );
    assert!(answer.clears("sAccessToken") && answer.clears("sRefreshToken"));

    let answer = alice.send(&server, "POST", "/auth/session/refresh").await;
    assert_eq!(
        (answer.status, answer.json()),
        (401, json!({ "message": "unauthorised" })),
        "revoked"
    );
}

#[tokio::test]
async fn the_older_sdks_custom_handlers_answer_440_as_the_readme_shows_them() {
    let server = TestServer::start(app()).await;
    let mut bob = Jar::default();
    let mut nobody = Jar::default();

    assert_eq!(
        bob.send(&server, "POST", "/legacy/sign-in/bob")
            .await
            .status,
        200
    );
    let answer = nobody.send(&server, "GET", "/legacy/me").await;
    assert_eq!(
        (answer.status, answer.json()),
        (440, json!({ "error_msg": "unauthorised" }))
    );

    nobody
        .send(&server, "POST", "/demo/expire-access-tokens")
        .await;
    let answer = bob.send(&server, "GET", "/legacy/me").await;
    assert_eq!(
        (answer.status, answer.json()),
        (440, json!({ "error_msg": "try refresh token" }))
    );

    let mut stolen = bob.clone();
    assert_eq!(
        bob.send(&server, "POST", "/legacy/auth/session/refresh")
            .await
            .status,
        200
    );
    assert_eq!(bob.send(&server, "GET", "/legacy/me").await.status, 200);
    nobody
        .send(&server, "POST", "/demo/expire-access-tokens")
        .await;
    let answer = stolen
        .send(&server, "POST", "/legacy/auth/session/refresh")
        .await;
    assert_eq!(
        (answer.status, answer.json()),
        (440, json!({ "error_msg": "token theft" }))
    );
    assert!(answer.clears("sAccessToken") && answer.clears("sRefreshToken"));
}

#[tokio::test]
async fn two_instances_of_the_example_share_sessions_through_redis_as_the_readme_shows() {
    let Some(redis) = errorhandler_tests::RedisServer::start() else {
        return;
    };
    let secret = "the secret both instances were started with, 32+ bytes";
    let mut servers = Vec::new();
    for _ in 0..2 {
        let backing = Backing::redis(&redis.url(), secret)
            .await
            .expect("connect to redis-server");
        servers.push(
            TestServer::start(app_with(Options {
                backing,
                ..Options::default()
            }))
            .await,
        );
    }
    let (first, second) = (&servers[0], &servers[1]);

    let mut alice = Jar::default();
    assert_eq!(
        alice.send(first, "POST", "/sign-in/alice").await.status,
        200
    );
    let me = alice.send(second, "GET", "/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["user"], "alice");
    assert_eq!(
        alice
            .send(second, "POST", "/auth/session/refresh")
            .await
            .status,
        200
    );
    assert_eq!(alice.send(first, "GET", "/me").await.status, 200);
    assert_eq!(alice.send(first, "POST", "/auth/signout").await.status, 200);
    assert_eq!(
        alice
            .send(second, "POST", "/auth/session/refresh")
            .await
            .status,
        401
    );
}
