//! SuperTokens' own truth tables of the token transfer methods, ported from supertokens-node
//! `test/auth-modes.test.js` and run over real HTTP: which token a route verifies and the refresh endpoint
//! rotates, for each `getTokenTransferMethod` (our `token_transfer_method`), and what each answer sets and
//! clears, in cookies and in headers. The rows about the legacy `sIdRefreshToken` cookie come from the same file
//! and from the SDK code it tests (`lib/ts/recipe/session/sessionRequestFunctions.ts`).
//!
//! Every row is one node `it` (its `describe` › `it` name is the row's `node` field) or, where that field starts
//! with "derived:", a case that node's code decides and no node test sends. Requests are built by hand, without a cookie
//! jar, so that a row sends exactly its `Cookie` and `Authorization` headers.
//!
//! Each row signs in two sessions: one whose tokens it sends in cookies, one whose tokens it sends as
//! `Authorization: Bearer`. Node sends one session's token both ways; two sessions also show which token the
//! recipe used (node tells them apart only in its "with access tokens in both headers and cookies" tests).

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use errorhandler::session::{
    AntiCsrf, ManualClock, NewSession, Session, SessionConfig, SessionFailure, Sessions,
    TokenTransferMethod,
};
use errorhandler_tests::{TestServer, capture, cookie_value, set_cookies};
use serde_json::{Value, json};

use Carrier::{Bearer as B, Cookie as C};
use Effect::{Cleared, Set, Unchecked, Untouched};
use Legacy::{Cleared as LegacyCleared, Kept, NotSent};
use TokenTransferMethod::{Any, Cookie as CookieOnly, Header as HeaderOnly};

const REFRESH: &str = "/auth/session/refresh";
const ACCESS_LIFETIME: Duration = Duration::from_secs(60);
/// Node's `exampleJWT`: a well-formed HS256 JWT of no SuperTokens app, as another scheme's bearer token.
const EXAMPLE_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
/// The legacy cookie of sessions made by older SuperTokens SDKs, by its literal name as node spells it.
const LEGACY_COOKIE: &str = "sIdRefreshToken";
/// Node sends a refresh token as its value, noting "the value doesn't actually matter".
const LEGACY_VALUE: &str = "legacy-id-refresh-token";

/// Which of a row's two sessions: the one whose tokens travel in cookies or the one whose tokens travel as
/// `Authorization: Bearer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Cookie,
    Bearer,
}

/// The `Authorization` header a verifying row sends.
#[derive(Debug, Clone, Copy)]
enum Authorization {
    /// `Bearer` and the bearer session's access token.
    Ours,
    /// `Bearer` and another scheme's token, which the recipe must not take for its own.
    Foreign(&'static str),
}

/// The legacy `sIdRefreshToken` cookie: whether a row sends it, and what the answer must do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Legacy {
    NotSent,
    /// Sent, and the answer leaves it alone.
    Kept,
    /// Sent, and the answer clears it: empty, expired, at the access token's path `/`.
    Cleared,
}

/// What a verifying route answers.
#[derive(Debug, Clone, Copy)]
enum Verified {
    /// 200 without a session (node's `undefined`); only a route whose session is optional answers it.
    NoSession,
    /// 200 with the session of that carrier's token (node's `validatecookie` / `validateheader`).
    SessionOf(Carrier),
    /// 401 `{"message":"unauthorised"}`.
    Unauthorised,
    /// 401 `{"message":"try refresh token"}`.
    TryRefreshToken,
}

/// One node test of `verifySession`: a GET to a route whose session is required or optional.
struct VerifyRow {
    /// The node test (`describe` › `it`) this row ports, or the SDK code it is derived from.
    node: &'static str,
    method: TokenTransferMethod,
    session_required: bool,
    /// Whether the cookie session's `sAccessToken` is sent (with its `anti-csrf` header, as node sends it).
    cookie: bool,
    authorization: Option<Authorization>,
    legacy: Legacy,
    /// Whether the access tokens have expired (the refresh tokens have not).
    expired: bool,
    answer: Verified,
}

/// The cookies a refresh row sends.
#[derive(Debug, Clone, Copy)]
enum Cookies {
    None,
    /// `sAccessToken` and `sRefreshToken` of the cookie session, with its `anti-csrf` header.
    Tokens,
    /// `sAccessToken` alone, with its `anti-csrf` header.
    AccessOnly,
}

