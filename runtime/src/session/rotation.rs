//! Rotation and reuse detection of refresh tokens, as SuperTokens' core does it since CDI 5.6
//! (`Session.refreshSession`): the rules as a pure function, and the recipe applying them to the store.

use super::Sessions;
use super::config::TokenReuseBehaviour;
use super::error::{SessionError, SessionFailure, TokenReuse};
use super::store::{Change, SessionRecord};
use super::tokens::{self, AccessClaims, RefreshClaims, TokenHash};
use super::transfer_method::Transfer;

/// What a refresh with a token does, given the session's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRule {
    /// The current token, or a child of it minted by the recipe's earlier rotation model: rotate. The new
    /// token becomes current, the presented one previous, and the grace period starts.
    Rotate,
    /// The previous token within the grace period (a retry, a lost response, a second tab): rotate again from
    /// it. Only the current token changes; the grace period does not start over.
    RotateAgain,
    /// Any other token of the session: revoke it.
    Reuse(TokenReuse),
}

/// The session's rotation state, as the rules read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lineage<'r> {
    pub(crate) current: &'r TokenHash,
    pub(crate) previous: Option<&'r TokenHash>,
    /// Unix milliseconds.
    pub(crate) rotated_at_ms: Option<u64>,
}

impl<'r> Lineage<'r> {
    pub(crate) fn of(record: &'r SessionRecord) -> Self {
        Self {
            current: &record.current_refresh_hash,
            previous: record.previous_refresh_hash.as_ref(),
            rotated_at_ms: record.rotated_at_ms,
        }
    }

    /// Whether `hash` is the session's current or previous refresh token.
    fn holds(&self, hash: &TokenHash) -> bool {
        hash == self.current || self.previous == Some(hash)
    }
}

/// The rule for a refresh, `now_ms`, with the token hashing to `presented`, a child of `parent` if it has one,
/// in a session whose grace period is `grace_ms` (core's cases 1 to 4, in its order).
pub(crate) fn on_refresh(
    lineage: Lineage<'_>,
    presented: &TokenHash,
    parent: Option<&TokenHash>,
    now_ms: u64,
    grace_ms: u64,
) -> RefreshRule {
    if presented == lineage.current || parent == Some(lineage.current) {
        RefreshRule::Rotate
    } else if lineage.previous == Some(presented) {
        let within_grace = lineage
            .rotated_at_ms
            .is_some_and(|rotated_at| now_ms <= rotated_at.saturating_add(grace_ms));
        if within_grace {
            RefreshRule::RotateAgain
        } else {
            RefreshRule::Reuse(TokenReuse::RecentPrevious)
        }
    } else if parent.is_some() && parent == lineage.previous {
        RefreshRule::Reuse(TokenReuse::OrphanedBranch)
    } else {
        RefreshRule::Reuse(TokenReuse::StaleLineage)
    }
}

/// Whether an access token still belongs to its session's lineage (core's `checkDatabase` since CDI 5.6): its
/// refresh token, or the parent of that refresh token, is the session's current or previous one.
pub(crate) fn in_lineage(lineage: Lineage<'_>, claims: &AccessClaims) -> bool {
    lineage.holds(&claims.refresh_hash)
        || claims
            .parent_hash
            .as_ref()
            .is_some_and(|parent| lineage.holds(parent))
}

/// The tokens a successful refresh mints, with the claims of its access token.
pub(crate) struct Refreshed {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) claims: AccessClaims,
}

impl Sessions {
    /// The claims of a refresh token this app sealed; *unauthorised*, clearing the tokens, for anything else.
    pub(crate) fn open_refresh_token(&self, token: &str) -> Result<RefreshClaims, SessionError> {
        tokens::open_refresh_token(token, self.config().inner.keys.refresh_openers()).ok_or_else(
            || {
                SessionError::unauthorised(
                    self.config(),
                    "the refresh token is malformed or was not signed with this app's secret",
                    true,
                )
            },
        )
    }

