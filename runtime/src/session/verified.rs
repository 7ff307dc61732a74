//! The access tokens this process has verified, so that the next request with one costs a hash and a lookup
//! instead of an ES256 verification.
//!
//! A token is cached under the SHA-256 of its whole text, with its claims, until it expires: a key retires only
//! once the last token it signed has expired, so a cached, unexpired token is still one that its key verifies.
//! Only tokens whose signature verified are cached; a forged token costs a full verification every time. The cache
//! is split in shards by hash, each behind its own lock, and bounded: a shard that fills up drops its expired
//! entries, and starts over if it is still full, which costs each live token one more verification, nothing else.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest as _, Sha256};

use super::tokens::AccessClaims;

/// How many shards the cache is split in.
const SHARDS: usize = 16;

/// The most tokens a shard holds: with about 300 bytes of claims each, the cache stays within a few megabytes.
const SHARD_CAPACITY: usize = 1024;

/// Verified access tokens, by the hash of their text.
#[derive(Default)]
pub(crate) struct VerifiedTokens {
    shards: [Mutex<HashMap<[u8; 32], Arc<AccessClaims>>>; SHARDS],
}

/// The hash a token is cached under.
pub(crate) struct TokenKey([u8; 32]);

impl TokenKey {
    pub(crate) fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }
}

impl VerifiedTokens {
    /// The claims of the token hashing to `key`, if this process verified it.
    pub(crate) fn get(&self, key: &TokenKey) -> Option<Arc<AccessClaims>> {
        self.shard(key).get(&key.0).cloned()
    }

    /// Remembers the claims of the token hashing to `key`, verified `now` (Unix seconds).
    pub(crate) fn insert(&self, key: TokenKey, claims: Arc<AccessClaims>, now: u64) {
        let mut shard = self.shard(&key);
        if shard.len() >= SHARD_CAPACITY {
            shard.retain(|_, claims| claims.exp > now);
            if shard.len() >= SHARD_CAPACITY {
                shard.clear();
            }
        }
        shard.insert(key.0, claims);
    }

    fn shard(&self, key: &TokenKey) -> MutexGuard<'_, HashMap<[u8; 32], Arc<AccessClaims>>> {
        // The hash is uniform, so its first byte spreads tokens evenly.
        self.shards[usize::from(key.0[0]) % SHARDS]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::TokenHash;

    fn claims(exp: u64) -> Arc<AccessClaims> {
        Arc::new(AccessClaims {
            user_id: "alice".to_owned(),
            exp,
            iat: 0,
            session_handle: "handle".to_owned(),
            refresh_hash: TokenHash::of("refresh"),
            parent_hash: None,
            anti_csrf_token: None,
            issuer: None,
            payload: serde_json::json!({}),
        })
    }

    #[test]
    fn a_full_shard_drops_expired_tokens_first_and_never_grows_past_its_capacity() {
        let cache = VerifiedTokens::default();
        for n in 0..20 * SHARD_CAPACITY {
            // Half of them expired at 100.
            let exp = if n % 2 == 0 { 50 } else { 500 };
            cache.insert(TokenKey::of(&n.to_string()), claims(exp), 100);
        }
        for shard in &cache.shards {
            assert!(shard.lock().unwrap().len() <= SHARD_CAPACITY);
        }
        let live = TokenKey::of("live");
        cache.insert(TokenKey::of("live"), claims(500), 100);
        assert_eq!(cache.get(&live).unwrap().exp, 500);
        assert!(cache.get(&TokenKey::of("never verified")).is_none());
    }
}
