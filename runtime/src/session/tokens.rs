//! The two tokens: signed access tokens, and sealed refresh tokens that the store knows only by hash.

use std::fmt;
use std::hash::{Hash, Hasher};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::keys::{Signer, SigningKey, Window};

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
    /// A JWS whose `kid` names no key that verifies now: unknown, or retired.
    UnknownKey,
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
    let token = seal(&claims, signer);
    let hash = TokenHash::of(&token);
    Ok((token, hash))
}

/// The claims of a refresh token sealed with one of `signers`; `None` for anything else.
pub(crate) fn open_refresh_token<'k>(
    token: &str,
    signers: impl IntoIterator<Item = &'k Signer>,
) -> Option<RefreshClaims> {
    if token.len() > MAX_REFRESH_TOKEN_LEN {
        return None;
    }
    signers
        .into_iter()
        .find_map(|signer| open_sealed(token, signer).ok())
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
    token.len() <= MAX_ACCESS_TOKEN_LEN && (is_jws_of_the_recipe(token) || is_signed_shape(token))
}

/// A JWS whose header names ES256 and a `kid` of the recipe's, and whose signature has ES256's length: another
/// issuer's JWT (an identity provider's, say) is told apart without a key.
fn is_jws_of_the_recipe(token: &str) -> bool {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    // 64 bytes of signature in unpadded base64url.
    if signature.len() != 86 {
        return false;
    }
    // The recipe's headers are about 90 bytes: decoded on the stack, as this runs for every bearer token.
    let mut json = [0; 192];
    let Ok(len) = URL_SAFE_NO_PAD.decode_slice(header.as_bytes(), &mut json) else {
        return false;
    };
    serde_json::from_slice::<JwsHeader<'_>>(&json[..len]).is_ok_and(|header| {
        header.alg == "ES256" && header.kid.is_some_and(|kid| kid.starts_with("es256-"))
    })
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

/// `base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))`: the form of refresh tokens, and of access
/// tokens before they were JWTs.
pub(crate) fn seal<C: Serialize>(claims: &C, signer: &Signer) -> String {
    // Serializing these claims cannot fail (every map key is a string); were it to, the empty body would be
    // refused as malformed when the token comes back.
    let json = serde_json::to_vec(claims).unwrap_or_default();
    let body = URL_SAFE_NO_PAD.encode(json);
    let mut mac = signer.clone();
    mac.update(body.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag))
}

/// An access token of `claims`: a JWS (RFC 7515) in compact form, `header "." payload "." signature`, signed
/// with ES256 by `key`, whose `kid` the header names.
pub(crate) fn sign_access_token(
    claims: &AccessClaims,
    key: &SigningKey,
) -> Result<String, ring::error::Unspecified> {
    // Serializing the claims cannot fail (every map key is a string).
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let mut token = String::with_capacity(key.header().len() + payload.len() * 4 / 3 + 92);
    token.push_str(key.header());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// The JWS header fields the recipe reads, borrowed from the token where they have no escapes.
#[derive(Deserialize)]
struct JwsHeader<'h> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'h, str>,
    #[serde(borrow)]
    kid: Option<std::borrow::Cow<'h, str>>,
}

/// The claims of an access token whose signature is valid under `window`'s keys (or, for a token of the format
/// before JWTs, one of `legacy`), whatever its expiry.
pub(crate) fn verify_access_token<'k>(
    token: &str,
    window: &Window,
    legacy: impl IntoIterator<Item = &'k Signer>,
) -> Result<AccessClaims, Malformed> {
    if token.len() > MAX_ACCESS_TOKEN_LEN {
        return Err(Malformed::Shape);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return Err(Malformed::Shape);
    };
    let Some(signature) = parts.next() else {
        // `body "." tag`: an HMAC token of the recipe's earlier format, read until it expires.
        return legacy
            .into_iter()
            .find_map(|signer| open_sealed(token, signer).ok())
            .ok_or(Malformed::Signature);
    };
    if parts.next().is_some() {
        return Err(Malformed::Shape);
    }
    let header_json = URL_SAFE_NO_PAD
        .decode(header.as_bytes())
        .map_err(|_| Malformed::Shape)?;
    let header: JwsHeader<'_> =
        serde_json::from_slice(&header_json).map_err(|_| Malformed::Shape)?;
    // One algorithm only: a token naming another (`none`, `HS256` with the public key as secret) never reaches
    // a verifier.
    if header.alg != "ES256" {
        return Err(Malformed::Signature);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| window.find(kid))
        .ok_or(Malformed::UnknownKey)?;
    let mut signature_bytes = [0; 64];
    match URL_SAFE_NO_PAD.decode_slice(signature.as_bytes(), &mut signature_bytes) {
        Ok(64) => {}
        _ => return Err(Malformed::Signature),
    }
    let signed = &token[..header_len(token)];
    if !key.verify(signed.as_bytes(), &signature_bytes) {
        return Err(Malformed::Signature);
    }
    let json = URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| Malformed::Claims)?;
    serde_json::from_slice(&json).map_err(|_| Malformed::Claims)
}