    /// Applies a refresh with `token`, whose claims are `claims`, for a client whose tokens travel by
    /// `transfer`: the new tokens, or why not.
    ///
    /// The new refresh token is minted before the store is read, so that the compare-and-swap writes its hash:
    /// whatever the number of concurrent refreshes, on any number of instances, each one that succeeds has
    /// written the hash of the token it returns.
    pub(crate) async fn rotate(
        &self,
        token: &str,
        claims: RefreshClaims,
        transfer: Transfer,
    ) -> Result<Refreshed, SessionFailure> {
        let config = self.config();
        let inner = &config.inner;
        let presented = TokenHash::of(token);
        let (refresh_token, refresh_hash) = tokens::new_refresh_token(
            &claims.session_handle,
            Some(presented),
            inner.keys.refresh(),
        )?;
        let now = inner.now();
        let now_ms = inner.now_millis();
        let grace_ms = inner.grace_period_ms;
        let updated = self
            .store()
            .update(&claims.session_handle, now, |record| {
                let rule = on_refresh(
                    Lineage::of(record),
                    &presented,
                    claims.parent_hash.as_ref(),
                    now_ms,
                    grace_ms,
                );
                match rule {
                    RefreshRule::Rotate => {
                        record.previous_refresh_hash = Some(presented);
                        record.rotated_at_ms = Some(now_ms);
                        record.current_refresh_hash = refresh_hash;
                        record.expires_at = inner.session_expiry(record.created_at, now);
                        Change::Write(rule)
                    }
                    RefreshRule::RotateAgain => {
                        record.current_refresh_hash = refresh_hash;
                        Change::Write(rule)
                    }
                    RefreshRule::Reuse(_) => Change::Keep(rule),
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
        if let RefreshRule::Reuse(reuse) = rule {
            return Err(self
                .revoke_on_reuse(record, presented, &claims, reuse)
                .await);
        }
        let claims = self.access_claims(
            record.handle,
            record.user_id,
            record.payload,
            now,
            refresh_hash,
            transfer,
        );
        let access_token = self.sign_access_token(&claims)?;
        Ok(Refreshed {
            access_token,
            refresh_token,
            claims,
        })
    }

    /// Revokes the session `record` after the reuse of the token hashing to `presented`, and the error that
    /// reports it.
    async fn revoke_on_reuse(
        &self,
        record: SessionRecord,
        presented: TokenHash,
        claims: &RefreshClaims,
        reuse: TokenReuse,
    ) -> SessionFailure {
        let config = self.config();
        // Logged before revoking, so that a reuse is on record even when the store then fails. The hashes
        // (shortened) tell the tokens apart; the tokens themselves never reach a log.
        tracing::warn!(
            session_handle = %record.handle,
            user_id = %record.user_id,
            reuse = reuse.as_str(),
            refresh_token.hash = ?presented,
            refresh_token.parent_hash = ?claims.parent_hash,
            current_refresh_token.hash = ?record.current_refresh_hash,
            previous_refresh_token.hash = ?record.previous_refresh_hash,
            "refresh token reuse detected: a refresh token that is no longer current was presented; revoking the session"
        );
        // A reuse is final: the current token only moves on to new tokens and the previous one to the current,
        // so a token classified as reused can never become either. Revoking needs no compare.
        if let Err(error) = self.store().delete(&record.handle).await {
            return error.into();
        }
        let as_theft = reuse == TokenReuse::StaleLineage
            || config.recent_token_reuse_behaviour() == TokenReuseBehaviour::TokenTheft;
        if as_theft {
            SessionError::token_theft_detected(config, record.handle, record.user_id, reuse).into()
        } else {
            SessionError::reused(config, reuse).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(name: &str) -> TokenHash {
        TokenHash::of(name)
    }

    const GRACE: u64 = 30_000;

    fn lineage<'r>(
        current: &'r TokenHash,
        previous: Option<&'r TokenHash>,
        at: u64,
    ) -> Lineage<'r> {
        Lineage {
            current,
            previous,
            rotated_at_ms: previous.map(|_| at),
        }
    }

    #[test]
    fn the_current_token_and_its_legacy_children_rotate() {
        let (t0, t1) = (hash("t0"), hash("t1"));
        let fresh = lineage(&t0, None, 0);
        assert_eq!(on_refresh(fresh, &t0, None, 5, GRACE), RefreshRule::Rotate);
        // A child of the current token minted by the earlier model, which wrote nothing at a refresh.
        assert_eq!(
            on_refresh(fresh, &t1, Some(&t0), 5, GRACE),
            RefreshRule::Rotate
        );
    }

    #[test]
    fn the_previous_token_rotates_again_within_the_grace_period_inclusive_and_is_reuse_after() {
        let (t0, t1) = (hash("t0"), hash("t1"));
        let rotated = lineage(&t1, Some(&t0), 1_000);
        assert_eq!(
            on_refresh(rotated, &t0, None, 1_000 + GRACE, GRACE),
            RefreshRule::RotateAgain
        );
        assert_eq!(
            on_refresh(rotated, &t0, None, 1_001 + GRACE, GRACE),
            RefreshRule::Reuse(TokenReuse::RecentPrevious)
        );
        // A grace period of zero accepts a reuse only in the millisecond of the rotation.
        assert_eq!(
            on_refresh(rotated, &t0, None, 1_001, 0),
            RefreshRule::Reuse(TokenReuse::RecentPrevious)
        );
    }

    #[test]
    fn a_child_of_the_previous_token_is_an_orphaned_branch_and_anything_older_stale() {
        let (t0, t1, t1_again, t2) = (hash("t0"), hash("t1"), hash("t1'"), hash("t2"));
        // t0 rotated to t1, then a retry with t0 rotated again to t1': t1 lost.
        let rotated_again = lineage(&t1_again, Some(&t0), 1_000);
        assert_eq!(
            on_refresh(rotated_again, &t1, Some(&t0), 1_001, GRACE),
            RefreshRule::Reuse(TokenReuse::OrphanedBranch)
        );
        let later = lineage(&t2, Some(&t1_again), 9_000);
        assert_eq!(
            on_refresh(later, &t0, None, 9_001, GRACE),
            RefreshRule::Reuse(TokenReuse::StaleLineage)
        );
        assert_eq!(
            on_refresh(later, &t1, Some(&t0), 9_001, GRACE),
            RefreshRule::Reuse(TokenReuse::StaleLineage)
        );
    }
}

/// The rotation rules against a reference model, through the recipe's public calls on a `MemoryStore`: random
/// interleavings of refreshes (any number per token), lost responses, the passing of time across the grace
/// period, uses of access tokens with and without `check_database`, replays of any token ever delivered, and
/// revocation. `PROPTEST_CASES` raises the number of cases.
#[cfg(test)]
mod model {
    use std::time::{Duration, SystemTime};

    use http::{HeaderMap, HeaderValue, Method, header};
    use proptest::prelude::*;

    use crate::session::headers::{ACCESS_TOKEN_HEADER, AUTH_MODE_HEADER, REFRESH_TOKEN_HEADER};
    use crate::session::{
        Clock as _, ManualClock, SessionConfig, SessionErrorKind, SessionFailure, SessionTokens,
        Sessions, TokenReuse,
    };

    /// The grace period of the tests, in milliseconds.
    const GRACE_MS: u64 = 30_000;

    /// The access-token lifetime of the tests: a day.
    const ACCESS_LIFETIME: Duration = Duration::from_secs(24 * 3600);

    /// What a request ends in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Outcome {
        Ok,
        Unauthorised,
        TryRefresh,
        Theft(TokenReuse),
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// A refresh with the `token`-th delivered refresh token; its response reaches the client or is lost.
        Refresh { token: usize, delivered: bool },
        /// A request with the access token delivered with the `token`-th delivered refresh token, checked
        /// against the store or not.
        Use { token: usize, check_database: bool },
        /// Time passes: within the grace period, or past it.
        Wait { ms: u64 },
        /// The app revokes the session.
        Revoke,
    }

    /// The session as core's rules describe it: tokens by index, each minted from a parent.
    struct Model {
        parents: Vec<Option<usize>>,
        delivered: Vec<usize>,
        current: usize,
        previous: Option<usize>,
        rotated_at: u64,
        now: u64,
        revoked: bool,
    }

    impl Model {
        fn new() -> Self {
            Self {
                parents: vec![None],
                delivered: vec![0],
                current: 0,
                previous: None,
                rotated_at: 0,
                now: 0,
                revoked: false,
            }
        }

        fn refresh(&mut self, token: usize, delivered: bool) -> Outcome {
            if self.revoked {
                return Outcome::Unauthorised;
            }
            let parent = self.parents[token];
            let outcome = if token == self.current {
                self.previous = Some(token);
                self.rotated_at = self.now;
                Outcome::Ok
            } else if Some(token) == self.previous {
                if self.now <= self.rotated_at + GRACE_MS {
                    Outcome::Ok
                } else {
                    Outcome::Theft(TokenReuse::RecentPrevious)
                }
            } else if parent.is_some() && parent == self.previous {
                Outcome::Theft(TokenReuse::OrphanedBranch)
            } else {
                Outcome::Theft(TokenReuse::StaleLineage)
            };
            if outcome == Outcome::Ok {
                self.parents.push(Some(token));
                self.current = self.parents.len() - 1;
                if delivered {
                    self.delivered.push(self.current);
                }
            } else {
                self.revoked = true;
            }
            outcome
        }

        fn use_access(&self, token: usize, check_database: bool) -> Outcome {
            // Verified by its signature alone; the store says whether it is still of the lineage.
            let in_lineage = token == self.current || Some(token) == self.previous;
            if !check_database || (!self.revoked && in_lineage) {
                Outcome::Ok
            } else {
                Outcome::Unauthorised
            }
        }
    }

    /// The same session in the recipe: the tokens minted so far, by the model's indices.
    struct Real {
        sessions: Sessions,
        clock: ManualClock,
        handle: String,
        tokens: Vec<(String, String)>,
        /// When each pair was issued.
        issued: Vec<SystemTime>,
    }

    impl Real {
        async fn start() -> Self {
            let clock = ManualClock::new(SystemTime::now());
            let config = SessionConfig::builder()
                .clock(clock.clone())
                .access_token_lifetime(ACCESS_LIFETIME)
                .refresh_token_rotation_grace_period(Duration::from_millis(GRACE_MS))
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
                issued: vec![clock.now()],
                clock,
                handle,
                tokens,
            }
        }

        async fn refresh(&mut self, token: usize) -> Outcome {
            let headers = header_mode(Some(&self.tokens[token].1));
            match self.sessions.refresh_session(&Method::POST, &headers).await {
                Ok(cookies) => {
                    self.tokens.push(tokens_of(&cookies));
                    self.issued.push(self.clock.now());
                    Outcome::Ok
                }
                Err(failure) => outcome_of(failure),
            }
        }

        async fn use_access(&self, token: usize, check_database: bool) -> Outcome {
            let headers = header_mode(Some(&self.tokens[token].0));
            let session = match self.sessions.get_session(&Method::GET, &headers).await {
                Ok(session) => session,
                Err(error) => return outcome_of(error.into()),
            };
            if !check_database {
                return Outcome::Ok;
            }
            match session.check_database().await {
                Ok(()) => Outcome::Ok,
                Err(failure) => outcome_of(failure),
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
                SessionErrorKind::TokenTheftDetected { reuse, .. } => Outcome::Theft(*reuse),
                SessionErrorKind::Unauthorised { .. } => Outcome::Unauthorised,
                SessionErrorKind::TryRefreshToken { .. } => Outcome::TryRefresh,
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
            5 => (any::<usize>(), any::<bool>())
                .prop_map(|(token, check_database)| Op::Use { token, check_database }),
            // Waits across the edge of the grace period, to its millisecond.
            2 => prop_oneof![Just(GRACE_MS), Just(GRACE_MS + 1), 0..2 * GRACE_MS]
                .prop_map(|ms| Op::Wait { ms }),
            1 => Just(Op::Revoke),
        ]
    }

    /// One legitimate client's step: it only ever presents the latest tokens it received.
    #[derive(Debug, Clone)]
    enum ClientOp {
        /// `copies` refreshes with the same token in quick succession (retries after lost responses, tabs whose
        /// refreshes cross); the client keeps the last response, as a browser keeps the last cookies it is sent.
        Refresh { copies: usize },
        /// A request with its access token, checked against the store or not.
        Use { check_database: bool },
        /// Time passes, up to a day (the session lives 100 days).
        Wait { ms: u64 },
    }

    fn client_op() -> impl Strategy<Value = ClientOp> {
        prop_oneof![
            (1..6_usize).prop_map(|copies| ClientOp::Refresh { copies }),
            any::<bool>().prop_map(|check_database| ClientOp::Use { check_database }),
            (0..86_400_000_u64).prop_map(|ms| ClientOp::Wait { ms }),
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
                        Op::Use { token, check_database } => {
                            let token = model.delivered[token % model.delivered.len()];
                            (
                                model.use_access(token, check_database),
                                real.use_access(token, check_database).await,
                            )
                        }
                        Op::Wait { ms } => {
                            model.now += ms;
                            real.clock.advance(Duration::from_millis(ms));
                            (Outcome::Ok, Outcome::Ok)
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
                let mut real = Real::start().await;
                let mut held = 0;
                for op in &ops {
                    match *op {
                        ClientOp::Refresh { copies } => {
                            // Every copy succeeds: the first rotates, the others fall in its grace period.
                            for _ in 0..copies {
                                prop_assert_eq!(real.refresh(held).await, Outcome::Ok, "{:?}", ops);
                            }
                            held = real.tokens.len() - 1;
                        }
                        ClientOp::Use { check_database } => {
                            let mut outcome = real.use_access(held, check_database).await;
                            // An expired access token is *try refresh token*, or *unauthorised* once the key that
                            // signed it has retired (a day after it expired, at the earliest): the client refreshes
                            // and retries, as the SDK does on either.
                            let expired = real.clock.now() >= real.issued[held] + ACCESS_LIFETIME;
                            if outcome == Outcome::TryRefresh
                                || (expired && outcome == Outcome::Unauthorised)
                            {
                                prop_assert_eq!(real.refresh(held).await, Outcome::Ok, "{:?}", ops);
                                held = real.tokens.len() - 1;
                                outcome = real.use_access(held, check_database).await;
                            }
                            prop_assert_eq!(outcome, Outcome::Ok, "{:?}", ops);
                        }
                        ClientOp::Wait { ms } => real.clock.advance(Duration::from_millis(ms)),
                    }
                }
                Ok(())
            })?;
        }
    }
}
