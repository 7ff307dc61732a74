//! The recipe's keys: sub-keys per purpose derived with HKDF from the root secret, and the ring of access-token
//! signing keys, which rotates on a schedule.
//!
//! Every key is derived from the root secret (`signing_secret`), never stored: the refresh-token sealing key and
//! the anti-CSRF key once, and the access-token signing key of each *epoch* (the time divided by the rotation
//! interval; a single epoch, 0, with a static key). So every instance that shares the secret computes the same
//! ring at the same time, with nothing to coordinate and no private key in any store, and a new key signs as soon
//! as its epoch starts on any instance.
//!
//! The ring an instance verifies with, and publishes at the JWKS endpoint, is the key of the current epoch, that of
//! the next one (published a whole interval before it signs anything, so that a verifier holding a cached key set
//! has it when it starts signing, and so that an instance whose clock runs ahead is trusted), and that of the
//! previous epoch until the last token it signed has expired. Keys of the previous root secrets (during a
//! replacement) verify and open what they signed, and sign nothing.

use std::fmt::Write as _;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use hmac::{KeyInit as _, Mac as _};
use p256::elliptic_curve::sec1::ToSec1Point as _;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use sha2::{Digest as _, Sha256};

/// An HMAC-SHA256 key, keyed once when the configuration is built.
pub(crate) type Signer = hmac::Hmac<Sha256>;

/// What the HKDF extraction of every root secret is salted with: the recipe's keys are of no use elsewhere.
const SALT: &[u8] = b"errorhandler session keys";

/// How access-token signing keys change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rotation {
    /// A new key every so many seconds.
    Every(u64),
    /// One key for good.
    Static,
}

/// The recipe's keys, from its root secret and the previous ones.
pub(crate) struct Keys {
    /// The current root secret first.
    roots: Vec<Root>,
    rotation: Rotation,
    /// Seconds: how long after its epoch ends a key still verifies the tokens it signed.
    access_lifetime: u64,
    /// The ring of the current time, rebuilt when it changes; read by every verification, written once an epoch.
    window: RwLock<Arc<Window>>,
}

/// The keys one root secret gives.
struct Root {
    hkdf: Hkdf<Sha256>,
    /// Seals refresh tokens.
    refresh: Signer,
    anti_csrf: Signer,
    /// The keys as the recipe used the secret before the key ring: the secret itself as the HMAC key of access
    /// tokens, and a refresh key derived by HMAC with a label. Tokens they signed are read until they expire, so
    /// that the upgrade signs no one out.
    legacy_access: Signer,
    legacy_refresh: Signer,
}

/// An access-token signing key: its `kid`, its JWS header, its pair and its public point.
pub(crate) struct SigningKey {
    kid: String,
    /// `base64url({"alg":"ES256","kid":…,"typ":"JWT","version":"3"})`, the first part of every token it signs.
    header: String,
    pair: EcdsaKeyPair,
    /// The uncompressed SEC1 point: `04 || x || y`.
    public: Vec<u8>,
    /// The epoch it signs in.
    epoch: u64,
    /// The root secret it comes from: 0 for the current one, the only one whose keys sign.
    root: usize,
}

/// The ring at some time: the key that signs, the keys that verify, and their JWKS.
pub(crate) struct Window {
    epoch: u64,
    /// Unix seconds from which the window is stale: the next epoch, or the retirement of the previous epoch's key.
    valid_until: u64,
    signing: Arc<SigningKey>,
    verifying: Vec<Arc<SigningKey>>,
    jwks: String,
}

impl Keys {
    /// The keys of `secret` and of the `previous` secrets, `now` (Unix seconds).
    pub(crate) fn new(
        secret: &[u8],
        previous: &[impl AsRef<[u8]>],
        rotation: Rotation,
        access_lifetime: u64,
        now: u64,
    ) -> Self {
        let roots: Vec<Root> = std::iter::once(secret)
            .chain(previous.iter().map(AsRef::as_ref))
            .map(Root::of)
            .collect();
        let window = Window::build(&roots, rotation, access_lifetime, now, None);
        Self {
            roots,
            rotation,
            access_lifetime,
            window: RwLock::new(Arc::new(window)),
        }
    }

