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

/// The claims an access token carries, in SuperTokens' v3 payload: the recipe's own claims, then the app's; the
/// signature covers all of them.
///
/// They serialize as one flat JSON object, keys in core's order (`AccessToken.java`, `toJSON`): `sub`, `exp`,
/// `iat`, `sessionHandle`, `refreshTokenHash1`, `parentRefreshTokenHash1`, `antiCsrfToken` (the last two `null`
/// when unset, as core keeps them), `iss` when an issuer is configured, then the app's claims in the order of
/// their map. The same object is the `front-token`'s `up`, whose JSON text SuperTokens' frontend compares to tell
/// an update, so one payload always gives one text.
#[derive(Debug, Clone)]
pub(crate) struct AccessClaims {
    /// `sub`.
    pub(crate) user_id: String,
    /// Expires at, Unix seconds.
    pub(crate) exp: u64,
    /// Issued at, Unix seconds.
    pub(crate) iat: u64,
    pub(crate) session_handle: String,
    /// `refreshTokenHash1`: the hash of the refresh token minted with this access token.
    pub(crate) refresh_hash: TokenHash,
    /// `parentRefreshTokenHash1`: set only on access tokens minted by the recipe's earlier rotation model, whose
    /// refresh token may be a child of the session's current one.
    pub(crate) parent_hash: Option<TokenHash>,
    /// `antiCsrfToken`: the anti-CSRF token, with `AntiCsrf::ViaToken` and cookies.
    pub(crate) anti_csrf_token: Option<String>,
    /// `iss`.
    pub(crate) issuer: Option<String>,
    /// The app's claims: a JSON object without the recipe's keys.
    pub(crate) payload: serde_json::Value,
}

/// The keys of the access-token payload that the recipe owns (supertokens-node's `protectedProps`, with `iss`,
/// which is the configured issuer): an app's payload cannot set them.
pub(crate) const RECIPE_CLAIMS: [&str; 11] = [
    "sub",
    "iat",
    "exp",
    "sessionHandle",
    "parentRefreshTokenHash1",
    "refreshTokenHash1",
    "antiCsrfToken",
    "rsub",
    "tId",
    "stt",
    "iss",
];

/// The app's claims of `payload`: the object without the keys the recipe owns (dropped, as supertokens-node
/// drops them); `null` is no claims. Anything but an object or `null` is refused: the claims sit beside the
/// recipe's in one JSON object.
pub(crate) fn app_claims(
    payload: serde_json::Value,
) -> Result<serde_json::Map<String, serde_json::Value>, &'static str> {
    match payload {
        serde_json::Value::Null => Ok(serde_json::Map::new()),
        serde_json::Value::Object(mut claims) => {
            for key in RECIPE_CLAIMS {
                claims.remove(key);
            }
            Ok(claims)
        }
        _ => Err("the access-token payload must be a JSON object (or null, for none)"),
    }
}

impl Serialize for AccessClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let claims = self.payload.as_object();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("sub", &self.user_id)?;
        map.serialize_entry("exp", &self.exp)?;
        map.serialize_entry("iat", &self.iat)?;
        map.serialize_entry("sessionHandle", &self.session_handle)?;
        map.serialize_entry("refreshTokenHash1", &self.refresh_hash)?;
        map.serialize_entry("parentRefreshTokenHash1", &self.parent_hash)?;
        map.serialize_entry("antiCsrfToken", &self.anti_csrf_token)?;
        if let Some(issuer) = &self.issuer {
            map.serialize_entry("iss", issuer)?;
        }
        for (key, value) in claims.into_iter().flatten() {
            // The app's claims never hold the recipe's keys (`app_claims`); skipped all the same, so that no
            // key can appear twice.
            if !RECIPE_CLAIMS.contains(&key.as_str()) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for AccessClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ClaimsVisitor)
    }
}

struct ClaimsVisitor;

