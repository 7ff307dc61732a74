//! The two tokens: signed access tokens, and sealed refresh tokens that the store knows only by hash.

use std::fmt;
use std::hash::{Hash, Hasher};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// The SHA-256 hash of a refresh token: all that a store keeps of it.
///
/// Equality is constant-time, so comparing a presented token with the stored ones leaks nothing about them.
/// It serializes as unpadded URL-safe base64, for stores that keep it as text.
#[derive(Clone, Copy)]
pub struct TokenHash([u8; 32]);

/// The claims an access token carries; the signature covers all of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AccessClaims {
    pub(crate) session_handle: String,
    pub(crate) user_id: String,
    /// Issued at, Unix seconds.
    pub(crate) iat: u64,
    /// Expires at, Unix seconds.
    pub(crate) exp: u64,
    /// The hash of the refresh token minted with this access token.
    #[serde(rename = "refreshTokenHash1")]
    pub(crate) refresh_hash: TokenHash,
    /// Set while that refresh token may still be an uncommitted child: the hash of its parent.
    #[serde(
        rename = "parentRefreshTokenHash1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) parent_hash: Option<TokenHash>,
    pub(crate) payload: serde_json::Value,
}

/// Why an access token was not accepted before its expiry was even looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    Shape,
    Signature,
    Claims,
}

/// The longest access token looked at; a longer cookie is refused before any decoding work, and no session
/// whose access token would be longer is created (see [`too_long`]).
pub(crate) const MAX_ACCESS_TOKEN_LEN: usize = 16 * 1024;

impl TokenHash {
    /// The hash of a refresh token as it travels (its base64 text).
    pub fn of(refresh_token: &str) -> Self {
        Self(Sha256::digest(refresh_token.as_bytes()).into())
    }

    /// The hash's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The hash from its bytes, as a store read them back.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TokenHash {}

impl Hash for TokenHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A prefix is enough to tell hashes apart in logs.
        let text = URL_SAFE_NO_PAD.encode(self.0);
        write!(f, "TokenHash({}…)", &text[..8])
    }
}

impl Serialize for TokenHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl<'de> Deserialize<'de> for TokenHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| serde::de::Error::custom("a token hash has 32 bytes"))?;
        Ok(Self(bytes))
    }
}

/// What a refresh token carries, sealed with the recipe's refresh key: its session, its parent, and 256 random
/// bits that make it unguessable.
///
/// As in SuperTokens' core (`RefreshToken.createNewRefreshToken`), a child names its parent's hash, so that any
/// number of children of the current token can coexist with nothing stored for them: the store keeps only the
/// hash of the current token, and a child proves its descent by itself. SuperTokens encrypts the token; a MAC
/// is enough here, because nothing in it is secret from its holder (the access token shows the handle too, and
/// the parent's hash is the hash of a token the holder had).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct RefreshClaims {
    #[serde(rename = "sessionHandle")]
    pub(crate) session_handle: String,
    /// The hash of the token this one was minted from; absent on a session's first token.
    #[serde(
        rename = "parentRefreshTokenHash1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) parent_hash: Option<TokenHash>,
    nonce: String,
}

impl fmt::Debug for RefreshClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The nonce is what makes the token unguessable: left out of anything that may reach a log.
        f.debug_struct("RefreshClaims")
            .field("session_handle", &self.session_handle)
            .field("parent_hash", &self.parent_hash)
            .finish_non_exhaustive()
    }
}

/// The longest refresh token looked at; a longer cookie is refused before any decoding work.
const MAX_REFRESH_TOKEN_LEN: usize = 1024;

impl RefreshClaims {
    /// The claims of a fresh token of `session_handle`, minted from the token hashing to `parent_hash`.
    pub(crate) fn new(
        session_handle: String,
        parent_hash: Option<TokenHash>,
    ) -> Result<Self, getrandom::Error> {
        Ok(Self {
            session_handle,
            parent_hash,
            nonce: random_text::<32>()?,
        })
    }
}

/// A fresh refresh token of `session_handle` descending from `parent_hash`, and its hash.
pub(crate) fn new_refresh_token(
    session_handle: &str,
    parent_hash: Option<TokenHash>,
    signer: &Signer,
) -> Result<(String, TokenHash), getrandom::Error> {
    let claims = RefreshClaims::new(session_handle.to_owned(), parent_hash)?;
    let token = sign(&claims, signer);
    let hash = TokenHash::of(&token);
    Ok((token, hash))
}