    /// The key that seals new refresh tokens.
    pub(crate) fn refresh(&self) -> &Signer {
        &self.roots[0].refresh
    }

    /// Every key a refresh token may be sealed with: the current root's, the previous roots', and the legacy ones.
    pub(crate) fn refresh_openers(&self) -> impl Iterator<Item = &Signer> {
        self.roots
            .iter()
            .map(|root| &root.refresh)
            .chain(self.roots.iter().map(|root| &root.legacy_refresh))
    }

    /// The key anti-CSRF tokens are derived with.
    pub(crate) fn anti_csrf(&self) -> &Signer {
        &self.roots[0].anti_csrf
    }

    /// The HMAC keys of access tokens in the recipe's format before the key ring.
    pub(crate) fn legacy_access(&self) -> impl Iterator<Item = &Signer> {
        self.roots.iter().map(|root| &root.legacy_access)
    }

    /// The ring at `now` (Unix seconds): rebuilt only when an epoch starts or a key retires, reusing the keys it
    /// already derived.
    pub(crate) fn window(&self, now: u64) -> Arc<Window> {
        {
            let window = self
                .window
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if window.holds_at(now, self.rotation) {
                return Arc::clone(&window);
            }
        }
        let mut window = self
            .window
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Another request may have rebuilt it while this one waited.
        if !window.holds_at(now, self.rotation) {
            *window = Arc::new(Window::build(
                &self.roots,
                self.rotation,
                self.access_lifetime,
                now,
                Some(&window),
            ));
        }
        Arc::clone(&window)
    }
}

impl Root {
    fn of(secret: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), secret);
        let sub_key = |purpose: &[u8]| {
            let mut key = [0; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 255 blocks, so expanding cannot fail.
            hkdf.expand(purpose, &mut key)
                .expect("32 bytes is a valid HKDF-SHA256 output length");
            Signer::new_from_slice(&key).expect("HMAC takes keys of any length")
        };
        let refresh = sub_key(b"refresh-token sealing key v1");
        let anti_csrf = sub_key(b"anti-csrf key v1");
        let legacy_access = Signer::new_from_slice(secret).expect("HMAC takes keys of any length");
        let mut derive = legacy_access.clone();
        derive.update(b"errorhandler session refresh-token key v1");
        let legacy_refresh = Signer::new_from_slice(&derive.finalize().into_bytes())
            .expect("HMAC takes keys of any length");
        Self {
            hkdf,
            refresh,
            anti_csrf,
            legacy_access,
            legacy_refresh,
        }
    }

    /// The signing key of `epoch`: a P-256 scalar expanded from the secret, the first of a counter's candidates
    /// that is a valid scalar (all but one in 2^32 are).
    fn signing_key(&self, epoch: u64, root: usize) -> SigningKey {
        let mut counter: u32 = 0;
        loop {
            let mut info = Vec::with_capacity(64);
            info.extend_from_slice(b"access-token signing key v1\0");
            info.extend_from_slice(&epoch.to_be_bytes());
            info.extend_from_slice(&counter.to_be_bytes());
            let mut scalar = [0; 32];
            self.hkdf
                .expand(&info, &mut scalar)
                .expect("32 bytes is a valid HKDF-SHA256 output length");
            if let Ok(secret) = p256::SecretKey::from_slice(&scalar) {
                let public = secret.public_key().to_sec1_point(false).as_bytes().to_vec();
                // The pair checks that the public point is the scalar's: it is, as computed just above.
                let pair = EcdsaKeyPair::from_private_key_and_public_key(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    &scalar,
                    &public,
                    &SystemRandom::new(),
                )
                .expect("a P-256 scalar and its own public point make a key pair");
                return SigningKey::new(pair, public, epoch, root);
            }
            counter += 1;
        }
    }
}

