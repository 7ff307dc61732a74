//! The access-token payload: the app's claims beside the recipe's, replaced or merged within a request, or merged
//! offline by session handle (supertokens-node's `mergeIntoAccessTokenPayload`).
//!
//! The recipe's own keys (`sub`, `exp`, `iat`, `sessionHandle`, `refreshTokenHash1`, `parentRefreshTokenHash1`,
//! `antiCsrfToken`, `iss`, and SuperTokens' `tId`, `rsub` and `stt`) are dropped from any payload an app gives,
//! as supertokens-node drops its `protectedProps`: an app can neither read a forged one back nor break the
//! token's format.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::cookies::SessionTokens;
use super::error::{SessionError, SessionFailure, SessionLimitError};
use super::extract::Session;
use super::store::Change;
use super::tokens::{self, AccessClaims};
use super::transfer;
use super::{Sessions, TokenHash};

impl Session {
    /// Replaces the app's claims, in the store and in a new access token; return the cookies (or, in header
    /// mode, the token header) with the response, which also carry the new `front-token`.
    ///
    /// A payload that is not a JSON object (or `null`, for none), or that would make the access token longer than
    /// the recipe accepts back (16 KiB), fails with a [`SessionLimitError`] before anything is written, and the
    /// session keeps its payload.
    pub async fn update_payload(
        &mut self,
        payload: Value,
    ) -> Result<SessionTokens, SessionFailure> {
        let payload = tokens::app_claims(payload).map_err(|message| {
            SessionLimitError(format!("the payload was not updated: {message}"))
        })?;
        self.replace_payload(Value::Object(payload)).await
    }

    /// Merges `update` into the app's claims, as supertokens-node's `mergeIntoAccessTokenPayload`: its keys
    /// replace the payload's, and a key set to `null` is removed. As [`update_payload`](Self::update_payload)
    /// otherwise.
    pub async fn merge_into_payload(
        &mut self,
        update: Value,
    ) -> Result<SessionTokens, SessionFailure> {
        let payload = merged(&self.claims.payload, update).map_err(|message| {
            SessionLimitError(format!("the payload was not updated: {message}"))
        })?;
        self.replace_payload(payload).await
    }

    async fn replace_payload(&mut self, payload: Value) -> Result<SessionTokens, SessionFailure> {
        let config = self.sessions.config();
        let now = config.inner.now();
        let mut claims = AccessClaims::clone(&self.claims);
        claims.payload = payload;
        let token = self.sessions.sign_access_token(&claims)?;
        // Before the store is written: a payload whose access token the recipe refuses would end the session.
        if let Some(message) = tokens::refused_back(&token, &claims.user_id, &claims.payload) {
            return Err(
                SessionLimitError(format!("the payload was not updated: {message}")).into(),
            );
        }
        let updated = self
            .sessions
            .store()
            .update(&claims.session_handle, now, |record| {
                record.payload = claims.payload.clone();
                Change::Write(())
            })
            .await?;
        if updated.is_none() {
            return Err(SessionError::unauthorised(
                config,
                "the session was revoked or has expired",
                true,
            )
            .into());
        }
        self.claims = Arc::new(claims);
        Ok(transfer::issue(
            &config.inner,
            self.transfer,
            &token,
            None,
            &self.claims,
        ))
    }
}

impl Sessions {
    /// Merges `update` into the app's claims of the session `handle`, outside any request of it (an admin
    /// changing a user's roles, say): its keys replace the payload's and a key set to `null` is removed, as
    /// supertokens-node's `mergeIntoAccessTokenPayload(sessionHandle, ..)` does. Whether the session was live.
    ///
    /// The client sees the new payload with the next access token the session mints, at its next refresh (its
    /// current access token is trusted until it expires). An update that is not a JSON object, or that would
    /// make the session's access tokens longer than the recipe accepts back, fails with a
    /// [`SessionLimitError`] and changes nothing.
    pub async fn merge_into_access_token_payload(
        &self,
        handle: &str,
        update: Value,
    ) -> Result<bool, SessionFailure> {
        let config = &self.config().inner;
        let now = config.now();
        let updated = self
            .store()
            .update(handle, now, |record| {
                let payload = match merged(&record.payload, update.clone()) {
                    Ok(payload) => payload,
                    Err(message) => return Change::Keep(Err(message.to_owned())),
                };
                // The longest access token this payload gives: as a refresh would mint it.
                let claims = AccessClaims {
                    user_id: record.user_id.clone(),
                    exp: now.saturating_add(config.access_lifetime),
                    iat: now,
                    session_handle: record.handle.clone(),
                    refresh_hash: TokenHash::from_bytes([0; 32]),
                    parent_hash: None,
                    anti_csrf_token: Some(String::new()),
                    issuer: config.issuer.clone(),
                    payload,
                };
                let token = match self.sign_access_token(&claims) {
                    Ok(token) => token,
                    Err(error) => return Change::Keep(Err(error.to_string())),
                };
                if let Some(message) =
                    tokens::refused_back(&token, &claims.user_id, &claims.payload)
                {
                    return Change::Keep(Err(message));
                }
                record.payload = claims.payload;
                Change::Write(Ok(()))
            })
            .await?;
        match updated {
            None => Ok(false),
            Some((Ok(()), _)) => Ok(true),
            Some((Err(message), _)) => Err(SessionLimitError(format!(
                "the payload of session {handle} was not updated: {message}"
            ))
            .into()),
        }
    }
}

/// `current` (an object of app claims) with `update` merged in: its keys replace, `null` removes, the recipe's
/// keys are dropped.
fn merged(current: &Value, update: Value) -> Result<Value, &'static str> {
    let update = tokens::app_claims(update)?;
    let mut payload = current.as_object().cloned().unwrap_or_else(Map::new);
    for (key, value) in update {
        if value.is_null() {
            payload.remove(&key);
        } else {
            payload.insert(key, value);
        }
    }
    Ok(Value::Object(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_replaces_keys_removes_nulls_and_drops_the_recipes_keys() {
        let current = serde_json::json!({ "role": "user", "theme": "dark" });
        let update =
            serde_json::json!({ "role": "admin", "theme": null, "plan": "pro", "sub": "mallory" });
        assert_eq!(
            merged(&current, update).unwrap(),
            serde_json::json!({ "role": "admin", "plan": "pro" })
        );
        assert!(merged(&current, serde_json::json!([1])).is_err());
        assert_eq!(merged(&current, Value::Null).unwrap(), current);
    }
}