/// The refresh token a refresh row presents, in whichever carriers it sends.
#[derive(Debug, Clone, Copy)]
enum Presented {
    /// The session's current one.
    Current,
    /// Node's `"asdf"`, with no access token and no `anti-csrf` header (node's `infoWithInvalidRefreshToken`).
    Garbage,
    /// One superseded by a committed rotation: presenting it is theft.
    Superseded,
}

/// What the refresh endpoint answers.
#[derive(Debug, Clone, Copy)]
enum Refreshed {
    /// 200 with the rotated tokens of that carrier's session.
    SessionOf(Carrier),
    /// 401 `{"message":"unauthorised"}`.
    Unauthorised,
    /// 401 `{"message":"token theft detected"}`.
    TokenTheftDetected,
}

/// What an answer does to the access and refresh tokens of one transfer method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// New tokens: cookies with a value, or non-empty `st-access-token` / `st-refresh-token`.
    Set,
    /// Cookies emptied and expired, or empty `st-access-token` / `st-refresh-token`.
    Cleared,
    /// Neither token named in the answer.
    Untouched,
    /// Node asserts nothing here.
    Unchecked,
}

/// One node test of `refreshSession`: a POST to the refresh endpoint, with `st-auth-mode` naming the method as
/// node's helper sends it.
struct RefreshRow {
    /// The node test (`describe` › `it`) this row ports, or the SDK code it is derived from.
    node: &'static str,
    method: TokenTransferMethod,
    cookies: Cookies,
    /// Whether the bearer session's refresh token is sent as `Authorization: Bearer`.
    bearer: bool,
    presented: Presented,
    legacy: Legacy,
    answer: Refreshed,
    cookie_tokens: Effect,
    header_tokens: Effect,
}

