//! Claim validators: checks of the access-token payload that a route can require.

use std::time::Duration;

use serde_json::{Value, json};

/// A check of one claim of the access-token payload, identified by the claim's `id`.
///
/// A failed check may give the reason the client sees in `claimValidationErrors`, as SuperTokens words it
/// (`{"id":"st-ev","reason":{"message":"wrong value","expectedValue":true,"actualValue":false}}`), or none, as
/// a SuperTokens validator returning `{ isValid: false }` does: its entry is then `{"id":"st-ev"}`, without a
/// `reason` key.
///
/// ```
/// use errorhandler::session::ClaimValidator;
/// use serde_json::Value;
///
/// /// Passes for payloads that say `"beta": true`, and says nothing more when it fails.
/// struct Beta;
///
/// impl ClaimValidator for Beta {
///     fn id(&self) -> &str {
///         "beta"
///     }
///
///     fn validate(&self, payload: &Value, _now: u64) -> Result<(), Option<Value>> {
///         if payload["beta"] == true { Ok(()) } else { Err(None) }
///     }
/// }
/// ```
pub trait ClaimValidator: Send + Sync {
    /// The claim's id: the key of the payload it reads.
    fn id(&self) -> &str;

    /// Checks `payload` at `now` (Unix seconds): `Err(Some(reason))` fails with the reason the client sees,
    /// `Err(None)` fails without one.
    fn validate(&self, payload: &Value, now: u64) -> Result<(), Option<Value>>;
}

/// Requires the payload's boolean claim `id` to have a value, `true` unless told otherwise.
///
/// ```
/// use errorhandler::session::BooleanClaim;
/// let email_verified = BooleanClaim::new("st-ev");
/// let not_banned = BooleanClaim::new("banned").has_value(false);
/// ```
#[derive(Debug, Clone)]
pub struct BooleanClaim {
    id: String,
    expected: bool,
}

/// Requires the payload's list claim `id` to include some roles.
///
/// ```
/// use errorhandler::session::RoleClaim;
/// let admin = RoleClaim::new("st-role").includes("admin");
/// ```
#[derive(Debug, Clone)]
pub struct RoleClaim {
    id: String,
    required: Vec<String>,
}

/// Requires the payload's timestamp claim `id` (Unix seconds) to be at most `max_age` old, such as the time
/// of the last sign-in for a sensitive action.
#[derive(Debug, Clone)]
pub struct MaxAgeClaim {
    id: String,
    max_age: Duration,
}

impl BooleanClaim {
    /// Requires `payload[id] == true`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            expected: true,
        }
    }

    /// Requires `payload[id] == expected` instead.
    pub fn has_value(mut self, expected: bool) -> Self {
        self.expected = expected;
        self
    }
}

impl ClaimValidator for BooleanClaim {
    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self, payload: &Value, _now: u64) -> Result<(), Option<Value>> {
        match payload.get(&self.id) {
            Some(Value::Bool(actual)) if *actual == self.expected => Ok(()),
            // SuperTokens' `PrimitiveClaim.validators.hasValue`: the expected value, and `null` for the actual.
            None | Some(Value::Null) => Err(Some(json!({
                "message": "value does not exist",
                "expectedValue": self.expected,
                "actualValue": null,
            }))),
            Some(actual) => Err(Some(json!({
                "message": "wrong value",
                "expectedValue": self.expected,
                "actualValue": actual,
            }))),
        }
    }
}

impl RoleClaim {
    /// A claim read from `payload[id]`, a list of strings; require roles with [`includes`](Self::includes).
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            required: Vec::new(),
        }
    }

    /// Also requires `role`.
    pub fn includes(mut self, role: impl Into<String>) -> Self {
        self.required.push(role.into());
        self
    }
}