/// The length of `header "." payload`, the part of a JWS its signature covers.
fn header_len(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

/// The claims of a token sealed with `signer`.
fn open_sealed<C: serde::de::DeserializeOwned>(
    token: &str,
    signer: &Signer,
) -> Result<C, Malformed> {
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
    use crate::session::keys::{Keys, Rotation};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_700_000_000;

    fn keys() -> Keys {
        Keys::new(
            SECRET,
            &[] as &[&[u8]],
            Rotation::Every(7 * 86_400),
            3600,
            NOW,
        )
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

    fn sign(keys: &Keys) -> String {
        sign_access_token(&claims(), keys.window(NOW).signing()).unwrap()
    }

    fn verify(token: &str, keys: &Keys) -> Result<AccessClaims, Malformed> {
        verify_access_token(token, &keys.window(NOW), keys.legacy_access())
    }

    #[test]
    fn a_signed_token_is_a_jws_that_verifies_and_keeps_its_claims() {
        let keys = keys();
        let token = sign(&keys);
        assert_eq!(token.split('.').count(), 3);
        assert!(looks_like_access_token(&token));
        let header: serde_json::Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["typ"], "JWT");
        assert!(header["kid"].as_str().unwrap().starts_with("es256-"));
        let verified = verify(&token, &keys).unwrap();
        assert_eq!(verified.user_id, "alice");
        assert_eq!(verified.refresh_hash, TokenHash::of("refresh"));
        assert_eq!(verified.payload, serde_json::json!({ "role": "admin" }));
        assert!(verified.parent_hash.is_none() && verified.issuer.is_none());
    }

    #[test]
    fn the_payload_is_flat_with_the_recipes_keys_first_and_nulls_kept() {
        let token = sign(&keys());
        let body = URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap();
        let json = String::from_utf8(body).unwrap();
        let keys = [
            "sub",
            "exp",
            "iat",
            "sessionHandle",
            "refreshTokenHash1",
            "parentRefreshTokenHash1\":null",
            "antiCsrfToken\":null",
            "role",
        ];
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
        let keys = keys();
        // Sealed as the recipe did before its tokens were JWTs: with the secret itself as the HMAC key.
        let token = seal(&legacy, keys.legacy_access().next().unwrap());
        assert!(looks_like_access_token(&token));
        let verified = verify(&token, &keys).unwrap();
        assert_eq!(verified.user_id, "alice");
        assert_eq!(verified.parent_hash, Some(TokenHash::of("parent")));
        assert_eq!(verified.payload, serde_json::json!({ "role": "admin" }));
        // Under another secret, it is forged.
        let other = Keys::new(
            b"another secret of thirty-two bytes",
            &[] as &[&[u8]],
            Rotation::Static,
            3600,
            NOW,
        );
        assert_eq!(verify(&token, &other).unwrap_err(), Malformed::Signature);
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
    fn tampering_with_any_part_is_detected_and_a_foreign_key_or_algorithm_is_refused() {
        let keys = keys();
        let token = sign(&keys);
        let parts: Vec<&str> = token.split('.').collect();
        // Another payload under the same header and signature.
        let mut forged = claims();
        forged.user_id = "mallory".to_owned();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let swapped = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert_eq!(verify(&swapped, &keys).unwrap_err(), Malformed::Signature);
        // A flipped bit of the signature.
        let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        signature[10] ^= 1;
        let flipped = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(signature)
        );
        assert_eq!(verify(&flipped, &keys).unwrap_err(), Malformed::Signature);
        // A token of another secret names a key this ring does not have.
        let other = Keys::new(
            b"another secret of thirty-two bytes",
            &[] as &[&[u8]],
            Rotation::Static,
            3600,
            NOW,
        );
        assert_eq!(
            verify(&sign(&other), &keys).unwrap_err(),
            Malformed::UnknownKey
        );
        // `alg: none` and `HS256` never reach a verifier.
        for alg in ["none", "HS256", "RS256"] {
            let header = URL_SAFE_NO_PAD.encode(format!(
                r#"{{"alg":"{alg}","kid":"{}","typ":"JWT"}}"#,
                keys.window(NOW).signing().header().len()
            ));
            let token = format!("{header}.{}.{}", parts[1], parts[2]);
            assert_eq!(
                verify(&token, &keys).unwrap_err(),
                Malformed::Signature,
                "{alg}"
            );
        }
    }

    #[test]
    fn a_token_of_a_retired_key_is_unknown() {
        let week = 7 * 86_400;
        let keys = Keys::new(SECRET, &[] as &[&[u8]], Rotation::Every(week), 3600, NOW);
        let token = sign(&keys);
        // Two intervals later, the key that signed it has retired.
        let later = NOW + 2 * week;
        let result = verify_access_token(&token, &keys.window(later), keys.legacy_access());
        assert_eq!(result.unwrap_err(), Malformed::UnknownKey);
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let keys = keys();
        for garbage in [
            "",
            ".",
            "..",
            "a.b.c",
            "a.b.c.d",
            "no-dot",
            "%%%.%%%",
            "%%%.%%%.%%%",
            "eyJ9.",
            "eyJ9.eyJ9.",
            &"a".repeat(20_000),
        ] {
            assert!(verify(garbage, &keys).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn another_issuers_jwt_does_not_look_like_the_recipes() {
        // An RS256 JWT of an identity provider: header {"alg":"RS256","typ":"JWT"}.
        let foreign =
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl";
        assert!(!looks_like_access_token(foreign));
    }

    #[test]
    fn refresh_tokens_name_their_session_and_parent_and_only_open_with_their_key() {
        let keys = keys();
        let (first, first_hash) = new_refresh_token("handle", None, keys.refresh()).unwrap();
        let (child, child_hash) =
            new_refresh_token("handle", Some(first_hash), keys.refresh()).unwrap();
        assert_eq!(first_hash, TokenHash::of(&first));
        assert_ne!(first_hash, child_hash);
        let opened = open_refresh_token(&child, keys.refresh_openers()).unwrap();
        assert_eq!(opened.session_handle, "handle");
        assert_eq!(opened.parent_hash, Some(first_hash));
        assert!(
            open_refresh_token(&first, keys.refresh_openers())
                .unwrap()
                .parent_hash
                .is_none()
        );
        // Neither the anti-CSRF key nor the legacy access key opens a refresh token.
        assert!(open_refresh_token(&first, [keys.anti_csrf()]).is_none());
        assert!(open_refresh_token(&first, keys.legacy_access()).is_none());
        // A refresh token sealed the way the recipe did before its keys were derived with HKDF still opens.
        let legacy = seal(
            &RefreshClaims::new("handle".to_owned(), None).unwrap(),
            keys.refresh_openers().last().unwrap(),
        );
        assert!(open_refresh_token(&legacy, keys.refresh_openers()).is_some());
        assert!(open_refresh_token(&"a".repeat(2000), keys.refresh_openers()).is_none());
        // Debug output leaves out the nonce, the part of the token no one else knows.
        assert!(!format!("{opened:?}").contains(&opened.nonce));
        let json = serde_json::to_string(&first_hash).unwrap();
        assert_eq!(
            serde_json::from_str::<TokenHash>(&json).unwrap(),
            first_hash
        );
    }
}