impl SigningKey {
    fn new(pair: EcdsaKeyPair, public: Vec<u8>, epoch: u64, root: usize) -> Self {
        // The kid names the key by its public point, so that keys of two secrets never share one.
        let digest = Sha256::digest(&public);
        let kid = format!("es256-{}", URL_SAFE_NO_PAD.encode(&digest[..12]));
        let header = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"ES256","kid":"{kid}","typ":"JWT","version":"3"}}"#
        ));
        Self {
            kid,
            header,
            pair,
            public,
            epoch,
            root,
        }
    }

    /// The JWS header of the tokens it signs, base64url-encoded.
    pub(crate) fn header(&self) -> &str {
        &self.header
    }

    /// The ES256 signature of `message`: `r || s`, 64 bytes, as JWS has it.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        Ok(self
            .pair
            .sign(&SystemRandom::new(), message)?
            .as_ref()
            .to_vec())
    }

    /// Whether `signature` is its ES256 signature of `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.public)
            .verify(message, signature)
            .is_ok()
    }

    /// Its JWK: `kty`, `crv`, `x`, `y`, `kid`, `alg`, `use`.
    fn write_jwk(&self, out: &mut String) {
        let (x, y) = self.public[1..].split_at(32);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}","kid":"{}","alg":"ES256","use":"sig"}}"#,
            URL_SAFE_NO_PAD.encode(x),
            URL_SAFE_NO_PAD.encode(y),
            self.kid
        );
    }
}

impl Window {
    /// The ring at `now`, reusing the keys of `previous` where it has them.
    fn build(
        roots: &[Root],
        rotation: Rotation,
        access_lifetime: u64,
        now: u64,
        previous: Option<&Window>,
    ) -> Self {
        let (epoch, epochs, valid_until) = match rotation {
            Rotation::Static => (0, vec![0], u64::MAX),
            Rotation::Every(interval) => {
                let epoch = now / interval;
                let start = epoch * interval;
                // The previous epoch's last token expires one access-token lifetime after the epoch ends.
                let retires = start.saturating_add(access_lifetime);
                let mut epochs = Vec::with_capacity(3);
                if epoch > 0 && now < retires {
                    epochs.push(epoch - 1);
                }
                epochs.extend([epoch, epoch + 1]);
                let next_epoch = start.saturating_add(interval);
                let valid_until = if now < retires {
                    retires.min(next_epoch)
                } else {
                    next_epoch
                };
                (epoch, epochs, valid_until)
            }
        };
        // Deriving a key takes a scalar multiplication: those of the previous window are kept.
        let reuse = |root: usize, epoch: u64| {
            previous.and_then(|window| {
                window
                    .verifying
                    .iter()
                    .find(|key| key.epoch == epoch && key.root == root)
                    .cloned()
            })
        };
        let mut verifying = Vec::new();
        for (index, root) in roots.iter().enumerate() {
            for &key_epoch in &epochs {
                // A previous root signed nothing after the current one took over: no key of a later epoch.
                if index > 0 && key_epoch > epoch {
                    continue;
                }
                let key = reuse(index, key_epoch)
                    .unwrap_or_else(|| Arc::new(root.signing_key(key_epoch, index)));
                verifying.push(key);
            }
        }
        let signing = verifying
            .iter()
            .find(|key| key.root == 0 && key.epoch == epoch)
            .cloned()
            .expect("the current root has a key of the current epoch");
        let mut jwks = String::from(r#"{"keys":["#);
        for (index, key) in verifying.iter().enumerate() {
            if index > 0 {
                jwks.push(',');
            }
            key.write_jwk(&mut jwks);
        }
        jwks.push_str("]}");
        Self {
            epoch,
            valid_until,
            signing,
            verifying,
            jwks,
        }
    }

    /// Whether it is the ring at `now`: from the start of its epoch until it is stale (a clock set back, as tests
    /// do, rebuilds it too).
    fn holds_at(&self, now: u64, rotation: Rotation) -> bool {
        let start = match rotation {
            Rotation::Static => 0,
            Rotation::Every(interval) => self.epoch * interval,
        };
        (start..self.valid_until).contains(&now)
    }

    /// The key that signs access tokens now.
    pub(crate) fn signing(&self) -> &SigningKey {
        &self.signing
    }

    /// The key named `kid`, if it verifies now.
    pub(crate) fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.verifying
            .iter()
            .find(|key| key.kid == kid)
            .map(Arc::as_ref)
    }