// Node's table (`verifySession` › `from behaviour table`), each line once with a valid token and once with an
// expired one; `node` keeps its line number. With an expired token, node's `validate*` lines answer *try refresh
// token* and the others as with a valid one. Verification never sets nor clears anything (node's `getSession`
// clears nothing: a missing token is UNAUTHORISED with `clearTokens: false`), which the runner checks on every row.
#[rustfmt::skip]
const VERIFY_TABLE: &[VerifyRow] = &[
    VerifyRow { node: "verifySession › from behaviour table › should match line 1 with a valid token", method: Any, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 1 with a expired token", method: Any, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 2 with a valid token", method: HeaderOnly, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 2 with a expired token", method: HeaderOnly, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 3 with a valid token", method: CookieOnly, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 3 with a expired token", method: CookieOnly, session_required: false, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 4 with a valid token", method: CookieOnly, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 4 with a expired token", method: CookieOnly, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 5 with a valid token", method: HeaderOnly, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 5 with a expired token", method: HeaderOnly, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::NoSession },
    VerifyRow { node: "verifySession › from behaviour table › should match line 6 with a valid token", method: Any, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 6 with a expired token", method: Any, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 7 with a valid token", method: HeaderOnly, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 7 with a expired token", method: HeaderOnly, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 8 with a valid token", method: CookieOnly, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 8 with a expired token", method: CookieOnly, session_required: true, cookie: false, authorization: None, legacy: NotSent, expired: true, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 9 with a valid token", method: CookieOnly, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 9 with a expired token", method: CookieOnly, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 10 with a valid token", method: HeaderOnly, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 10 with a expired token", method: HeaderOnly, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › from behaviour table › should match line 11 with a valid token", method: Any, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 11 with a expired token", method: Any, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 12 with a valid token", method: Any, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 12 with a expired token", method: Any, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 13 with a valid token", method: HeaderOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 13 with a expired token", method: HeaderOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 14 with a valid token", method: HeaderOnly, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 14 with a expired token", method: HeaderOnly, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 15 with a valid token", method: CookieOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 15 with a expired token", method: CookieOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 16 with a valid token", method: CookieOnly, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 16 with a expired token", method: CookieOnly, session_required: false, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 17 with a valid token", method: Any, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 17 with a expired token", method: Any, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 18 with a valid token", method: Any, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 18 with a expired token", method: Any, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 19 with a valid token", method: HeaderOnly, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 19 with a expired token", method: HeaderOnly, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 20 with a valid token", method: HeaderOnly, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 20 with a expired token", method: HeaderOnly, session_required: false, cookie: false, authorization: Some(Authorization::Ours), legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 21 with a valid token", method: Any, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 21 with a expired token", method: Any, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 22 with a valid token", method: Any, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 22 with a expired token", method: Any, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 23 with a valid token", method: CookieOnly, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 23 with a expired token", method: CookieOnly, session_required: true, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },
    VerifyRow { node: "verifySession › from behaviour table › should match line 24 with a valid token", method: CookieOnly, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › from behaviour table › should match line 24 with a expired token", method: CookieOnly, session_required: false, cookie: true, authorization: None, legacy: NotSent, expired: true, answer: Verified::TryRefreshToken },

    // Node's `getTokenTransferMethod` here answers "any" when creating a session and the named method when
    // verifying; ours is one setting, so the sessions are created under the named method, which changes only
    // how the sign-in delivers the (identical) tokens.
    VerifyRow { node: "verifySession › with access tokens in both headers and cookies › should use the value from headers if getTokenTransferMethod returns any", method: Any, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › with access tokens in both headers and cookies › should use the value from headers if getTokenTransferMethod returns header", method: HeaderOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(B) },
    VerifyRow { node: "verifySession › with access tokens in both headers and cookies › should use the value from cookies if getTokenTransferMethod returns cookie", method: CookieOnly, session_required: true, cookie: true, authorization: Some(Authorization::Ours), legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },

    VerifyRow { node: "verifySession › should reject requests with sIdRefreshToken", method: Any, session_required: true, cookie: true, authorization: None, legacy: Kept, expired: false, answer: Verified::TryRefreshToken },
    VerifyRow { node: "derived: getSessionFromRequest answers TRY_REFRESH_TOKEN to sIdRefreshToken before reading any token, so even with no token on an optional route", method: Any, session_required: false, cookie: false, authorization: None, legacy: Kept, expired: false, answer: Verified::TryRefreshToken },
    VerifyRow { node: "derived: getSessionFromRequest answers TRY_REFRESH_TOKEN to sIdRefreshToken before reading any token, so even beside a valid bearer token", method: Any, session_required: true, cookie: false, authorization: Some(Authorization::Ours), legacy: Kept, expired: false, answer: Verified::TryRefreshToken },

    VerifyRow { node: "verifySession › with non ST in Authorize header › should use the value from cookies if present and getTokenTransferMethod returns any", method: Any, session_required: true, cookie: true, authorization: Some(Authorization::Foreign(EXAMPLE_JWT)), legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "verifySession › with non ST in Authorize header › should reject with UNAUTHORISED if getTokenTransferMethod returns header", method: HeaderOnly, session_required: true, cookie: true, authorization: Some(Authorization::Foreign(EXAMPLE_JWT)), legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "verifySession › with non ST in Authorize header › should reject with UNAUTHORISED if cookies are not present", method: Any, session_required: true, cookie: false, authorization: Some(Authorization::Foreign(EXAMPLE_JWT)), legacy: NotSent, expired: false, answer: Verified::Unauthorised },
    VerifyRow { node: "derived: getAccessTokenFromRequest ignores a bearer token not shaped like an access token, so an API key beside a cookie session leaves the cookie to be read", method: Any, session_required: true, cookie: true, authorization: Some(Authorization::Foreign("some-api-key")), legacy: NotSent, expired: false, answer: Verified::SessionOf(C) },
    VerifyRow { node: "derived: getAccessTokenFromRequest ignores another scheme's bearer token, so an API key alone on an optional route is no session", method: Any, session_required: false, cookie: false, authorization: Some(Authorization::Foreign("some-api-key")), legacy: NotSent, expired: false, answer: Verified::NoSession },
    VerifyRow { node: "derived: getAccessTokenFromRequest ignores another scheme's bearer token, and the header method reads no cookie, so an optional route has no session", method: HeaderOnly, session_required: false, cookie: true, authorization: Some(Authorization::Foreign(EXAMPLE_JWT)), legacy: NotSent, expired: false, answer: Verified::NoSession },
];

// Node's table (`refreshSession` › `from behaviour table`), each line once with the session's refresh token and
// once with "asdf"; `node` keeps its line number. With "asdf", node asserts 401 *unauthorised* and, on the lines
// whose output is `validateheader` / `validatecookie`, that the tokens of that method are cleared.
#[rustfmt::skip]
const REFRESH_TABLE: &[RefreshRow] = &[
    RefreshRow { node: "refreshSession › from behaviour table › should match line 1 with a valid token", method: Any, cookies: Cookies::None, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 2 with a valid token", method: HeaderOnly, cookies: Cookies::None, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 3 with a valid token", method: CookieOnly, cookies: Cookies::None, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 4 with a valid token", method: Any, cookies: Cookies::Tokens, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(C), cookie_tokens: Set, header_tokens: Untouched },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 5 with a valid token", method: HeaderOnly, cookies: Cookies::Tokens, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 6 with a valid token", method: CookieOnly, cookies: Cookies::Tokens, bearer: false, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(C), cookie_tokens: Set, header_tokens: Untouched },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 7 with a valid token", method: Any, cookies: Cookies::None, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(B), cookie_tokens: Untouched, header_tokens: Set },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 8 with a valid token", method: HeaderOnly, cookies: Cookies::None, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(B), cookie_tokens: Untouched, header_tokens: Set },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 9 with a valid token", method: CookieOnly, cookies: Cookies::None, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 10 with a valid token", method: Any, cookies: Cookies::Tokens, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(B), cookie_tokens: Cleared, header_tokens: Set },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 11 with a valid token", method: HeaderOnly, cookies: Cookies::Tokens, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(B), cookie_tokens: Cleared, header_tokens: Set },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 12 with a valid token", method: CookieOnly, cookies: Cookies::Tokens, bearer: true, presented: Presented::Current, legacy: NotSent, answer: Refreshed::SessionOf(C), cookie_tokens: Set, header_tokens: Cleared },

    RefreshRow { node: "refreshSession › from behaviour table › should match line 1 with a invalid token", method: Any, cookies: Cookies::None, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 2 with a invalid token", method: HeaderOnly, cookies: Cookies::None, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 3 with a invalid token", method: CookieOnly, cookies: Cookies::None, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 4 with a invalid token", method: Any, cookies: Cookies::Tokens, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 5 with a invalid token", method: HeaderOnly, cookies: Cookies::Tokens, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 6 with a invalid token", method: CookieOnly, cookies: Cookies::Tokens, bearer: false, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 7 with a invalid token", method: Any, cookies: Cookies::None, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 8 with a invalid token", method: HeaderOnly, cookies: Cookies::None, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 9 with a invalid token", method: CookieOnly, cookies: Cookies::None, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Unchecked },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 10 with a invalid token", method: Any, cookies: Cookies::Tokens, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 11 with a invalid token", method: HeaderOnly, cookies: Cookies::Tokens, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Unchecked, header_tokens: Cleared },
    RefreshRow { node: "refreshSession › from behaviour table › should match line 12 with a invalid token", method: CookieOnly, cookies: Cookies::Tokens, bearer: true, presented: Presented::Garbage, legacy: NotSent, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Unchecked },

    // refreshSessionInRequest: "In all cases: if sIdRefreshToken token exists (so it's a legacy session) we
    // clear it", after a successful refresh, when the refresh token is missing, and when the refresh fails with
    // an error that clears the tokens (TOKEN_THEFT_DETECTED, or `clearTokens: true`).
    RefreshRow { node: "derived: refreshSessionInRequest clears sIdRefreshToken after a successful refresh (cookies)", method: Any, cookies: Cookies::Tokens, bearer: false, presented: Presented::Current, legacy: LegacyCleared, answer: Refreshed::SessionOf(C), cookie_tokens: Set, header_tokens: Untouched },
    RefreshRow { node: "derived: refreshSessionInRequest clears sIdRefreshToken after a successful refresh (headers)", method: Any, cookies: Cookies::None, bearer: true, presented: Presented::Current, legacy: LegacyCleared, answer: Refreshed::SessionOf(B), cookie_tokens: Untouched, header_tokens: Set },
    RefreshRow { node: "derived: refreshSessionInRequest clears sIdRefreshToken because the refresh token was not found (an access token is, so all tokens are cleared)", method: Any, cookies: Cookies::AccessOnly, bearer: false, presented: Presented::Current, legacy: LegacyCleared, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "derived: refreshSessionInRequest clears sIdRefreshToken because refresh is clearing other tokens (an invalid refresh token)", method: Any, cookies: Cookies::Tokens, bearer: false, presented: Presented::Garbage, legacy: LegacyCleared, answer: Refreshed::Unauthorised, cookie_tokens: Cleared, header_tokens: Cleared },
    RefreshRow { node: "derived: refreshSessionInRequest clears sIdRefreshToken because refresh is clearing other tokens (token theft)", method: Any, cookies: Cookies::Tokens, bearer: false, presented: Presented::Superseded, legacy: LegacyCleared, answer: Refreshed::TokenTheftDetected, cookie_tokens: Cleared, header_tokens: Cleared },
];

#[tokio::test]
async fn verify_session_follows_the_node_truth_table() {
    let mut results = Vec::new();
    for row in VERIFY_TABLE {
        results.push((row.node, verify(row).await));
    }
    assert_every_row_passes(results);
}

#[tokio::test]
async fn refresh_session_follows_the_node_truth_table() {
    let mut results = Vec::new();
    for row in REFRESH_TABLE {
        results.push((row.node, refresh(row).await));
    }
    assert_every_row_passes(results);
}

/// Fails listing every row that failed, by its `node` description, with each of its differences.
fn assert_every_row_passes(results: Vec<(&str, Vec<String>)>) {
    let rows = results.len();
    let failures: Vec<String> = results
        .into_iter()
        .filter(|(_, mismatches)| !mismatches.is_empty())
        .map(|(node, mismatches)| format!("{node}:\n    {}", mismatches.join("\n    ")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {rows} rows fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Drives a verifying row over HTTP; what differs from the row, one line per difference.
async fn verify(row: &VerifyRow) -> Vec<String> {
    let app = App::start(row.method).await;
    let in_cookie = app.sign_in(Carrier::Cookie).await;
    let in_bearer = app.sign_in(Carrier::Bearer).await;
    if row.expired {
        app.clock.advance(ACCESS_LIFETIME + Duration::from_secs(1));
    }

    let path = if row.session_required {
        "/verify"
    } else {
        "/verify-optional"
    };
    let mut request = reqwest::Client::new().get(app.server.url(path));
    let mut cookies = Vec::new();
    if row.cookie {
        let access = in_cookie.access.as_deref().expect("signed in");
        cookies.push(format!("sAccessToken={access}"));
        // As node's `testGet`: harmless on a GET, which no anti-CSRF check guards.
        if let Some(anti_csrf) = &in_cookie.anti_csrf {
            request = request.header("anti-csrf", anti_csrf);
        }
    }
    if row.legacy != Legacy::NotSent {
        cookies.push(format!("{LEGACY_COOKIE}={LEGACY_VALUE}"));
    }
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    match row.authorization {
        Some(Authorization::Ours) => {
            let access = in_bearer.access.as_deref().expect("signed in");
            request = request.header(header::AUTHORIZATION, format!("Bearer {access}"));
        }
        Some(Authorization::Foreign(token)) => {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        None => {}
    }
    let answer = Answer::of(request).await;

    let mut mismatches = Vec::new();
    let (status, body) = match row.answer {
        Verified::NoSession => (
            StatusCode::OK,
            json!({ "sessionExists": false, "userId": null }),
        ),
        Verified::SessionOf(carrier) => (
            StatusCode::OK,
            json!({ "sessionExists": true, "userId": carrier.user() }),
        ),
        Verified::Unauthorised => (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "unauthorised" }),
        ),
        Verified::TryRefreshToken => (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "try refresh token" }),
        ),
    };
    answer.check_status_and_body(status, &body, &mut mismatches);
    answer.check_tokens(Untouched, Untouched, None, &mut mismatches);
    answer.check_legacy(row.legacy, &mut mismatches);
    mismatches
}

/// Drives a refresh row over HTTP; what differs from the row, one line per difference.
async fn refresh(row: &RefreshRow) -> Vec<String> {
    let app = App::start(row.method).await;
    let in_cookie = app.sign_in(Carrier::Cookie).await;
    let in_bearer = app.sign_in(Carrier::Bearer).await;
    let (in_cookie, in_bearer) = match row.presented {
        Presented::Current => (in_cookie, in_bearer),
        Presented::Garbage => (Issued::garbage(), Issued::garbage()),
        Presented::Superseded => (
            app.supersede(in_cookie).await,
            app.supersede(in_bearer).await,
        ),
    };

    let mut request = reqwest::Client::new()
        .post(app.server.url(REFRESH))
        .header("st-auth-mode", auth_mode(row.method));
    let mut cookies = Vec::new();
    if !matches!(row.cookies, Cookies::None) {
        if let Some(access) = &in_cookie.access {
            cookies.push(format!("sAccessToken={access}"));
        }
        if matches!(row.cookies, Cookies::Tokens) {
            cookies.push(format!("sRefreshToken={}", in_cookie.refresh));
        }
        if let Some(anti_csrf) = &in_cookie.anti_csrf {
            request = request.header("anti-csrf", anti_csrf);
        }
    }
    if row.legacy != Legacy::NotSent {
        cookies.push(format!("{LEGACY_COOKIE}={LEGACY_VALUE}"));
    }
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    if row.bearer {
        request = request.header(
            header::AUTHORIZATION,
            format!("Bearer {}", in_bearer.refresh),
        );
    }
    let answer = Answer::of(request).await;

    let mut mismatches = Vec::new();
    let refreshed = match row.answer {
        Refreshed::SessionOf(carrier) => {
            if answer.status != StatusCode::OK {
                mismatches.push(format!(
                    "status: expected 200, got {} {}",
                    answer.status, answer.body
                ));
            }
            Some(carrier)
        }
        Refreshed::Unauthorised => {
            let body = json!({ "message": "unauthorised" });
            answer.check_status_and_body(StatusCode::UNAUTHORIZED, &body, &mut mismatches);
            None
        }
        Refreshed::TokenTheftDetected => {
            let body = json!({ "message": "token theft detected" });
            answer.check_status_and_body(StatusCode::UNAUTHORIZED, &body, &mut mismatches);
            None
        }
    };
    answer.check_tokens(
        row.cookie_tokens,
        row.header_tokens,
        refreshed,
        &mut mismatches,
    );
    answer.check_legacy(row.legacy, &mut mismatches);
    mismatches
}

impl Carrier {
    /// The user of the session whose tokens travel this way.
    fn user(self) -> &'static str {
        match self {
            Carrier::Cookie => "user-in-cookies",
            Carrier::Bearer => "user-in-bearer",
        }
    }
}

/// The `st-auth-mode` node's `refreshSession` helper sends: the method's own name.
fn auth_mode(method: TokenTransferMethod) -> &'static str {
    match method {
        TokenTransferMethod::Any => "any",
        TokenTransferMethod::Cookie => "cookie",
        TokenTransferMethod::Header => "header",
    }
}