impl ClaimValidator for RoleClaim {
    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self, payload: &Value, _now: u64) -> Result<(), Option<Value>> {
        // SuperTokens' `PrimitiveArrayClaim.validators.includes` names the first role it looks for.
        let first = self.required.first();
        let actual = match payload.get(&self.id) {
            None | Some(Value::Null) => {
                return Err(Some(json!({
                    "message": "value does not exist",
                    "expectedToInclude": first,
                    "actualValue": null,
                })));
            }
            Some(Value::Array(actual)) => actual,
            Some(other) => {
                return Err(Some(json!({
                    "message": "wrong value",
                    "expectedToInclude": first,
                    "actualValue": other,
                })));
            }
        };
        match self.required.iter().find(|role| {
            !actual
                .iter()
                .any(|held| held.as_str() == Some(role.as_str()))
        }) {
            None => Ok(()),
            Some(role) => Err(Some(json!({
                "message": "wrong value",
                "expectedToInclude": role,
                "actualValue": actual,
            }))),
        }
    }
}

impl MaxAgeClaim {
    /// Requires `payload[id]`, Unix seconds, to be no older than `max_age`.
    pub fn new(id: impl Into<String>, max_age: Duration) -> Self {
        Self {
            id: id.into(),
            max_age,
        }
    }
}

impl ClaimValidator for MaxAgeClaim {
    fn id(&self) -> &str {
        &self.id
    }

    fn validate(&self, payload: &Value, now: u64) -> Result<(), Option<Value>> {
        let Some(at) = payload.get(&self.id).and_then(Value::as_u64) else {
            return Err(Some(json!({
                "message": "value does not exist",
                "maxAgeInSeconds": self.max_age.as_secs(),
                "actualValue": payload.get(&self.id),
            })));
        };
        let age = now.saturating_sub(at);
        if age <= self.max_age.as_secs() {
            Ok(())
        } else {
            Err(Some(json!({
                "message": "expired",
                "ageInSeconds": age,
                "maxAgeInSeconds": self.max_age.as_secs(),
            })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_claims_check_the_value() {
        let claim = BooleanClaim::new("st-ev");
        assert!(claim.validate(&json!({ "st-ev": true }), 0).is_ok());
        assert_eq!(
            claim.validate(&json!({ "st-ev": false }), 0).unwrap_err(),
            Some(json!({ "message": "wrong value", "expectedValue": true, "actualValue": false }))
        );
        // supertokens-python tests/sessions/claims/test_verify_session.py expects exactly this.
        assert_eq!(
            claim.validate(&json!({}), 0).unwrap_err(),
            Some(
                json!({ "message": "value does not exist", "expectedValue": true, "actualValue": null })
            )
        );
        assert!(
            BooleanClaim::new("banned")
                .has_value(false)
                .validate(&json!({ "banned": false }), 0)
                .is_ok()
        );
    }

    #[test]
    fn role_claims_need_every_role() {
        let claim = RoleClaim::new("roles").includes("admin").includes("ops");
        assert!(
            claim
                .validate(&json!({ "roles": ["ops", "admin"] }), 0)
                .is_ok()
        );
        assert_eq!(
            claim
                .validate(&json!({ "roles": ["admin"] }), 0)
                .unwrap_err(),
            Some(
                json!({ "message": "wrong value", "expectedToInclude": "ops", "actualValue": ["admin"] })
            )
        );
        assert!(claim.validate(&json!({ "roles": "admin" }), 0).is_err());
        assert_eq!(
            claim.validate(&json!(null), 0).unwrap_err(),
            Some(
                json!({ "message": "value does not exist", "expectedToInclude": "admin", "actualValue": null })
            )
        );
    }

    #[test]
    fn max_age_claims_compare_with_now() {
        let claim = MaxAgeClaim::new("auth_time", Duration::from_secs(300));
        assert!(
            claim
                .validate(&json!({ "auth_time": 1_000 }), 1_300)
                .is_ok()
        );
        assert_eq!(
            claim
                .validate(&json!({ "auth_time": 1_000 }), 1_301)
                .unwrap_err(),
            Some(json!({ "message": "expired", "ageInSeconds": 301, "maxAgeInSeconds": 300 }))
        );
        assert!(
            claim
                .validate(&json!({ "auth_time": "yesterday" }), 0)
                .is_err()
        );
    }
}