impl<'de> serde::de::Visitor<'de> for ClaimsVisitor {
    type Value = AccessClaims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an access-token payload")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AccessClaims, A::Error> {
        use serde::de::Error as _;
        let mut user_id = None;
        let mut exp = None;
        let mut iat = None;
        let mut session_handle = None;
        let mut refresh_hash = None;
        let mut parent_hash = None;
        let mut anti_csrf_token = None;
        let mut issuer = None;
        let mut claims = serde_json::Map::new();
        // Access tokens of the recipe's previous format (`userId` and a nested `payload`, no `sub`) are read
        // until they expire, so that an upgrade signs no one out.
        let mut legacy_user_id: Option<serde_json::Value> = None;
        let mut legacy_payload: Option<serde_json::Value> = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match key.as_str() {
                "sub" => user_id = Some(map.next_value()?),
                "exp" => exp = Some(map.next_value()?),
                "iat" => iat = Some(map.next_value()?),
                "sessionHandle" => session_handle = Some(map.next_value()?),
                "refreshTokenHash1" => refresh_hash = Some(map.next_value()?),
                "parentRefreshTokenHash1" => parent_hash = map.next_value()?,
                "antiCsrfToken" => anti_csrf_token = map.next_value()?,
                "iss" => issuer = map.next_value()?,
                other => {
                    let value: serde_json::Value = map.next_value()?;
                    match other {
                        "userId" => legacy_user_id = Some(value.clone()),
                        "payload" => legacy_payload = Some(value.clone()),
                        _ => {}
                    }
                    // Keys the recipe owns but does not use (`tId`, `rsub`, `stt`) are not the app's claims.
                    if !RECIPE_CLAIMS.contains(&other) {
                        claims.insert(other.to_owned(), value);
                    }
                }
            }
        }
        let (user_id, payload) = match (user_id, legacy_user_id, legacy_payload) {
            (Some(user_id), _, _) => (user_id, serde_json::Value::Object(claims)),
            (
                None,
                Some(serde_json::Value::String(user_id)),
                Some(payload @ serde_json::Value::Object(_)),
            ) => (user_id, payload),
            _ => return Err(A::Error::missing_field("sub")),
        };
        Ok(AccessClaims {
            user_id,
            exp: exp.ok_or_else(|| A::Error::missing_field("exp"))?,
            iat: iat.ok_or_else(|| A::Error::missing_field("iat"))?,
            session_handle: session_handle
                .ok_or_else(|| A::Error::missing_field("sessionHandle"))?,
            refresh_hash: refresh_hash
                .ok_or_else(|| A::Error::missing_field("refreshTokenHash1"))?,
            parent_hash,
            anti_csrf_token,
            issuer,
            payload,
        })
    }
}

/// A map key, borrowed from the token's JSON unless it has escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl Key<'_> {
    fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }

            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(key)))
            }

            fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(key.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
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
/// As in SuperTokens' core (`RefreshToken.createNewRefreshToken`), a token names its parent's hash, which is how
/// the rotation rules tell a branch of the previous token (`ORPHANED_BRANCH`) from an older one, and a child of
/// the current token minted by the recipe's earlier model from a stranger. SuperTokens encrypts the token; a MAC
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
            anti_csrf_token: None,
            issuer: None,
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
        assert_eq!(verified.payload.as_object().unwrap().len(), 1);
        assert!(verified.parent_hash.is_none() && verified.issuer.is_none());
    }

    #[test]
    fn the_payload_is_flat_with_the_recipes_keys_first_and_nulls_kept() {
        let token = sign(&claims(), &key());
        let body = URL_SAFE_NO_PAD
            .decode(token.split_once('.').unwrap().0)
            .unwrap();
        let json = String::from_utf8(body).unwrap();
        let keys: Vec<&str> = [
            "sub",
            "exp",
            "iat",
            "sessionHandle",
            "refreshTokenHash1",
            "parentRefreshTokenHash1\":null",
            "antiCsrfToken\":null",
            "role",
        ]
        .into_iter()
        .collect();
        let positions: Vec<usize> = keys
            .iter()
            .map(|key| {
                json.find(&format!("\"{key}"))
                    .unwrap_or_else(|| panic!("{key} in {json}"))
            })
            .collect();
        assert!(positions.is_sorted(), "{json}");
    }

    #[test]
    fn an_access_token_of_the_previous_format_is_read_until_it_expires() {
        let legacy = serde_json::json!({
            "sessionHandle": "handle", "userId": "alice", "iat": 10, "exp": 20,
            "refreshTokenHash1": TokenHash::of("refresh"),
            "parentRefreshTokenHash1": TokenHash::of("parent"),
            "payload": { "role": "admin" },
        });
        let token = sign(&legacy, &key());
        let verified = verify_access_token(&token, &key()).unwrap();
        assert_eq!(verified.user_id, "alice");
        assert_eq!(verified.parent_hash, Some(TokenHash::of("parent")));
        assert_eq!(verified.payload, serde_json::json!({ "role": "admin" }));
    }

    #[test]
    fn the_recipes_keys_in_an_apps_payload_are_dropped() {
        let claims = app_claims(serde_json::json!({
            "sub": "mallory", "iss": "evil", "tId": "t", "role": "admin",
        }))
        .unwrap();
        assert_eq!(
            serde_json::Value::Object(claims),
            serde_json::json!({ "role": "admin" })
        );
        assert!(app_claims(serde_json::Value::Null).unwrap().is_empty());
        assert!(app_claims(serde_json::json!("text")).is_err());
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