/// A server with the recipe under one transfer method, as node's `getTestApp` after `SuperTokens.init`.
struct App {
    server: TestServer,
    clock: ManualClock,
}

impl App {
    async fn start(method: TokenTransferMethod) -> Self {
        let clock = ManualClock::new(std::time::SystemTime::now());
        let config = SessionConfig::builder()
            .cookie_secure(false)
            .access_token_lifetime(ACCESS_LIFETIME)
            // Node's `antiCsrf: "VIA_TOKEN"`.
            .anti_csrf(AntiCsrf::ViaToken)
            .token_transfer_method(method)
            .clock(clock.clone())
            .build()
            .expect("valid configuration");
        let sessions = Sessions::new(config);
        let app = Router::new()
            .route("/sign-in/{user}", post(sign_in))
            .route("/verify", get(verify_required))
            .route("/verify-optional", get(verify_optional))
            .merge(sessions.router())
            .with_state(sessions);
        Self {
            server: TestServer::start(app).await,
            clock,
        }
    }

    /// Signs in the session of `carrier`'s user.
    ///
    /// It asks for cookies (`st-auth-mode: cookie`, where node's `refreshSession` tests ask for headers) so that
    /// under `Any` the session has an `anti-csrf` token for the rows that send its cookies: node's core checks
    /// the token only of sessions minted with one, this recipe on every refresh by cookie. The tokens are the
    /// same either way, and under `Header` they come in headers all the same. As it always names a mode, the
    /// recipe's departure for a sign-in that names none (cookies, where node answers in headers) plays no part.
    async fn sign_in(&self, carrier: Carrier) -> Issued {
        let request = reqwest::Client::new()
            .post(self.server.url(&format!("/sign-in/{}", carrier.user())))
            .header("st-auth-mode", "cookie");
        let answer = Answer::of(request).await;
        assert_eq!(answer.status, StatusCode::OK, "sign-in: {}", answer.body);
        Issued::of(&answer)
    }