/// The claims of a refresh token sealed with `signer`; `None` for anything else.
pub(crate) fn open_refresh_token(token: &str, signer: &Signer) -> Option<RefreshClaims> {
    if token.len() > MAX_REFRESH_TOKEN_LEN {
        return None;
    }
    verify(token, signer).ok()
}

/// Whether `token` has the shape of a refresh token this recipe mints, before its seal is checked: to tell it
/// from another scheme's bearer token.
pub(crate) fn looks_like_refresh_token(token: &str) -> bool {
    token.len() <= MAX_REFRESH_TOKEN_LEN && is_signed_shape(token)
}

/// Why the recipe would refuse `access_token`, signed with `signer`, when it comes back, if it would: a session
/// or a payload update that mints it must fail at once rather than leave a session no request can use. Too long
/// a token is one reason; a payload nested deeper than JSON is read back (128 levels) is the other.
pub(crate) fn refused_back(
    access_token: &str,
    user_id: &str,
    payload: &serde_json::Value,
) -> Option<String> {
    if access_token.len() > MAX_ACCESS_TOKEN_LEN {
        let payload_len = serde_json::to_string(payload).map_or(0, |json| json.len());
        return Some(format!(
            "the access token would be {} bytes, more than the {MAX_ACCESS_TOKEN_LEN} the recipe accepts: the \
             user id has {} bytes and the payload {payload_len} bytes as JSON; keep them small (an access token \
             travels with every request, and browsers keep cookies of at most 4 KiB)",
            access_token.len(),
            user_id.len(),
        ));
    }
    // serde_json reads JSON nested at most 128 levels deep, and the claims put the payload one level down.
    (depth(payload) >= 127).then(|| {
        "the access token could not be read back: the payload is nested deeper than JSON is read (128 levels)"
            .to_owned()
    })
}

/// How deeply `value` nests arrays and objects: 0 for a scalar.
fn depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0)];
    while let Some((value, level)) = pending.pop() {
        match value {
            serde_json::Value::Array(items) => {
                pending.extend(items.iter().map(|child| (child, level + 1)));
            }
            serde_json::Value::Object(entries) => {
                pending.extend(entries.values().map(|child| (child, level + 1)));
            }
            _ => continue,
        }
        deepest = deepest.max(level + 1);
    }
    deepest
}

/// Whether `token` has the shape of an access token this recipe mints, before its signature is checked.
pub(crate) fn looks_like_access_token(token: &str) -> bool {
    token.len() <= MAX_ACCESS_TOKEN_LEN && is_signed_shape(token)
}

/// `body "." tag`, the tag being an HMAC-SHA256 in unpadded base64url (43 characters).
fn is_signed_shape(token: &str) -> bool {
    token.split_once('.').is_some_and(|(body, tag)| {
        !body.is_empty()
            && tag.len() == 43
            && tag
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    })
}

/// A fresh session handle: 128 random bits, which no one can guess or enumerate.
pub(crate) fn new_session_handle() -> Result<String, getrandom::Error> {
    random_text::<16>()
}

fn random_text<const N: usize>() -> Result<String, getrandom::Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// An HMAC-SHA256 key, keyed once when the configuration is built.
pub(crate) type Signer = Hmac<Sha256>;

/// The keys one signing secret gives: one for access tokens, one for refresh tokens.
#[derive(Clone)]
pub(crate) struct Keys {
    pub(crate) access: Signer,
    pub(crate) refresh: Signer,
}

impl Keys {
    /// The keys of `secret`. The refresh key is derived with a label, so that no access token can pass for a
    /// refresh token or the other way round, whatever their contents.
    pub(crate) fn of(secret: &[u8]) -> Self {
        // HMAC takes keys of any length, so keying cannot fail.
        let access = Signer::new_from_slice(secret).expect("HMAC takes keys of any length");
        let mut derive = access.clone();
        derive.update(b"errorhandler session refresh-token key v1");
        let refresh_key = derive.finalize().into_bytes();
        let refresh = Signer::new_from_slice(&refresh_key).expect("HMAC takes keys of any length");
        Self { access, refresh }
    }
}

