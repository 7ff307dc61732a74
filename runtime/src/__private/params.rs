//! A handler's parameters: the error parameter, and the extractors of the request head.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::keys::ErrorKey;
use crate::error::Error;

/// The error parameter a handler declares, checked against the error its key delivers.
#[diagnostic::on_unimplemented(
    message = "this error handler's error parameter must be `&{Expected}` or `{Expected}`, not `{Self}`",
    label = "expected `{Expected}`",
    note = "the error parameter comes first and may be left out; the other parameters are extractors"
)]
pub trait ErrorParam<Expected> {
    fn from_ref(error: &Expected) -> &Self;
    fn from_owned(error: Expected) -> Self
    where
        Self: Sized;
}

impl<E> ErrorParam<E> for E {
    fn from_ref(error: &E) -> &E {
        error
    }
    fn from_owned(error: E) -> E {
        error
    }
}

/// Keeps the error for a handler that borrows it; `None` when the key does not match it.
pub fn hold_error<K: ErrorKey>(_key: K, error: Error) -> Option<K::Held> {
    K::hold(error)
}

/// The error parameter borrowed from what the handler's future holds.
///
/// `Expected` is the key's parameter type, spelled out by the macro so that a wrong parameter type is
/// reported as such under the parameter rather than as a mismatch somewhere in the expansion.
pub fn borrow_error<K, Expected, P>(_key: K, held: &K::Held) -> Option<&P>
where
    K: ErrorKey<Param = Expected>,
    Expected: 'static,
    P: ErrorParam<Expected> + ?Sized,
{
    K::borrow(held).map(P::from_ref)
}

/// The error parameter by value; `None` when the key does not match the error.
pub fn take_error<K: ErrorKey<Param = Expected>, Expected, P: ErrorParam<Expected>>(
    _key: K,
    error: Error,
) -> Option<P> {
    K::take(error).map(P::from_owned)
}

/// A parameter of an error handler other than the error: an extractor of the request head.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a parameter of an error handler: it is not an extractor of the request head",
    label = "not a `FromRequestParts` extractor",
    note = "error handlers run after the request body is gone; they take extractors of the request head such as `Method`, `Uri`, `HeaderMap`, `State<S>` or `Extension<T>`"
)]
pub trait HeadExtractor<S>: Sized + Send {
    fn extract(parts: &mut Parts, state: &S) -> impl Future<Output = Option<Self>> + Send;
}

impl<S: Send + Sync, T: FromRequestParts<S> + Send> HeadExtractor<S> for T {
    async fn extract(parts: &mut Parts, state: &S) -> Option<T> {
        T::from_request_parts(parts, state).await.ok()
    }
}

/// Which parts of the request head the extractor `T` reads: exact for axum's own head extractors (inherent
/// `reads` methods, which method resolution prefers), all of them for any other ([`ReadsAnyPart`]).
pub struct HeadProbe<T>(PhantomData<fn() -> T>);

impl<T> HeadProbe<T> {
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for HeadProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The fallback of [`HeadProbe::reads`]: an extractor this crate does not know may read any part.
pub trait ReadsAnyPart {
    fn reads(&self) -> crate::__private::HeadParts {
        crate::__private::HeadParts::ALL
    }
}

impl<T> ReadsAnyPart for HeadProbe<T> {}

macro_rules! reads {
    ($($ty:ty => $($part:ident),*;)*) => {$(
        impl HeadProbe<$ty> {
            pub const fn reads(&self) -> crate::__private::HeadParts {
                crate::__private::HeadParts { $($part: true,)* ..crate::__private::HeadParts::NONE }
            }
        }
    )*};
}

reads! {
    http::Method => method;
    http::Uri => uri;
    http::Version => version;
    http::HeaderMap => headers;
}

impl<S> HeadProbe<axum::extract::State<S>> {
    pub const fn reads(&self) -> crate::__private::HeadParts {
        crate::__private::HeadParts::NONE
    }
}

impl<T> HeadProbe<axum::Extension<T>> {
    pub const fn reads(&self) -> crate::__private::HeadParts {
        crate::__private::HeadParts {
            extensions: true,
            ..crate::__private::HeadParts::NONE
        }
    }
}

/// Runs the extractor of a declared handler's parameter; `None` when it rejects the request.
///
/// The future is boxed (on the error path only) so that a parameter that is not an extractor is reported once,
/// under the parameter, and not again where an opaque future is awaited.
pub fn extract_head<'a, T: HeadExtractor<S> + 'a, S: Send + Sync>(
    parts: &'a mut Parts,
    state: &'a S,
) -> Pin<Box<dyn Future<Output = Option<T>> + Send + 'a>> {
    Box::pin(T::extract(parts, state))
}

/// Runs an extractor on the request head and state; `None` when it rejects the request (or when the layer
/// kept no head, which the generated `needs_request_head` rules out).
pub(super) async fn extract<T: HeadExtractor<S>, S: Send + Sync>(
    head: &mut Option<(Parts, Arc<S>)>,
) -> Option<T> {
    let (parts, state) = head.as_mut()?;
    T::extract(parts, state).await
}

#[cfg(test)]
mod tests {
    use super::{HeadProbe, ReadsAnyPart as _};
    use crate::__private::HeadParts;

    struct OwnExtractor;

    #[test]
    fn axum_head_extractors_read_their_part_and_any_other_extractor_reads_all() {
        let uri_only = HeadParts {
            uri: true,
            ..HeadParts::NONE
        };
        assert_eq!(HeadProbe::<http::Uri>::new().reads(), uri_only);
        assert!(HeadProbe::<http::HeaderMap>::new().reads().headers);
        assert!(!HeadProbe::<http::HeaderMap>::new().reads().extensions);
        assert_eq!(
            HeadProbe::<axum::extract::State<u8>>::new().reads(),
            HeadParts::NONE
        );
        assert!(HeadProbe::<axum::Extension<u8>>::new().reads().extensions);
        assert_eq!(HeadProbe::<OwnExtractor>::new().reads(), HeadParts::ALL);
        assert_eq!(uri_only.union(HeadParts::NONE), uri_only);
    }
}