    /// The tokens of `session` once a rotation has been committed past them (a refresh, then a refresh with
    /// its new token): presenting its refresh token again is theft.
    async fn supersede(&self, session: Issued) -> Issued {
        let first = self.refresh_with(&session).await;
        self.refresh_with(&first).await;
        session
    }

    /// Refreshes with `session`'s tokens, sent both ways so that any method reads them.
    async fn refresh_with(&self, session: &Issued) -> Issued {
        let mut request = reqwest::Client::new()
            .post(self.server.url(REFRESH))
            .header(header::COOKIE, format!("sRefreshToken={}", session.refresh))
            .header(header::AUTHORIZATION, format!("Bearer {}", session.refresh));
        if let Some(anti_csrf) = &session.anti_csrf {
            request = request.header("anti-csrf", anti_csrf);
        }
        let answer = Answer::of(request).await;
        assert_eq!(answer.status, StatusCode::OK, "refresh: {}", answer.body);
        Issued::of(&answer)
    }
}

async fn sign_in(
    State(sessions): State<Sessions>,
    Path(user): Path<String>,
    headers: HeaderMap,
) -> Result<(NewSession, &'static str), SessionFailure> {
    let session = sessions
        .create_new_session_for(&headers, user, json!({}))
        .await?;
    Ok((session, "signed in"))
}

