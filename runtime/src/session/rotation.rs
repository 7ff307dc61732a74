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
            // Theft is final: the current token only ever moves on to a child of itself, so a token that is
            // neither current nor a child of current can never become either. Revoking needs no compare.
            self.store().delete(&record.handle).await?;
            tracing::warn!(
                session_handle = %record.handle,
                user_id = %record.user_id,
                "a superseded refresh token was presented; the session is revoked"
            );
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
