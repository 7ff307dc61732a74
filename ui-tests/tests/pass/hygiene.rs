//! Handlers may carry any name, including the names of the generated code's own variables, and traits in
//! scope with methods of any name leave the generated code alone.
#![deny(warnings, unused_qualifications, non_snake_case)]

use axum::http::Uri;
use errorhandler::{errorhandler, HttpError};

#[derive(Debug, thiserror::Error)]
#[error("cheese")]
pub struct CheeseError;

/// A blanket trait whose methods share names with what the generated code calls.
pub trait Everywhere {
    fn key(&self) -> u8 {
        0
    }
    fn matches(&self, _: u8) -> bool {
        true
    }
}

impl<T: ?Sized> Everywhere for T {}

fn handler(e: &HttpError) -> String {
    e.to_string()
}

fn cause(e: &CheeseError, uri: Uri) -> String {
    format!("{uri}: {e}")
}

fn depth(e: HttpError) -> String {
    e.to_string()
}

errorhandler! {
    pub struct SiteErrors;

    404 => handler;
    CheeseError => cause;
    405 => depth;

    #[errorhandler(500)]
    fn error(error: &HttpError, head: Uri) -> String {
        format!("{head}: {error}")
    }

    #[errorhandler(4xx)]
    fn key(key: &HttpError) -> String {
        key.to_string()
    }

    #[errorhandler(default)]
    async fn status(status: HttpError, state: Uri, parts: Uri, held: Uri) -> String {
        format!("{status} {state} {parts} {held}")
    }
}

fn main() {
    let _app: axum::Router = axum::Router::new().layer(SiteErrors::layer());
}
