//! Helpers of the code `errorhandler!` and `abort!` generate; not a public API.
//!
//! The traits here carry `#[diagnostic::on_unimplemented]` so that a type mistake in a handler is reported
//! under the user's own token with a sentence of explanation.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::IntoResponse;
use http::request::Parts;

pub use crate::error::Error;
pub use crate::error_status::{Declaration, Declared};
pub use crate::handlers::{ErrorHandlers, HandlerFuture, HandlerId, RequestHead};
pub use crate::http_error::HttpError;
pub use crate::layer::ErrorLayer;
pub use axum::response::Response;
pub use http::StatusCode;
pub use inventory;

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

/// How a key hands its error to a handler's error parameter.
pub trait ErrorKey: 'static {
    /// What the error parameter is (`HttpError` for status keys, `E` for type keys).
    type Param: 'static;
    /// What the handler's future keeps alive while the parameter is borrowed.
    type Held: Send + 'static;
    fn hold(error: Error) -> Result<Self::Held, Error>;
    fn borrow(held: &Self::Held) -> Option<&Self::Param>;
    fn release(held: Self::Held) -> Error;
    fn take(error: Error) -> Result<Self::Param, Error>;
}

/// The key of status-code, class and `default` handlers: they receive an `HttpError`.
#[derive(Clone, Copy)]
pub struct ByStatus;

/// The key of a handler registered for the error type `E`.
pub struct ByType<E>(std::marker::PhantomData<fn() -> E>);

impl<E> Clone for ByType<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for ByType<E> {}

/// The key of a handler registered for a type that is not an error type: it never receives an error.
///
/// `assert_error_type` already reports such a key under the user's token; standing in for `ByType<E>`
/// keeps the handler's own code from adding a second error about the same mistake.
pub struct NotAnErrorType<E>(std::marker::PhantomData<fn() -> E>);

impl<E> Clone for NotAnErrorType<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for NotAnErrorType<E> {}

impl ErrorKey for ByStatus {
    type Param = HttpError;
    type Held = HttpError;
    fn hold(error: Error) -> Result<HttpError, Error> {
        Ok(error.into_http_error())
    }
    fn borrow(held: &HttpError) -> Option<&HttpError> {
        Some(held)
    }
    fn release(held: HttpError) -> Error {
        Error::from(held)
    }
    fn take(error: Error) -> Result<HttpError, Error> {
        Ok(error.into_http_error())
    }
}

impl<E: StdError + Send + Sync + 'static> ErrorKey for ByType<E> {
    type Param = E;
    type Held = Error;
    fn hold(error: Error) -> Result<Error, Error> {
        if error.find::<E>().is_some() {
            Ok(error)
        } else {
            Err(error)
        }
    }
    fn borrow(held: &Error) -> Option<&E> {
        held.find::<E>()
    }
    fn release(held: Error) -> Error {
        held
    }
    fn take(error: Error) -> Result<E, Error> {
        error.downcast::<E>()
    }
}

impl<E: 'static> ErrorKey for NotAnErrorType<E> {
    type Param = E;
    type Held = Error;
    fn hold(error: Error) -> Result<Error, Error> {
        Err(error)
    }
    fn borrow(_held: &Error) -> Option<&E> {
        None
    }
    fn release(held: Error) -> Error {
        held
    }
    fn take(error: Error) -> Result<E, Error> {
        Err(error)
    }
}

impl<E: ErrorType> ByType<E> {
    /// Whether `cause` is an `E`; an owned parameter can only take the error value itself (depth 0).
    pub fn matches(self, cause: &(dyn StdError + 'static), depth: usize, owned: bool) -> bool {
        (depth == 0 || !owned) && cause.is::<E>()
    }
}

impl<E> NotAnErrorType<E> {
    /// Never: no error is of a type that is not an error type.
    pub fn matches(self, _cause: &(dyn StdError + 'static), _depth: usize, _owned: bool) -> bool {
        false
    }
}

/// Finds the key of a type key: `(&TypeProbe::<E>::new()).__errorhandler_key()`.
///
/// Method resolution picks [`KeyOfErrorType`] (`ByType<E>`) when `E` is an error type and falls back to
/// [`KeyOfOtherType`] (`NotAnErrorType<E>`) otherwise, so that a key that is not an error type gets the one
/// error `assert_error_type` reports under it, and none from the code that dispatches to its handler. The
/// method's name keeps a user's trait in scope from competing with it.
pub struct TypeProbe<E>(std::marker::PhantomData<fn() -> E>);

impl<E> TypeProbe<E> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

/// The key of an error type.
pub trait KeyOfErrorType<E> {
    fn __errorhandler_key(&self) -> ByType<E>;
}

impl<E: ErrorType> KeyOfErrorType<E> for TypeProbe<E> {
    fn __errorhandler_key(&self) -> ByType<E> {
        ByType(std::marker::PhantomData)
    }
}

/// The key of any other type, reached by method resolution only when `E` is not an error type.
pub trait KeyOfOtherType<E> {
    fn __errorhandler_key(&self) -> NotAnErrorType<E> {
        NotAnErrorType(std::marker::PhantomData)
    }
}

impl<E> KeyOfOtherType<E> for &TypeProbe<E> {}

/// A type a handler can be registered for.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an error handler key: it is not an error type that is `Send` and `Sync`",
    label = "not `std::error::Error + Send + Sync + 'static`",
    note = "a key is a status code in 400..=599, `4xx`, `5xx`, `default`, or a type that implements `std::error::Error + Send + Sync + 'static`"
)]
pub trait ErrorType: StdError + Send + Sync + 'static {}

