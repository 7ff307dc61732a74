//! The rotation state machine of a session's refresh tokens, as a pure value that every store applies atomically.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::tokens::TokenHash;

/// The refresh-token state of one session: its current token, the children minted from it and not yet
/// committed, and the tokens it superseded.
///
/// A store keeps it with the session and changes it only through [`refresh`](Self::refresh) and
/// [`use_access_token`](Self::use_access_token), inside one atomic operation (a lock, a transaction, a
/// compare-and-swap), so that two requests never both act on the same state. See the module docs of
/// [`session`](crate::session) for the table of transitions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshState {
    current: TokenHash,
    pending: Vec<TokenHash>,
    superseded: VecDeque<TokenHash>,
}

/// What presenting a refresh token did to a [`RefreshState`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a theft must revoke the session"]
pub enum RefreshStep {
    /// The child was minted and is pending; its access token names `parent` (the current token) as its parent.
    Rotated {
        /// The token the child descends from, now the session's current token.
        parent: TokenHash,
    },
    /// The token was superseded by a committed rotation: someone else holds a copy. Revoke the session.
    TheftDetected,
    /// The token is not one this session knows (or no longer knows): refuse it, without accusing anyone.
    Unknown,
}

/// What the first use of an access token, minted with a pending child, did to a [`RefreshState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStep {
    /// The child was pending and is now the current token.
    Committed,
    /// The child was already the current token.
    AlreadyCurrent,
    /// The child is neither: a sibling committed first, or the session rotated past it. The access token is
    /// still validly signed and is accepted until it expires; its refresh token will no longer be.
    Stale,
}

impl RefreshState {
    /// How many uncommitted children a session keeps; a client that keeps losing refresh responses loses the
    /// oldest.
    pub const MAX_PENDING: usize = 8;

    /// How many superseded tokens a session remembers to recognise theft; an older one is refused as unknown.
    pub const MAX_SUPERSEDED: usize = 128;

    /// The state of a new session whose first refresh token hashes to `first`.
    pub fn new(first: TokenHash) -> Self {
        Self {
            current: first,
            pending: Vec::new(),
            superseded: VecDeque::new(),
        }
    }

    /// A refresh token hashing to `presented` asks for a rotation; `child` is the hash of the token to mint.
    pub fn refresh(&mut self, presented: &TokenHash, child: TokenHash) -> RefreshStep {
        if *presented == self.current {
            // The client holds the current token: a first refresh, a retry after a lost response, or a race
            // with itself. The child waits beside any earlier ones until one of them is used.
            self.add_pending(child);
            RefreshStep::Rotated {
                parent: self.current,
            }
        } else if self.pending.contains(presented) {
            // A pending child is presented: the client got its refresh response, so it becomes current.
            self.commit(*presented);
            self.add_pending(child);
            RefreshStep::Rotated {
                parent: self.current,
            }
        } else if self.superseded.contains(presented) {
            RefreshStep::TheftDetected
        } else {
            RefreshStep::Unknown
        }
    }

    /// An access token minted with the child `own` is used for the first time.
    pub fn use_access_token(&mut self, own: &TokenHash) -> CommitStep {
        if *own == self.current {
            CommitStep::AlreadyCurrent
        } else if self.pending.contains(own) {
            self.commit(*own);
            CommitStep::Committed
        } else {
            CommitStep::Stale
        }
    }

    /// Every hash this session answers to, for a store that indexes sessions by token hash.
    pub fn hashes(&self) -> impl Iterator<Item = &TokenHash> {
        std::iter::once(&self.current)
            .chain(&self.pending)
            .chain(&self.superseded)
    }

    fn add_pending(&mut self, child: TokenHash) {
        // `>=` and a drain rather than `==`: a state read back from a store may hold more than the limit.
        if self.pending.len() >= Self::MAX_PENDING {
            let excess = self.pending.len() + 1 - Self::MAX_PENDING;
            self.pending.drain(..excess);
        }
        self.pending.push(child);
    }

