//! What `abort!` and `#[errorhandler::status]` expand to.

use std::fmt;

use http::StatusCode;

use crate::http_error::HttpError;

/// `abort!`'s expansion: the code was checked to be in 400..=599 by the macro.
pub fn abort_with(code: u16, description: Option<fmt::Arguments<'_>>) -> HttpError {
    let error =
        HttpError::new(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    match description {
        None => error,
        Some(description) => match description.as_str() {
            Some(text) => error.with_description(text),
            None => error.with_description(description.to_string()),
        },
    }
}

/// The status of `#[errorhandler::status(code)]`: the macro checked the code to be in 400..=599.
pub fn declared_status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
