//! What the layer catches that is not an error value of the route's: a panic, the body of a 5xx response.

use std::any::Any;

/// A panic caught in a route, handled as a 500; its message reaches the handlers, never the client.
#[derive(Debug, thiserror::Error)]
#[error("the route panicked: {message}")]
pub struct Panic {
    message: String,
}

/// The text body of a 5xx response that carried no error value; kept for the handlers, never sent on.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ErrorBody(pub String);

impl Panic {
    /// The panic's message, or a placeholder when the payload was not a string.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(message) => *message,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(message) => (*message).to_owned(),
                Err(_) => "Box<dyn Any>".to_owned(),
            },
        };
        Self { message }
    }
}
