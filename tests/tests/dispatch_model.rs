//! The crate docs' dispatch precedence as a reference model, checked over real HTTP with proptest: random errors
//! with random `source()` chains and statuses, bare error statuses and panics, against several fixed handler
//! sets. The handler that answers is the one the model names. `PROPTEST_CASES` raises the number of cases.

use std::error::Error as StdError;
use std::fmt;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use errorhandler::__private::ErrorHandlers;
use errorhandler::{Error, HttpError, Panic, errorhandler};
use errorhandler_tests::TestServer;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Source = Option<Box<dyn StdError + Send + Sync + 'static>>;

macro_rules! error_types {
    ($($name:ident),*) => {$(
        #[derive(Debug)]
        struct $name(Source);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl StdError for $name {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                self.0.as_deref().map(|source| source as &(dyn StdError + 'static))
            }
        }
    )*};
}

error_types!(A, B, C, D);

errorhandler! {
    /// Types, a code, both classes' one and `default`.
    pub struct One;

    #[errorhandler(A)]
    fn one_a(_e: &A) -> String { "One:A".into() }
    #[errorhandler(C)]
    fn one_c(_e: &C) -> String { "One:C".into() }
    #[errorhandler(404)]
    fn one_404() -> String { "One:404".into() }
    #[errorhandler(500)]
    fn one_500() -> String { "One:500".into() }
    #[errorhandler(4xx)]
    fn one_4xx() -> String { "One:4xx".into() }
    #[errorhandler(default)]
    fn one_default() -> String { "One:default".into() }
}

errorhandler! {
    /// A type taken by value (only at the top of the chain), a code and the server class.
    pub struct Two;

    #[errorhandler(B)]
    fn two_b(_e: &B) -> String { "Two:B".into() }
    #[errorhandler(D)]
    fn two_d(_e: D) -> String { "Two:D".into() }
    #[errorhandler(418)]
    fn two_418() -> String { "Two:418".into() }
    #[errorhandler(5xx)]
    fn two_5xx() -> String { "Two:5xx".into() }
}

errorhandler! {
    /// `default` alone.
    pub struct Three;

    #[errorhandler(default)]
    fn three_default() -> String { "Three:default".into() }
}

errorhandler! {
    /// Many codes, both classes, a by-value type and the panic type.
    pub struct Four;

    #[errorhandler(A)]
    fn four_a(_e: A) -> String { "Four:A".into() }
    #[errorhandler(B)]
    fn four_b(_e: &B) -> String { "Four:B".into() }
    #[errorhandler(400)]
    fn four_400() -> String { "Four:400".into() }
    #[errorhandler(401)]
    fn four_401() -> String { "Four:401".into() }
    #[errorhandler(503)]
    fn four_503() -> String { "Four:503".into() }
    #[errorhandler(4xx)]
    fn four_4xx() -> String { "Four:4xx".into() }
    #[errorhandler(5xx)]
    fn four_5xx() -> String { "Four:5xx".into() }
    #[errorhandler(Panic)]
    fn four_panic(_e: &Panic) -> String { "Four:Panic".into() }
}

errorhandler! {
    /// A type and a code, nothing else.
    pub struct Five;

    #[errorhandler(C)]
    fn five_c(_e: &C) -> String { "Five:C".into() }
    #[errorhandler(404)]
    fn five_404() -> String { "Five:404".into() }
}

/// A key of a set, as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Key {
    Type(Node, Taken),
    Code(u16),
    ClientClass,
    ServerClass,
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Taken {
    ByRef,
    ByValue,
}

/// A link of an error's chain.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Node {
    A,
    B,
    C,
    D,
    Http(u16),
    Panic,
}

/// The keys of each set, as declared above.
fn sets() -> Vec<(&'static str, Vec<Key>)> {
    use Key::*;
    use Taken::*;
    vec![
        (
            "One",
            vec![
                Type(Node::A, ByRef),
                Type(Node::C, ByRef),
                Code(404),
                Code(500),
                ClientClass,
                Default,
            ],
        ),
        (
            "Two",
            vec![
                Type(Node::B, ByRef),
                Type(Node::D, ByValue),
                Code(418),
                ServerClass,
            ],
        ),
        ("Three", vec![Default]),
        (
            "Four",
            vec![
                Type(Node::A, ByValue),
                Type(Node::B, ByRef),
                Code(400),
                Code(401),
                Code(503),
                ClientClass,
                ServerClass,
                Type(Node::Panic, ByRef),
            ],
        ),
        ("Five", vec![Type(Node::C, ByRef), Code(404)]),
    ]
}

/// What a route does.
#[derive(Debug, Clone)]
enum Raise {
    /// Returns an `Error` whose value is the chain's first link, each link's source the next.
    Chain(Vec<Node>),
    /// Returns a bare status, no error value.
    Bare(u16),
    /// Panics.
    Panic,
}

const STATUSES: [u16; 7] = [400, 401, 404, 418, 500, 502, 503];

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        Just(Node::A),
        Just(Node::B),
        Just(Node::C),
        Just(Node::D),
        prop::sample::select(STATUSES.to_vec()).prop_map(Node::Http),
    ]
}