    /// `child` becomes current; its parent is superseded and its uncommitted siblings are forgotten, so a
    /// sibling presented later is refused as unknown rather than taken for theft.
    fn commit(&mut self, child: TokenHash) {
        if self.superseded.len() >= Self::MAX_SUPERSEDED {
            let excess = self.superseded.len() + 1 - Self::MAX_SUPERSEDED;
            self.superseded.drain(..excess);
        }
        self.superseded.push_back(self.current);
        self.current = child;
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_PENDING: usize = RefreshState::MAX_PENDING;
    const MAX_SUPERSEDED: usize = RefreshState::MAX_SUPERSEDED;

    fn hash(name: &str) -> TokenHash {
        TokenHash::of(name)
    }

    #[test]
    fn a_rotation_commits_when_its_access_token_is_used() {
        let mut state = RefreshState::new(hash("t0"));
        assert_eq!(
            state.refresh(&hash("t0"), hash("t1")),
            RefreshStep::Rotated { parent: hash("t0") }
        );
        assert_eq!(state.use_access_token(&hash("t1")), CommitStep::Committed);
        assert_eq!(
            state.use_access_token(&hash("t1")),
            CommitStep::AlreadyCurrent
        );
        assert_eq!(
            state.refresh(&hash("t0"), hash("x")),
            RefreshStep::TheftDetected
        );
    }

    #[test]
    fn presenting_the_child_commits_it() {
        let mut state = RefreshState::new(hash("t0"));
        let _ = state.refresh(&hash("t0"), hash("t1"));
        assert_eq!(
            state.refresh(&hash("t1"), hash("t2")),
            RefreshStep::Rotated { parent: hash("t1") }
        );
        assert_eq!(
            state.refresh(&hash("t0"), hash("x")),
            RefreshStep::TheftDetected
        );
    }

    #[test]
    fn the_parent_stays_good_until_a_child_commits() {
        let mut state = RefreshState::new(hash("t0"));
        let _ = state.refresh(&hash("t0"), hash("lost"));
        assert_eq!(
            state.refresh(&hash("t0"), hash("retry")),
            RefreshStep::Rotated { parent: hash("t0") }
        );
        assert_eq!(
            state.use_access_token(&hash("retry")),
            CommitStep::Committed
        );
        assert_eq!(state.use_access_token(&hash("lost")), CommitStep::Stale);
        assert_eq!(
            state.refresh(&hash("lost"), hash("x")),
            RefreshStep::Unknown
        );
    }

    #[test]
    fn unknown_tokens_are_refused_without_accusation() {
        let mut state = RefreshState::new(hash("t0"));
        assert_eq!(
            state.refresh(&hash("nope"), hash("x")),
            RefreshStep::Unknown
        );
        assert_eq!(state.use_access_token(&hash("nope")), CommitStep::Stale);
    }

    #[test]
    fn memory_per_session_is_bounded() {
        let mut current = "0".to_owned();
        let mut state = RefreshState::new(hash(&current));
        for generation in 1..=(MAX_SUPERSEDED + 10) {
            let mut last = String::new();
            for attempt in 0..(MAX_PENDING + 3) {
                last = format!("{generation}/{attempt}");
                let _ = state.refresh(&hash(&current), hash(&last));
            }
            assert_eq!(state.use_access_token(&hash(&last)), CommitStep::Committed);
            current = last;
        }
        assert_eq!(state.hashes().count(), 1 + MAX_SUPERSEDED);
        assert_eq!(
            state.refresh(&hash("1/10"), hash("x")),
            RefreshStep::Unknown
        );
        assert_eq!(
            state.refresh(&hash(&format!("{}/10", MAX_SUPERSEDED + 9)), hash("x")),
            RefreshStep::TheftDetected
        );
    }

    #[test]
    fn a_state_read_back_over_its_limits_shrinks_to_them() {
        let mut state = RefreshState {
            current: hash("current"),
            pending: (0..3 * MAX_PENDING)
                .map(|n| hash(&format!("pending {n}")))
                .collect(),
            superseded: (0..3 * MAX_SUPERSEDED)
                .map(|n| hash(&format!("old {n}")))
                .collect(),
        };
        let newest_pending = hash(&format!("pending {}", 3 * MAX_PENDING - 1));

        let step = state.refresh(&hash("current"), hash("child"));
        assert_eq!(
            step,
            RefreshStep::Rotated {
                parent: hash("current")
            }
        );
        assert_eq!(state.pending.len(), MAX_PENDING);
        assert!(
            state.pending.contains(&newest_pending),
            "the newest are kept"
        );

        assert_eq!(
            state.use_access_token(&hash("child")),
            CommitStep::Committed
        );
        assert_eq!(state.superseded.len(), MAX_SUPERSEDED);
        assert_eq!(state.superseded.back(), Some(&hash("current")));
    }
}