// why: without it rustc reports each missing bound (`Send`, then `Sync`) as an error of its own
#[diagnostic::do_not_recommend]
impl<E: StdError + Send + Sync + 'static> ErrorType for E {}

pub const fn assert_error_type<E: ErrorType>() {}

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

/// Keeps the error for a handler that borrows it, or gives it back when the key does not match it.
pub fn hold_error<K: ErrorKey>(_key: K, error: Error) -> Result<K::Held, Error> {
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

/// The error a handler held, given back.
pub fn release_error<K: ErrorKey>(_key: K, held: K::Held) -> Error {
    K::release(held)
}

/// The error parameter by value.
pub fn take_error<K: ErrorKey<Param = Expected>, Expected, P: ErrorParam<Expected>>(
    _key: K,
    error: Error,
) -> Result<P, Error> {
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
pub struct HeadProbe<T>(std::marker::PhantomData<fn() -> T>);

impl<T> HeadProbe<T> {
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<T> Default for HeadProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The fallback of [`HeadProbe::reads`]: an extractor this crate does not know may read any part.
pub trait ReadsAnyPart {
    fn reads(&self) -> crate::HeadParts {
        crate::HeadParts::ALL
    }
}

impl<T> ReadsAnyPart for HeadProbe<T> {}

macro_rules! reads {
    ($($ty:ty => $($part:ident),*;)*) => {$(
        impl HeadProbe<$ty> {
            pub const fn reads(&self) -> crate::HeadParts {
                crate::HeadParts { $($part: true,)* ..crate::HeadParts::NONE }
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
    pub const fn reads(&self) -> crate::HeadParts {
        crate::HeadParts::NONE
    }
}

impl<T> HeadProbe<axum::Extension<T>> {
    pub const fn reads(&self) -> crate::HeadParts {
        crate::HeadParts {
            extensions: true,
            ..crate::HeadParts::NONE
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

/// Runs an extractor; `None` when it rejects the request (or when the layer kept no head, which the
/// generated `needs_request_head` rules out).
pub async fn extract<T: HeadExtractor<S>, S: Send + Sync>(
    parts: &mut Parts,
    state: &Option<Arc<S>>,
) -> Option<T> {
    T::extract(parts, state.as_deref()?).await
}

/// What an error handler returns; `Handler` is a marker named after the handler, for the message.
#[diagnostic::on_unimplemented(
    message = "error handler `{Handler}` must return a response, and `{Self}` is not one",
    label = "does not implement `IntoResponse`",
    note = "return `impl IntoResponse`: `Html<String>`, `Json<T>`, `(StatusCode, Json<T>)`, `Response`, ..."
)]
pub trait HandlerResponse<Handler> {
    fn into_handler_response(self) -> Response;
}

impl<R: IntoResponse, Handler> HandlerResponse<Handler> for R {
    fn into_handler_response(self) -> Response {
        self.into_response()
    }
}

pub fn respond<Handler, R: HandlerResponse<Handler>>(response: R) -> Response {
    response.into_handler_response()
}

/// An existing function registered with `key => path;`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be registered as an error handler for this key",
    label = "not an error handler",
    note = "an error handler is a `fn` or `async fn` that takes `&{Expected}` or `{Expected}` first (or not at all), then up to 8 extractors of the request head, and returns `impl IntoResponse`; one that takes `State<T>` needs the set's state declared: `#[errorhandler(state = T)] pub struct SiteErrors;`"
)]
pub trait ErrorHandlerFn<Expected, K, S, Marker>: Sized + Send + 'static {
    /// Whether the function takes the error by value, which only the error value itself can give.
    const TAKES_OWNED_ERROR: bool;
    /// Whether the function takes extractors, so the layer must keep a copy of the request head.
    const NEEDS_REQUEST_HEAD: bool;
    fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture;
}

/// A function registered with `key => path;`, checked once where it is named.
///
/// `select` and `call` both go through [`registered`], so a function that cannot handle its key is reported
/// once, under the user's path.
pub struct Registered<F, S> {
    handler: F,
    takes_owned_error: bool,
    needs_request_head: bool,
    call: fn(F, Error, RequestHead<S>) -> HandlerFuture,
}

pub fn registered<F, Expected, K, S, M>(_key: K, handler: F) -> Registered<F, S>
where
    F: ErrorHandlerFn<Expected, K, S, M>,
{
    Registered {
        handler,
        takes_owned_error: F::TAKES_OWNED_ERROR,
        needs_request_head: F::NEEDS_REQUEST_HEAD,
        call: F::call_handler,
    }
}

impl<F, S> Registered<F, S> {
    /// Whether the function takes its error by value, which only the error value itself can give.
    pub fn takes_owned_error(&self) -> bool {
        self.takes_owned_error
    }

    /// Whether the function takes extractors of the request head.
    pub fn needs_request_head(&self) -> bool {
        self.needs_request_head
    }

    pub fn call(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
        (self.call)(self.handler, error, head)
    }
}

/// An `async fn` whose first parameter borrows the error; names its future for every borrow.
pub trait AsyncRefFn<'a, P: 'a, Args, R>: Send {
    type Future: Future<Output = R> + Send + 'a;
    fn call_ref(self, error: &'a P, args: Args) -> Self::Future;
}

#[doc(hidden)]
pub struct SyncFn;
#[doc(hidden)]
pub struct AsyncFn;
#[doc(hidden)]
pub struct NoError;
#[doc(hidden)]
pub struct OwnedError;
#[doc(hidden)]
pub struct BorrowedError;

/// Whether a handler arity of `impl_error_handler_fns!` has extractors, given their type parameters by name.
const fn has_extractors(extractors: &[&str]) -> bool {
    !extractors.is_empty()
}

macro_rules! impl_error_handler_fns {
    ($($T:ident),*) => {
        impl<'a, P: 'a, F, Fut, R, $($T,)*> AsyncRefFn<'a, P, ($($T,)*), R> for F
        where
            F: FnOnce(&'a P, $($T),*) -> Fut + Send,
            Fut: Future<Output = R> + Send + 'a,
        {
            type Future = Fut;
            #[allow(non_snake_case)]
            fn call_ref(self, error: &'a P, ($($T,)*): ($($T,)*)) -> Fut {
                self(error, $($T),*)
            }
        }

        impl<K, S, F, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (SyncFn, NoError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: FnOnce($($T),*) -> R + Send + 'static,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = false;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    Ok(self($($T),*).into_response())
                })
            }
        }

        impl<K, S, F, Fut, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (AsyncFn, NoError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: FnOnce($($T),*) -> Fut + Send + 'static,
            Fut: Future<Output = R> + Send,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = false;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    Ok(self($($T),*).await.into_response())
                })
            }
        }

        impl<K, S, F, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (SyncFn, OwnedError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: FnOnce(K::Param, $($T),*) -> R + Send + 'static,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = true;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    let error = K::take(error)?;
                    Ok(self(error, $($T),*).into_response())
                })
            }
        }

        impl<K, S, F, Fut, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (AsyncFn, OwnedError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: FnOnce(K::Param, $($T),*) -> Fut + Send + 'static,
            Fut: Future<Output = R> + Send,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = true;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    let error = K::take(error)?;
                    Ok(self(error, $($T),*).await.into_response())
                })
            }
        }

        impl<K, S, F, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (SyncFn, BorrowedError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: for<'e> FnOnce(&'e K::Param, $($T),*) -> R + Send + 'static,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = false;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    let held = K::hold(error)?;
                    let Some(error) = K::borrow(&held) else { return Err(K::release(held)) };
                    Ok(self(error, $($T),*).into_response())
                })
            }
        }

        impl<K, S, F, R, $($T,)*> ErrorHandlerFn<K::Param, K, S, (AsyncFn, BorrowedError, R, $($T,)*)> for F
        where
            K: ErrorKey,
            S: Send + Sync + 'static,
            F: for<'e> AsyncRefFn<'e, K::Param, ($($T,)*), R> + 'static,
            R: IntoResponse,
            $($T: HeadExtractor<S> + 'static,)*
        {
            const TAKES_OWNED_ERROR: bool = false;
            const NEEDS_REQUEST_HEAD: bool = has_extractors(&[$(stringify!($T)),*]);
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn call_handler(self, error: Error, head: RequestHead<S>) -> HandlerFuture {
                Box::pin(async move {
                    let (mut parts, state) = head.into_parts();
                    $(let Some($T) = extract::<$T, S>(&mut parts, &state).await else { return Err(error) };)*
                    let held = K::hold(error)?;
                    let Some(error) = K::borrow(&held) else { return Err(K::release(held)) };
                    Ok(self.call_ref(error, ($($T,)*)).await.into_response())
                })
            }
        }
    };
}

impl_error_handler_fns!();
impl_error_handler_fns!(T1);
impl_error_handler_fns!(T1, T2);
impl_error_handler_fns!(T1, T2, T3);
impl_error_handler_fns!(T1, T2, T3, T4);
impl_error_handler_fns!(T1, T2, T3, T4, T5);
impl_error_handler_fns!(T1, T2, T3, T4, T5, T6);
impl_error_handler_fns!(T1, T2, T3, T4, T5, T6, T7);
impl_error_handler_fns!(T1, T2, T3, T4, T5, T6, T7, T8);

#[cfg(test)]
mod tests {
    use super::{HeadProbe, ReadsAnyPart as _};
    use crate::HeadParts;

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