    /// The public keys, as a JWKS document.
    pub(crate) fn jwks(&self) -> &str {
        &self.jwks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600;
    const WEEK: u64 = 168 * HOUR;

    fn keys(rotation: Rotation, now: u64) -> Keys {
        Keys::new(
            b"a root secret of thirty-two bytes!",
            &[] as &[&[u8]],
            rotation,
            HOUR,
            now,
        )
    }

    fn kids(window: &Window) -> Vec<String> {
        window.verifying.iter().map(|key| key.kid.clone()).collect()
    }

    #[test]
    fn one_secret_gives_one_ring_on_every_instance_and_another_secret_another() {
        let now = 10 * WEEK + 5;
        let a = keys(Rotation::Every(WEEK), now);
        let b = keys(Rotation::Every(WEEK), now);
        assert_eq!(kids(&a.window(now)), kids(&b.window(now)));
        let other = Keys::new(
            b"another root secret, 32 bytes long",
            &[] as &[&[u8]],
            Rotation::Every(WEEK),
            HOUR,
            now,
        );
        let theirs = kids(&other.window(now));
        assert!(kids(&a.window(now)).iter().all(|kid| !theirs.contains(kid)));
    }

    #[test]
    fn the_next_key_is_published_an_interval_ahead_and_the_previous_one_retires_after_its_last_token()
     {
        let start = 10 * WEEK;
        let keys = keys(Rotation::Every(WEEK), start);
        // Just after the rotation: previous (its tokens live an hour more), current, next.
        let early = keys.window(start + 5);
        assert_eq!(early.verifying.len(), 3);
        let (previous, current, next) = (
            early.verifying[0].kid.clone(),
            early.signing.kid.clone(),
            early.verifying[2].kid.clone(),
        );
        assert_eq!(early.verifying[1].kid, current);
        // The previous key's last token expired: it no longer verifies.
        let later = keys.window(start + HOUR);
        assert_eq!(kids(&later), [current.clone(), next.clone()]);
        assert!(later.find(&previous).is_none());
        assert!(!later.jwks().contains(&previous));
        // The next epoch: the key published a week ago signs.
        let rotated = keys.window(start + WEEK);
        assert_eq!(rotated.signing.kid, next);
        assert!(
            rotated.find(&current).is_some(),
            "the last tokens of the previous key still verify"
        );
    }

    #[test]
    fn a_static_key_never_changes() {
        let keys = keys(Rotation::Static, 0);
        let first = keys.window(0).signing.kid.clone();
        assert_eq!(keys.window(100 * WEEK).signing.kid, first);
        assert_eq!(kids(&keys.window(100 * WEEK)), [first]);
    }

    #[test]
    fn a_previous_secret_verifies_but_signs_nothing() {
        let now = 10 * WEEK + 5;
        let old = keys(Rotation::Every(WEEK), now);
        let old_current = old.window(now).signing.kid.clone();
        let replaced = Keys::new(
            b"the new root secret of 32 bytes!!",
            &[b"a root secret of thirty-two bytes!".to_vec()],
            Rotation::Every(WEEK),
            HOUR,
            now,
        );
        let window = replaced.window(now);
        assert_ne!(window.signing.kid, old_current);
        assert!(window.find(&old_current).is_some());
        // Refresh tokens sealed with the old secret still open.
        assert_eq!(replaced.refresh_openers().count(), 4);
    }

    #[test]
    fn signatures_verify_with_their_key_only() {
        let keys = keys(Rotation::Every(WEEK), 10 * WEEK);
        let window = keys.window(10 * WEEK);
        let signature = window.signing.sign(b"message").unwrap();
        assert_eq!(signature.len(), 64);
        assert!(window.signing.verify(b"message", &signature));
        assert!(!window.signing.verify(b"massage", &signature));
        let next = window.verifying.last().unwrap();
        assert!(!next.verify(b"message", &signature));
    }
}
