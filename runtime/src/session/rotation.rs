//! Rotation and theft detection of refresh tokens, as SuperTokens' core does it (`Session.refreshSession` and
//! `Session.getSession`): the rules as pure functions, and the recipe applying them to the store.

use super::Sessions;
use super::error::{SessionError, SessionFailure};
use super::store::{Change, SessionRecord};
use super::tokens::{self, AccessClaims, RefreshClaims, TokenHash};

/// What a refresh with a token does, given the session's current token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRule {
    /// The token is the current one: mint a child of it; the store does not change, so any number of
    /// refreshes with one token (retries, lost or reordered responses) all succeed.
    MintChild,
    /// The token is a child of the current one: the client received it, so it becomes current; then mint a
    /// child of it.
    CommitThenMintChild,
    /// The token names the session but is neither: a copy of a token that was superseded. Revoke.
    Theft,
}

/// What the first use of an access token minted with a child does, given the session's current token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstUseRule {
    /// Its refresh token is already current.
    AlreadyCurrent,
    /// Its refresh token is a child of the current one: it becomes current.
    Commit,
    /// Its refresh token lost to a sibling, or the session rotated past it. The access token is validly signed
    /// and accepted until it expires, as SuperTokens' core accepts it; its refresh token is theft if presented.
    Stale,
}

/// The rule for a refresh with the token hashing to `presented`, a child of `parent` if it has one.
pub(crate) fn on_refresh(
    current: &TokenHash,
    presented: &TokenHash,
    parent: Option<&TokenHash>,
) -> RefreshRule {
    if presented == current {
        RefreshRule::MintChild
    } else if parent == Some(current) {
        RefreshRule::CommitThenMintChild
    } else {
        RefreshRule::Theft
    }
}

/// The rule for the first use of an access token whose refresh token hashes to `own`, a child of `parent`.
pub(crate) fn on_first_use(
    current: &TokenHash,
    own: &TokenHash,
    parent: &TokenHash,
) -> FirstUseRule {
    if own == current {
        FirstUseRule::AlreadyCurrent
    } else if parent == current {
        FirstUseRule::Commit
    } else {
        FirstUseRule::Stale
    }
}

/// The tokens a successful refresh mints, and what the frontend is told of them.
pub(crate) struct Refreshed {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) session_handle: String,
    pub(crate) user_id: String,
    pub(crate) payload: serde_json::Value,
    /// When the access token was issued, Unix seconds.
    pub(crate) iat: u64,
}

impl Sessions {
    /// The claims of a refresh token this app sealed; *unauthorised*, clearing the tokens, for anything else.
    pub(crate) fn open_refresh_token(&self, token: &str) -> Result<RefreshClaims, SessionError> {
        tokens::open_refresh_token(token, &self.config().inner.keys.refresh).ok_or_else(|| {
            SessionError::unauthorised(
                self.config(),
                "the refresh token is malformed or was not signed with this app's secret",
                true,
            )
        })
    }

    /// Applies a refresh with `token`, whose claims are `claims`: the new tokens, or why not.
    pub(crate) async fn rotate(
        &self,
        token: &str,
        claims: RefreshClaims,
    ) -> Result<Refreshed, SessionFailure> {
        let config = self.config();
        let inner = &config.inner;
        let presented = TokenHash::of(token);
        let now = inner.now();
        let refresh_lifetime = inner.refresh_lifetime;
        let updated = self
            .store()
            .update(&claims.session_handle, now, |record| {
                match on_refresh(
                    &record.current_refresh_hash,
                    &presented,
                    claims.parent_hash.as_ref(),
                ) {
                    RefreshRule::MintChild => Change::Keep(RefreshRule::MintChild),
                    RefreshRule::CommitThenMintChild => {
                        commit(record, presented, now, refresh_lifetime);
                        Change::Write(RefreshRule::CommitThenMintChild)
                    }
                    RefreshRule::Theft => Change::Keep(RefreshRule::Theft),
                }
            })
            .await?;
        let Some((rule, record)) = updated else {
            return Err(SessionError::unauthorised(
                config,
                "the refresh token belongs to no live session: it was revoked or has expired",
                true,
            )
            .into());
        };
        if rule == RefreshRule::Theft {
            // Logged before revoking, so that a theft is on record even when the store then fails. The hashes
            // (shortened) tell the tokens apart; the tokens themselves never reach a log.
            tracing::warn!(
                session_handle = %record.handle,
                user_id = %record.user_id,
                refresh_token.hash = ?presented,
                refresh_token.parent_hash = ?claims.parent_hash,
                current_refresh_token.hash = ?record.current_refresh_hash,
                "token theft detected: a superseded refresh token was presented; revoking the session"
            );
            // Theft is final: the current token only ever moves on to a child of itself, so a token that is
            // neither current nor a child of current can never become either. Revoking needs no compare.
            self.store().delete(&record.handle).await?;
            return Err(
                SessionError::token_theft_detected(config, record.handle, record.user_id).into(),
            );
        }
        let (refresh_token, refresh_hash) =
            tokens::new_refresh_token(&record.handle, Some(presented), &inner.keys.refresh)?;
        let access_token = self.mint_access_token(
            record.handle.clone(),
            record.user_id.clone(),
            record.payload.clone(),
            now,
            refresh_hash,
            Some(presented),
        );
        Ok(Refreshed {
            access_token,
            refresh_token,
            session_handle: record.handle,
            user_id: record.user_id,
            payload: record.payload,
            iat: now,
        })
    }

