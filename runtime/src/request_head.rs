//! The copy the layer keeps of a request's head while the route runs: what the built-in page is negotiated from,
//! and the parts the set's extractors read.

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderValue, Request, header};

use crate::__private::{HeadParts, RequestHead};

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
