//! The request head a handler set's extractors read, and which parts of it a set reads.

use std::sync::Arc;

use http::request::Parts;

/// The request head a handler's extractors read, and the set's state.
pub struct RequestHead<S> {
    pub(crate) parts: Parts,
    pub(crate) state: Arc<S>,
}

impl<S> RequestHead<S> {
    /// The request head and state, for a handler's extractors.
    pub fn into_parts(self) -> (Parts, Arc<S>) {
        (self.parts, self.state)
    }
}

/// The parts of a request head that a set's extractors read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadParts {
    /// The method.
    pub method: bool,
    /// The URI.
    pub uri: bool,
    /// The HTTP version.
    pub version: bool,
    /// The headers.
    pub headers: bool,
    /// The extensions.
    pub extensions: bool,
}

impl HeadParts {
    /// Every part: what an extractor this crate does not know may read.
    pub const ALL: Self = Self {
        method: true,
        uri: true,
        version: true,
        headers: true,
        extensions: true,
    };

    /// No part.
    pub const NONE: Self = Self {
        method: false,
        uri: false,
        version: false,
        headers: false,
        extensions: false,
    };

    /// The parts either reads.
    pub const fn union(self, other: Self) -> Self {
        Self {
            method: self.method || other.method,
            uri: self.uri || other.uri,
            version: self.version || other.version,
            headers: self.headers || other.headers,
            extensions: self.extensions || other.extensions,
        }
    }
}