    /// The first use of an access token minted by a refresh commits its refresh token.
    pub(crate) async fn commit_on_first_use(
        &self,
        claims: &AccessClaims,
        parent: &TokenHash,
        now: u64,
    ) -> Result<(), SessionError> {
        if self.is_settled(&claims.refresh_hash, now) {
            return Ok(());
        }
        let refresh_lifetime = self.config().inner.refresh_lifetime;
        let committed = self
            .store()
            .update(&claims.session_handle, now, |record| {
                match on_first_use(&record.current_refresh_hash, &claims.refresh_hash, parent) {
                    FirstUseRule::Commit => {
                        commit(record, claims.refresh_hash, now, refresh_lifetime);
                        Change::Write(FirstUseRule::Commit)
                    }
                    rule => Change::Keep(rule),
                }
            })
            .await;
        match committed {
            Ok(Some((rule, _))) => {
                if rule == FirstUseRule::Stale {
                    tracing::debug!(
                        session_handle = %claims.session_handle,
                        "access token of a child that lost the commit; accepted until it expires"
                    );
                }
                self.settle(claims.refresh_hash, claims.exp, now);
                Ok(())
            }
            Ok(None) => Err(SessionError::unauthorised(
                self.config(),
                "the session was revoked or has expired",
                true,
            )),
            Err(error) => {
                // The token is validly signed and unexpired, so it is accepted as any access token is; the
                // commit is retried at its next use, or happens when the child is presented for a refresh.
                tracing::warn!(
                    %error,
                    session_handle = %claims.session_handle,
                    "the session store failed to commit a refresh; the access token is accepted and the commit deferred"
                );
                Ok(())
            }
        }
    }
}

/// The refresh token hashing to `child` becomes the session's current one, and the session is extended.
fn commit(record: &mut SessionRecord, child: TokenHash, now: u64, refresh_lifetime: u64) {
    record.current_refresh_hash = child;
    record.expires_at = now.saturating_add(refresh_lifetime);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(name: &str) -> TokenHash {
        TokenHash::of(name)
    }

    #[test]
    fn the_current_token_mints_children_without_limit() {
        let current = hash("t0");
        for _ in 0..1000 {
            assert_eq!(
                on_refresh(&current, &hash("t0"), None),
                RefreshRule::MintChild
            );
        }
    }

    #[test]
    fn a_child_of_the_current_token_commits_and_its_parent_is_then_theft() {
        let mut current = hash("t0");
        assert_eq!(
            on_refresh(&current, &hash("t1"), Some(&hash("t0"))),
            RefreshRule::CommitThenMintChild
        );
        current = hash("t1");
        assert_eq!(on_refresh(&current, &hash("t0"), None), RefreshRule::Theft);
        // A sibling of the committed child names a parent that is no longer current.
        assert_eq!(
            on_refresh(&current, &hash("t1'"), Some(&hash("t0"))),
            RefreshRule::Theft
        );
        assert_eq!(
            on_refresh(&current, &hash("t2"), Some(&hash("t1"))),
            RefreshRule::CommitThenMintChild
        );
    }

    #[test]
    fn first_use_commits_a_child_once_and_accepts_a_stale_one() {
        assert_eq!(
            on_first_use(&hash("t0"), &hash("t1"), &hash("t0")),
            FirstUseRule::Commit
        );
        assert_eq!(
            on_first_use(&hash("t1"), &hash("t1"), &hash("t0")),
            FirstUseRule::AlreadyCurrent
        );
        assert_eq!(
            on_first_use(&hash("t1"), &hash("t1'"), &hash("t0")),
            FirstUseRule::Stale
        );
    }
}