/// Node's `/verify`: `verifySession()`.
async fn verify_required(session: Session) -> Json<Value> {
    Json(json!({ "sessionExists": true, "userId": session.user_id() }))
}

/// Node's `/verify-optional`: `verifySession({ sessionRequired: false })`.
async fn verify_optional(session: Option<Session>) -> Json<Value> {
    Json(json!({
        "sessionExists": session.is_some(),
        "userId": session.as_ref().map(Session::user_id),
    }))
}

/// The tokens a response issued, in cookies or in headers.
struct Issued {
    access: Option<String>,
    refresh: String,
    anti_csrf: Option<String>,
}

impl Issued {
    fn of(answer: &Answer) -> Self {
        // Cookies cleared beside tokens issued in headers have empty values.
        let from_cookies = cookie_value(&answer.set_cookies, "sAccessToken")
            .zip(cookie_value(&answer.set_cookies, "sRefreshToken"))
            .filter(|(access, refresh)| !access.is_empty() && !refresh.is_empty());
        let (access, refresh) = from_cookies
            .or_else(|| {
                let access = answer.header("st-access-token")?;
                let refresh = answer.header("st-refresh-token")?;
                capture::remember_secret(access);
                capture::remember_secret(refresh);
                Some((access.to_owned(), refresh.to_owned()))
            })
            .expect("new tokens, in cookies or in headers");
        Self {
            access: Some(access),
            refresh,
            anti_csrf: answer.header("anti-csrf").map(str::to_owned),
        }
    }

