//! The two tokens: signed access tokens, and opaque refresh tokens that the store knows only by hash.

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

/// The longest access token looked at; a longer cookie is refused before any decoding work.
const MAX_ACCESS_TOKEN_LEN: usize = 16 * 1024;

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

/// A fresh refresh token: 256 bits from the OS generator, as unpadded URL-safe base64.
pub(crate) fn new_refresh_token() -> Result<(String, TokenHash), getrandom::Error> {
    let token = random_text::<32>()?;
    let hash = TokenHash::of(&token);
    Ok((token, hash))
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

/// Whether a presented refresh token has the shape of one this recipe mints, before it is hashed and looked up.
pub(crate) fn is_refresh_token_shaped(token: &str) -> bool {
    token.len() == 43
        && URL_SAFE_NO_PAD
            .decode(token.as_bytes())
            .is_ok_and(|bytes| bytes.len() == 32)
}

/// The HMAC-SHA256 key of access tokens, keyed once when the configuration is built.
pub(crate) type Signer = Hmac<Sha256>;

/// The signer of `secret`; HMAC takes keys of any length, so only an impossible key fails.
pub(crate) fn signer(secret: &[u8]) -> Result<Signer, hmac::digest::InvalidLength> {
    Signer::new_from_slice(secret)
}

/// `base64url(claims JSON) "." base64url(HMAC-SHA256(secret, first part))`.
pub(crate) fn sign(claims: &AccessClaims, signer: &Signer) -> String {
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
pub(crate) fn verify(token: &str, signer: &Signer) -> Result<AccessClaims, Malformed> {
    if token.len() > MAX_ACCESS_TOKEN_LEN {
        return Err(Malformed::Shape);
    }
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
        signer(b"0123456789abcdef0123456789abcdef").unwrap()
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
        let verified = verify(&token, &key()).unwrap();
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
            verify(&format!("{forged_body}.{tag}"), &key()).unwrap_err(),
            Malformed::Signature
        );
        let mut flipped = tag.to_owned().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(
            verify(&format!("{body}.{flipped}"), &key()).unwrap_err(),
            Malformed::Signature
        );
        assert_eq!(
            verify(
                &token,
                &signer(b"another secret of thirty-two bytes").unwrap()
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
            assert!(verify(garbage, &key()).is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn refresh_tokens_are_256_random_bits() {
        let (first, first_hash) = new_refresh_token().unwrap();
        let (second, _) = new_refresh_token().unwrap();
        assert_ne!(first, second);
        assert!(is_refresh_token_shaped(&first));
        assert!(!is_refresh_token_shaped("short"));
        assert_eq!(first_hash, TokenHash::of(&first));
        let json = serde_json::to_string(&first_hash).unwrap();
        assert_eq!(
            serde_json::from_str::<TokenHash>(&json).unwrap(),
            first_hash
        );
    }
}