/// The rotation rules against a reference model, through the recipe's public calls on a `MemoryStore`: random
/// interleavings of refreshes (any number per token), lost responses, first uses of access tokens, replays of
/// any token ever delivered, and revocation. `PROPTEST_CASES` raises the number of cases.
#[cfg(test)]
mod model {
    use std::collections::HashSet;

    use http::{HeaderMap, HeaderValue, Method, header};
    use proptest::prelude::*;

    use crate::session::{
        ACCESS_TOKEN_HEADER, AUTH_MODE_HEADER, ManualClock, REFRESH_TOKEN_HEADER, SessionConfig,
        SessionErrorKind, SessionFailure, SessionTokens, Sessions,
    };

    /// What a request ends in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Outcome {
        Ok,
        Unauthorised,
        Theft,
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// A refresh with the `token`-th delivered refresh token; its response reaches the client or is lost.
        Refresh { token: usize, delivered: bool },
        /// A request with the access token delivered with the `token`-th delivered refresh token.
        Use { token: usize },
        /// The app revokes the session.
        Revoke,
    }

    /// The session as SuperTokens' rules describe it: tokens by index, each minted from a parent.
    struct Model {
        parents: Vec<Option<usize>>,
        delivered: Vec<usize>,
        current: usize,
        revoked: bool,
        /// Access tokens whose first use was settled: the recipe verifies them by signature alone afterwards.
        settled: HashSet<usize>,
    }

    impl Model {
        fn new() -> Self {
            Self {
                parents: vec![None],
                delivered: vec![0],
                current: 0,
                revoked: false,
                settled: HashSet::new(),
            }
        }

        fn refresh(&mut self, token: usize, delivered: bool) -> Outcome {
            if self.revoked {
                return Outcome::Unauthorised;
            }
            if token == self.current || self.parents[token] == Some(self.current) {
                self.current = token;
                self.parents.push(Some(token));
                if delivered {
                    self.delivered.push(self.parents.len() - 1);
                }
                Outcome::Ok
            } else {
                self.revoked = true;
                Outcome::Theft
            }
        }

        fn use_access(&mut self, token: usize) -> Outcome {
            let Some(parent) = self.parents[token] else {
                // Minted at sign-in: verified by its signature alone until it expires.
                return Outcome::Ok;
            };
            if self.settled.contains(&token) {
                return Outcome::Ok;
            }
            if self.revoked {
                return Outcome::Unauthorised;
            }
            if parent == self.current {
                self.current = token;
            }
            // Otherwise it is current already, or stale (a sibling won): accepted until it expires.
            self.settled.insert(token);
            Outcome::Ok
        }
    }

    /// The same session in the recipe: the tokens minted so far, by the model's indices.
    struct Real {
        sessions: Sessions,
        handle: String,
        tokens: Vec<(String, String)>,
    }

    impl Real {
        async fn start() -> Self {
            let config = SessionConfig::builder()
                .clock(ManualClock::starting_now())
                .build()
                .unwrap();
            let sessions = Sessions::new(config);
            let new = sessions
                .create_new_session_for(&header_mode(None), "alice", serde_json::json!({}))
                .await
                .unwrap();
            let handle = new.handle().to_owned();
            let tokens = vec![tokens_of(new.tokens())];
            Self {
                sessions,
                handle,
                tokens,
            }
        }

        async fn refresh(&mut self, token: usize) -> Outcome {
            let headers = header_mode(Some(&self.tokens[token].1));
            match self.sessions.refresh_session(&Method::POST, &headers).await {
                Ok(cookies) => {
                    self.tokens.push(tokens_of(&cookies));
                    Outcome::Ok
                }
                Err(failure) => outcome_of(failure),
            }
        }

        async fn use_access(&self, token: usize) -> Outcome {
            let headers = header_mode(Some(&self.tokens[token].0));
            match self.sessions.get_session(&Method::GET, &headers).await {
                Ok(_) => Outcome::Ok,
                Err(error) => outcome_of(error.into()),
            }
        }
    }

    fn header_mode(bearer: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTH_MODE_HEADER, HeaderValue::from_static("header"));
        if let Some(token) = bearer {
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
            );
        }
        headers
    }

    fn tokens_of(cookies: &SessionTokens) -> (String, String) {
        let find = |name| {
            cookies
                .headers()
                .iter()
                .find(|(header, _)| *header == name)
                .map(|(_, value)| value.to_str().unwrap().to_owned())
                .unwrap()
        };
        (find(ACCESS_TOKEN_HEADER), find(REFRESH_TOKEN_HEADER))
    }

    fn outcome_of(failure: SessionFailure) -> Outcome {
        match &failure {
            SessionFailure::Session(error) => match error.kind() {
                SessionErrorKind::TokenTheftDetected { .. } => Outcome::Theft,
                SessionErrorKind::Unauthorised { .. } => Outcome::Unauthorised,
                _ => panic!("unexpected failure: {failure}"),
            },
            _ => panic!("unexpected failure: {failure}"),
        }
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    /// `default_cases` cases, or `PROPTEST_CASES`.
    fn config(default_cases: u32) -> ProptestConfig {
        let cases = std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(default_cases);
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => (any::<usize>(), prop::bool::weighted(0.8))
                .prop_map(|(token, delivered)| Op::Refresh { token, delivered }),
            5 => any::<usize>().prop_map(|token| Op::Use { token }),
            1 => Just(Op::Revoke),
        ]
    }

    /// One legitimate client's step: it only ever presents the latest tokens it received.
    #[derive(Debug, Clone)]
    enum ClientOp {
        /// `copies` refreshes with the same token at once (retries, tabs); the client keeps the response
        /// `keep` (modulo the copies), or none when every response is lost.
        Refresh { copies: usize, keep: Option<usize> },
        /// A request with its access token.
        Use,
    }

    fn client_op() -> impl Strategy<Value = ClientOp> {
        prop_oneof![
            (1..6_usize, prop::option::weighted(0.8, any::<usize>()))
                .prop_map(|(copies, keep)| ClientOp::Refresh { copies, keep }),
            Just(ClientOp::Use),
        ]
    }

    proptest! {
        #![proptest_config(config(64))]

        #[test]
        fn the_recipe_follows_the_model(ops in prop::collection::vec(op(), 1..40)) {
            runtime().block_on(async {
                let mut model = Model::new();
                let mut real = Real::start().await;
                for (step, op) in ops.iter().enumerate() {
                    let (expected, actual) = match *op {
                        Op::Refresh { token, delivered } => {
                            let token = model.delivered[token % model.delivered.len()];
                            (model.refresh(token, delivered), real.refresh(token).await)
                        }
                        Op::Use { token } => {
                            let token = model.delivered[token % model.delivered.len()];
                            (model.use_access(token), real.use_access(token).await)
                        }
                        Op::Revoke => {
                            model.revoked = true;
                            real.sessions.revoke_session(&real.handle).await.unwrap();
                            (Outcome::Ok, Outcome::Ok)
                        }
                    };
                    prop_assert_eq!(expected, actual, "step {} ({:?}) of {:?}", step, op, ops);
                    prop_assert_eq!(model.parents.len(), real.tokens.len());
                }
                Ok(())
            })?;
        }

        #[test]
        fn a_legitimate_client_is_never_accused_nor_logged_out(
            ops in prop::collection::vec(client_op(), 1..40),
        ) {
            runtime().block_on(async {
                let mut model = Model::new();
                let mut real = Real::start().await;
                let mut held = 0;
                for op in &ops {
                    match *op {
                        ClientOp::Refresh { copies, keep } => {
                            let first = real.tokens.len();
                            for _ in 0..copies {
                                prop_assert_eq!(model.refresh(held, false), Outcome::Ok);
                                prop_assert_eq!(real.refresh(held).await, Outcome::Ok);
                            }
                            if let Some(keep) = keep {
                                held = first + keep % copies;
                            }
                        }
                        ClientOp::Use => {
                            prop_assert_eq!(model.use_access(held), Outcome::Ok);
                            prop_assert_eq!(real.use_access(held).await, Outcome::Ok);
                        }
                    }
                }
                Ok(())
            })?;
        }
    }
}