/// `base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))`.
pub(crate) fn sign<C: Serialize>(claims: &C, signer: &Signer) -> String {
    // Serializing these claims cannot fail (every map key is a string); were it to, the empty body would be
    // refused as malformed when the token comes back.
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let body = URL_SAFE_NO_PAD.encode(json);
    let mut mac = signer.clone();
    mac.update(body.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// The claims of an access token whose signature is valid, whatever its expiry.
pub(crate) fn verify_access_token(token: &str, signer: &Signer) -> Result<AccessClaims, Malformed> {
    if token.len() > MAX_ACCESS_TOKEN_LEN {
        return Err(Malformed::Shape);
    }
    verify(token, signer)
}

/// The claims of a token signed with `signer`.
fn verify<C: serde::de::DeserializeOwned>(token: &str, signer: &Signer) -> Result<C, Malformed> {
    let (body, tag) = token.split_once('.').ok_or(Malformed::Shape)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag.as_bytes())
        .map_err(|_| Malformed::Shape)?;
    let mut mac = signer.clone();
    mac.update(body.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&tag).map_err(|_| Malformed::Signature)?;
    let json = URL_SAFE_NO_PAD
        .decode(body.as_bytes())
        .map_err(|_| Malformed::Claims)?;
    serde_json::from_slice(&json).map_err(|_| Malformed::Claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Signer {
        Keys::of(b"0123456789abcdef0123456789abcdef").access
    }

    fn claims() -> AccessClaims {
        AccessClaims {
            session_handle: "handle".to_owned(),
            user_id: "alice".to_owned(),
            iat: 10,
            exp: 20,
            refresh_hash: TokenHash::of("refresh"),
            parent_hash: None,
            payload: serde_json::json!({ "role": "admin" }),
        }
    }

    #[test]
    fn a_signed_token_verifies_and_keeps_its_claims() {
        let token = sign(&claims(), &key());
        let verified = verify_access_token(&token, &key()).unwrap();
        assert_eq!(verified.user_id, "alice");
        assert_eq!(verified.refresh_hash, TokenHash::of("refresh"));
        assert_eq!(verified.payload["role"], "admin");
        assert!(!token.contains("parentRefreshTokenHash1"));
    }

    #[test]
    fn tampering_with_any_part_is_detected() {
        let token = sign(&claims(), &key());
        let (body, tag) = token.split_once('.').unwrap();
        let mut forged = claims();
        forged.user_id = "mallory".to_owned();
        let forged_body = sign(&forged, &key());
        let forged_body = forged_body.split_once('.').unwrap().0;
        assert_eq!(
            verify_access_token(&format!("{forged_body}.{tag}"), &key()).unwrap_err(),
            Malformed::Signature
        );
        let mut flipped = tag.to_owned().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            verify_access_token(&format!("{body}.{flipped}"), &key()).unwrap_err(),
            Malformed::Signature
        );
        assert_eq!(
            verify_access_token(
                &token,
                &Keys::of(b"another secret of thirty-two bytes").access
            )
            .unwrap_err(),
            Malformed::Signature
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for garbage in [
            "",
            ".",
            "a.b.c",
            "no-dot",
            "%%%.%%%",
            "eyJ9.",
            &"a".repeat(20_000),
        ] {
            assert!(verify_access_token(garbage, &key()).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn refresh_tokens_name_their_session_and_parent_and_only_open_with_their_key() {
        let keys = Keys::of(b"0123456789abcdef0123456789abcdef");
        let (first, first_hash) = new_refresh_token("handle", None, &keys.refresh).unwrap();
        let (child, child_hash) =
            new_refresh_token("handle", Some(first_hash), &keys.refresh).unwrap();
        assert_eq!(first_hash, TokenHash::of(&first));
        assert_ne!(first_hash, child_hash);
        let opened = open_refresh_token(&child, &keys.refresh).unwrap();
        assert_eq!(opened.session_handle, "handle");
        assert_eq!(opened.parent_hash, Some(first_hash));
        assert!(
            open_refresh_token(&first, &keys.refresh)
                .unwrap()
                .parent_hash
                .is_none()
        );
        // Neither key opens the other kind of token.
        assert!(open_refresh_token(&first, &keys.access).is_none());
        let access = sign(&claims(), &keys.access);
        assert!(open_refresh_token(&access, &keys.refresh).is_none());
        assert!(open_refresh_token(&"a".repeat(2000), &keys.refresh).is_none());
        // Debug output leaves out the nonce, the part of the token no one else knows.
        assert!(!format!("{opened:?}").contains(&opened.nonce));
        let json = serde_json::to_string(&first_hash).unwrap();
        assert_eq!(
            serde_json::from_str::<TokenHash>(&json).unwrap(),
            first_hash
        );
    }
}
