//! The request head a handler set's extractors read: which parts a set reads, and the copy the layer keeps of
//! them while the route runs.

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderValue, Request, header};

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

/// What the layer keeps of a request until its response is known.
pub(crate) struct RequestContext<S> {
    /// What the built-in page is negotiated from.
    pub(crate) accept: Option<HeaderValue>,
    // Boxed: the response future of a set that reads no head (most sets) stays small, so moving it is cheap.
    pub(crate) head: Option<Box<RequestHead<S>>>,
}

impl<S> RequestContext<S> {
    /// Keeps what a set reads of `request`: the `wanted` parts of its head, if any, with the set's `state`.
    pub(crate) fn capture<B>(
        request: &Request<B>,
        state: &Arc<S>,
        wanted: Option<HeadParts>,
    ) -> Self {
        let accept = request.headers().get(header::ACCEPT).cloned();
        let head = wanted.map(|wanted| {
            Box::new(RequestHead {
                parts: snapshot(request, wanted),
                state: Arc::clone(state),
            })
        });
        Self { accept, head }
    }
}

/// A copy of the parts of `request`'s head that the handlers read; the others are left empty.
fn snapshot<B>(request: &Request<B>, wanted: HeadParts) -> Parts {
    let (mut parts, ()) = Request::new(()).into_parts();
    if wanted.method {
        parts.method = request.method().clone();
    }
    if wanted.uri {
        parts.uri = request.uri().clone();
    }
    if wanted.version {
        parts.version = request.version();
    }
    if wanted.headers {
        parts.headers = request.headers().clone();
    }
    if wanted.extensions {
        parts.extensions = request.extensions().clone();
    }
    parts
}