    /// Node's `infoWithInvalidRefreshToken`: a refresh token of no session, and nothing else. (Node's helper
    /// then sends the JavaScript string `sAccessToken=undefined`; no row depends on it, as the refresh token is
    /// read first.)
    fn garbage() -> Self {
        Self {
            access: None,
            refresh: "asdf".to_owned(),
            anti_csrf: None,
        }
    }
}

/// A response, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    set_cookies: Vec<String>,
    body: String,
}

impl Answer {
    async fn of(request: reqwest::RequestBuilder) -> Self {
        let response = request.send().await.expect("response");
        let set_cookies = set_cookies(&response);
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            set_cookies,
            body: response.text().await.expect("body"),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("ascii"))
    }

    fn check_status_and_body(
        &self,
        status: StatusCode,
        body: &Value,
        mismatches: &mut Vec<String>,
    ) {
        let actual: Option<Value> = serde_json::from_str(&self.body).ok();
        if self.status != status || actual.as_ref() != Some(body) {
            mismatches.push(format!(
                "answer: expected {status} {body}, got {} {}",
                self.status, self.body
            ));
        }
    }

    /// The tokens of each method against `cookies` and `headers`, and the `front-token` they imply: a new one
    /// when either method is set (naming `refreshed`'s user when given), `remove` when the session is cleared
    /// and nothing set, none when nothing is touched.
    fn check_tokens(
        &self,
        cookies: Effect,
        headers: Effect,
        refreshed: Option<Carrier>,
        mismatches: &mut Vec<String>,
    ) {
        let by_cookie = [
            self.cookie_effect("sAccessToken"),
            self.cookie_effect("sRefreshToken"),
        ];
        let by_header = [
            self.header_effect("st-access-token"),
            self.header_effect("st-refresh-token"),
        ];
        for (method, expected, actual) in [
            ("cookies", cookies, by_cookie),
            ("headers", headers, by_header),
        ] {
            if expected != Unchecked && actual.iter().any(|effect| *effect != Ok(expected)) {
                mismatches.push(format!(
                    "{method}: expected both tokens {expected:?}, got access {}, refresh {}",
                    describe(&actual[0]),
                    describe(&actual[1])
                ));
            }
        }

        let front = self.header("front-token");
        if cookies == Set || headers == Set {
            match front
                .filter(|token| *token != "remove")
                .map(front_token_user)
            {
                None => mismatches.push(format!("front-token: expected a new one, got {front:?}")),
                Some(user) => {
                    if let Some(carrier) = refreshed
                        && user.as_deref() != Some(carrier.user())
                    {
                        mismatches.push(format!(
                            "front-token: expected the session of {:?}, got uid {user:?}",
                            carrier.user()
                        ));
                    }
                }
            }
        } else if cookies == Cleared || headers == Cleared {
            if front != Some("remove") {
                mismatches.push(format!("front-token: expected \"remove\", got {front:?}"));
            }
        } else if cookies == Untouched && headers == Untouched && front.is_some() {
            mismatches.push(format!("front-token: expected none, got {front:?}"));
        }
    }

    fn check_legacy(&self, legacy: Legacy, mismatches: &mut Vec<String>) {
        let written = self.cookie(LEGACY_COOKIE);
        match legacy {
            Legacy::NotSent | Legacy::Kept => {
                if let Some(cookie) = written {
                    mismatches.push(format!(
                        "{LEGACY_COOKIE}: expected untouched, got {cookie:?}"
                    ));
                }
            }
            Legacy::Cleared => {
                let cleared_at_root = written.is_some_and(|cookie| {
                    effect_of_set_cookie(cookie) == Ok(Cleared)
                        && attribute(cookie, "Path") == Some("/")
                });
                if !cleared_at_root {
                    mismatches.push(format!(
                        "{LEGACY_COOKIE}: expected cleared (empty, expired, Path=/), got {written:?}"
                    ));
                }
            }
        }
    }

    /// The last `Set-Cookie` of `name`, which is the one a browser keeps.
    fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies
            .iter()
            .rev()
            .map(String::as_str)
            .find(|cookie| cookie.split_once('=').is_some_and(|(key, _)| key == name))
    }

    fn cookie_effect(&self, name: &str) -> Result<Effect, String> {
        self.cookie(name)
            .map_or(Ok(Untouched), effect_of_set_cookie)
    }

    fn header_effect(&self, name: &str) -> Result<Effect, String> {
        Ok(match self.header(name) {
            None => Untouched,
            Some("") => Cleared,
            Some(_) => Set,
        })
    }
}

