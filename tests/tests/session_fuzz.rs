//! Random bytes, truncations and bit flips of real session tokens and cookies, over HTTP, with proptest: never a
//! 5xx, always the documented *unauthorised* answer. `PROPTEST_CASES` raises the number of cases.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use errorhandler::session::{NewSession, Session, SessionConfig, SessionFailure, Sessions};
use errorhandler_tests::TestServer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const REFRESH: &str = "/auth/session/refresh";
const SIGN_OUT: &str = "/auth/signout";

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
) -> Result<(NewSession, &'static str), SessionFailure> {
    let new = sessions
        .create_new_session(user, serde_json::json!({ "st-role": ["user"] }))
        .await?;
    Ok((new, "signed in"))
}

async fn me(session: Session) -> String {
    session.user_id().to_owned()
}

/// How a token is damaged.
#[derive(Debug, Clone)]
enum Mutation {
    /// One bit of one byte flipped.
    Flip { at: usize, bit: u8 },
    /// Cut to a prefix.
    Truncate { keep: usize },
    /// Random bytes written over a part.
    Splice { at: usize, bytes: Vec<u8> },
    /// Random bytes instead of the token.
    Random(Vec<u8>),
}

impl Mutation {
    fn apply(&self, token: &[u8]) -> Vec<u8> {
        let mut bytes = token.to_vec();
        match self {
            Self::Flip { at, bit } => {
                let at = at % bytes.len();
                bytes[at] ^= 1 << (bit % 8);
            }
            Self::Truncate { keep } => bytes.truncate(keep % bytes.len()),
            Self::Splice { at, bytes: new } => {
                let at = at % bytes.len();
                let end = (at + new.len()).min(bytes.len());
                bytes.splice(at..end, new.iter().copied());
            }
            Self::Random(random) => bytes = random.clone(),
        }
        bytes
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => any::<usize>().prop_map(|keep| Mutation::Truncate { keep }),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Splice { at, bytes }),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Mutation::Random),
    ]
}

/// Which real token is damaged, and how it travels.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The access token, in its cookie, to a protected route.
    AccessCookie,
    /// The access token as `Authorization: Bearer`, to a protected route.
    AccessBearer,
    /// The refresh token, in its cookie, to the refresh endpoint.
    RefreshCookie,
    /// The refresh token as `Authorization: Bearer`, to the refresh endpoint.
    RefreshBearer,
    /// The whole `Cookie` header with both tokens, to a protected route.
    WholeCookieHeader,
    /// The access token, in its cookie, to the sign-out endpoint.
    SignOut,
}

fn target() -> impl Strategy<Value = Target> {
    prop::sample::select(vec![
        Target::AccessCookie,
        Target::AccessBearer,
        Target::RefreshCookie,
        Target::RefreshBearer,
        Target::WholeCookieHeader,
        Target::SignOut,
    ])
}

fn cookie_of(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .find_map(|value| {
            let value = value.to_str().ok()?;
            let pair = value.split(';').next()?;
            let (key, token) = pair.split_once('=')?;
            (key == name).then(|| token.to_owned())
        })
        .unwrap()
}