fn raise() -> impl Strategy<Value = Raise> {
    prop_oneof![
        6 => prop::collection::vec(node(), 1..5).prop_map(Raise::Chain),
        2 => prop::sample::select(STATUSES.to_vec()).prop_map(Raise::Bare),
        1 => Just(Raise::Panic),
    ]
}

/// The crate docs' precedence: the label of the handler that answers and the status, or `None` for no handler.
fn model(keys: &[Key], raise: &Raise) -> (Option<Key>, u16) {
    let by_status = |status: u16| {
        keys.iter()
            .find(|key| **key == Key::Code(status))
            .or_else(|| {
                let class = if status < 500 {
                    Key::ClientClass
                } else {
                    Key::ServerClass
                };
                keys.iter().find(|key| **key == class)
            })
            .or_else(|| keys.iter().find(|key| **key == Key::Default))
            .copied()
    };
    let chain = match raise {
        Raise::Bare(status) => return (by_status(*status), *status),
        Raise::Panic => vec![Node::Http(500), Node::Panic],
        Raise::Chain(chain) => chain.clone(),
    };
    // An error value's status is the one of the nearest HttpError in its chain (a declared status), 500 when
    // the chain holds none.
    let status = chain
        .iter()
        .find_map(|link| match link {
            Node::Http(status) => Some(*status),
            _ => None,
        })
        .unwrap_or(500);
    for (depth, link) in chain.iter().enumerate() {
        let found = keys.iter().find(|key| match key {
            Key::Type(node, taken) => node == link && (depth == 0 || *taken == Taken::ByRef),
            _ => false,
        });
        if let Some(key) = found {
            return (Some(*key), status);
        }
    }
    (by_status(status), status)
}

fn label(set: &str, key: Key) -> String {
    let key = match key {
        Key::Type(node, _) => format!("{node:?}"),
        Key::Code(code) => code.to_string(),
        Key::ClientClass => "4xx".into(),
        Key::ServerClass => "5xx".into(),
        Key::Default => "default".into(),
    };
    format!("{set}:{key}")
}

fn spec(chain: &[Node]) -> String {
    chain
        .iter()
        .map(|node| match node {
            Node::Http(status) => format!("h{status}"),
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn build(spec: &str) -> Error {
    let mut source: Source = None;
    for link in spec.split('-').rev() {
        let error: Box<dyn StdError + Send + Sync> = match link {
            "A" => Box::new(A(source.take())),
            "B" => Box::new(B(source.take())),
            "C" => Box::new(C(source.take())),
            "D" => Box::new(D(source.take())),
            status => {
                let code: u16 = status[1..].parse().unwrap();
                let mut error = HttpError::new(StatusCode::from_u16(code).unwrap());
                if let Some(inner) = source.take() {
                    error = error.with_source(inner);
                }
                Box::new(error)
            }
        };
        source = Some(error);
    }
    let head = source.unwrap();
    // An `HttpError` at the head converts as `?` converts it (kept inline), the others boxed as they are.
    match head.downcast::<HttpError>() {
        Ok(http_error) => Error::from(*http_error),
        Err(head) => Error::from_boxed(head),
    }
}

fn routes<H: ErrorHandlers<State = ()>>() -> Router {
    Router::new()
        .route(
            "/raise/{spec}",
            get(|Path(spec): Path<String>| async move { Err::<(), Error>(build(&spec)) }),
        )
        .route(
            "/bare/{code}",
            get(|Path(code): Path<u16>| async move { (StatusCode::from_u16(code).unwrap(), "bare") }),
        )
        .route("/panic", get(panicking))
        .layer(errorhandler::__private::layer::<H>(()))
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

#[test]
fn every_error_goes_to_the_handler_the_documented_precedence_names() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let servers: Vec<(&str, Vec<Key>, TestServer)> = runtime.block_on(async {
        let mut servers = Vec::new();
        for ((name, keys), app) in sets().into_iter().zip([
            routes::<One>(),
            routes::<Two>(),
            routes::<Three>(),
            routes::<Four>(),
            routes::<Five>(),
        ]) {
            servers.push((name, keys, TestServer::start(app).await));
        }
        servers
    });
    let client = reqwest::Client::new();
    let mut runner = TestRunner::new(Config {
        cases: cases(128),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(0..servers.len(), raise()), |(set, raise)| {
            let (name, keys, server) = &servers[set];
            let path = match &raise {
                Raise::Chain(chain) => format!("/raise/{}", spec(chain)),
                Raise::Bare(code) => format!("/bare/{code}"),
                Raise::Panic => "/panic".to_owned(),
            };
            let (status, body) = runtime.block_on(async {
                let response = client.get(server.url(&path)).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            });
            let (expected, expected_status) = model(keys, &raise);
            prop_assert_eq!(status, expected_status, "{} {}: {}", name, path, body);
            match expected {
                Some(key) => prop_assert_eq!(body, label(name, key), "{} {}", name, path),
                None => {
                    prop_assert!(!body.starts_with(name), "{} {}: {}", name, path, body);
                    if matches!(raise, Raise::Bare(_)) {
                        prop_assert_eq!(body, "bare", "a bare status passes through unchanged");
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

async fn panicking() -> &'static str {
    panic!("the route panicked")
}