/// Whether a `Set-Cookie` value sets its cookie or clears it (empty, with `Max-Age=0` or an `Expires` at the
/// epoch, as both the recipe and node write it); the value itself when it is neither.
fn effect_of_set_cookie(cookie: &str) -> Result<Effect, String> {
    let value = cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map_or("", |(_, value)| value);
    let expired = attribute(cookie, "Max-Age")
        .is_some_and(|age| age.starts_with('-') || age == "0")
        || attribute(cookie, "Expires").is_some_and(|date| date.contains(" 1970 "));
    match (value.is_empty(), expired) {
        (true, true) => Ok(Cleared),
        (false, false) => Ok(Set),
        _ => Err(cookie.to_owned()),
    }
}

fn describe(effect: &Result<Effect, String>) -> String {
    match effect {
        Ok(effect) => format!("{effect:?}"),
        Err(cookie) => format!("neither set nor cleared: {cookie:?}"),
    }
}

/// The value of the attribute `name` (any case) of a `Set-Cookie` value.
fn attribute<'c>(cookie: &'c str, name: &str) -> Option<&'c str> {
    cookie.split(';').skip(1).find_map(|attribute| {
        let (key, value) = attribute.trim().split_once('=')?;
        key.eq_ignore_ascii_case(name).then_some(value)
    })
}

/// The `uid` of a `front-token`, decoded as the frontend SDK's `parseFrontToken` does.
fn front_token_user(token: &str) -> Option<String> {
    let json = base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()?;
    let info: Value = serde_json::from_slice(&json).ok()?;
    info["uid"].as_str().map(str::to_owned)
}