#[test]
fn damaged_tokens_are_unauthorised_never_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sessions = Sessions::new(
        SessionConfig::builder()
            .cookie_secure(false)
            .build()
            .unwrap(),
    );
    let app = Router::new()
        .route("/sign-in/{user}", post(sign_in))
        .route("/me", get(me))
        .merge(sessions.router())
        .with_state(sessions);
    let client = reqwest::Client::new();
    let (server, tokens) = runtime.block_on(async {
        let server = TestServer::start(app).await;
        let signed_in = client
            .post(server.url("/sign-in/alice"))
            .send()
            .await
            .unwrap();
        let first = (
            cookie_of(&signed_in, "sAccessToken"),
            cookie_of(&signed_in, "sRefreshToken"),
        );
        // A refreshed pair too: its tokens name a parent.
        let refreshed = client
            .post(server.url(REFRESH))
            .header(header::COOKIE, format!("sRefreshToken={}", first.1))
            .send()
            .await
            .unwrap();
        let second = (
            cookie_of(&refreshed, "sAccessToken"),
            cookie_of(&refreshed, "sRefreshToken"),
        );
        (server, [first, second])
    });
    let mut runner = TestRunner::new(Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(0..2_usize, target(), mutation()),
            |(pair, target, mutation)| {
                let (access, refresh) = &tokens[pair];
                let (original, path, header_name, format): (String, &str, _, fn(&str) -> String) =
                    match target {
                        Target::AccessCookie => (access.clone(), "/me", header::COOKIE, |t| {
                            format!("sAccessToken={t}")
                        }),
                        Target::AccessBearer => {
                            (access.clone(), "/me", header::AUTHORIZATION, |t| {
                                format!("Bearer {t}")
                            })
                        }
                        Target::RefreshCookie => (refresh.clone(), REFRESH, header::COOKIE, |t| {
                            format!("sRefreshToken={t}")
                        }),
                        Target::RefreshBearer => {
                            (refresh.clone(), REFRESH, header::AUTHORIZATION, |t| {
                                format!("Bearer {t}")
                            })
                        }
                        Target::WholeCookieHeader => (
                            format!("sAccessToken={access}; sRefreshToken={refresh}"),
                            "/me",
                            header::COOKIE,
                            |t| t.to_owned(),
                        ),
                        Target::SignOut => (access.clone(), SIGN_OUT, header::COOKIE, |t| {
                            format!("sAccessToken={t}")
                        }),
                    };
                let damaged = mutation.apply(original.as_bytes());
                prop_assume!(damaged != original.as_bytes());
                // The damaged token inside the header, byte for byte; skipped when no HTTP header can carry it.
                let text = format(&String::from_utf8_lossy(&damaged));
                let mut value = format("\u{0}").into_bytes();
                let nul = value.iter().position(|byte| *byte == 0).unwrap();
                value.splice(nul..=nul, damaged.iter().copied());
                let value = match HeaderValue::from_bytes(&value) {
                    Ok(value) => value,
                    Err(_) => return Ok(()),
                };
                let (status, body) = runtime.block_on(async {
                    let response = client
                        .request(
                            if path == "/me" {
                                reqwest::Method::GET
                            } else {
                                reqwest::Method::POST
                            },
                            server.url(path),
                        )
                        .header(header_name.clone(), value)
                        .send()
                        .await
                        .unwrap();
                    (response.status(), response.text().await.unwrap())
                });
                prop_assert!(
                    !status.is_server_error(),
                    "{:?} {} {:?}: {} {}",
                    target,
                    path,
                    text,
                    status,
                    body
                );
                match target {
                    // A token that names no usable session is cleared; none at all is unauthorised.
                    Target::SignOut => prop_assert!(
                        status == StatusCode::OK
                            || (status == StatusCode::UNAUTHORIZED
                                && body == r#"{"message":"unauthorised"}"#),
                        "{:?}: {} {}",
                        text,
                        status,
                        body
                    ),
                    // Damage elsewhere in the header can leave the access cookie whole (a header that is not
                    // ASCII text is read as no cookies at all).
                    Target::WholeCookieHeader
                        if damaged.is_ascii()
                            && text
                                .split(';')
                                .any(|pair| pair.trim() == format!("sAccessToken={access}")) =>
                    {
                        prop_assert_eq!(status, StatusCode::OK, "{:?}: {}", text, body);
                    }
                    _ => {
                        prop_assert_eq!(
                            status,
                            StatusCode::UNAUTHORIZED,
                            "{:?} {:?}: {}",
                            target,
                            text,
                            body
                        );
                        prop_assert_eq!(
                            body,
                            r#"{"message":"unauthorised"}"#,
                            "{:?} {:?}",
                            target,
                            text
                        );
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
