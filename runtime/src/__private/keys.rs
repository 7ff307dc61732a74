//! Keys: how a handler's key hands it the error, and the probe that finds the key of a type.

use std::error::Error as StdError;
use std::marker::PhantomData;

use crate::error::Error;
use crate::http_error::HttpError;

/// How a key hands its error to a handler's error parameter.
pub trait ErrorKey: 'static {
    /// What the error parameter is (`HttpError` for status keys, `E` for type keys).
    type Param: 'static;
    /// What the handler's future keeps alive while the parameter is borrowed.
    type Held: Send + 'static;
    /// What the future keeps of `error`; `None` when the error does not fit the key.
    fn hold(error: Error) -> Option<Self::Held>;
    fn borrow(held: &Self::Held) -> Option<&Self::Param>;
    /// The error parameter by value; `None` when the error does not fit the key.
    fn take(error: Error) -> Option<Self::Param>;
}

/// The key of status-code, class and `default` handlers: they receive an `HttpError`.
#[derive(Clone, Copy)]
pub struct ByStatus;

/// The key of a handler registered for the error type `E`.
pub struct ByType<E>(PhantomData<fn() -> E>);

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
pub struct NotAnErrorType<E>(PhantomData<fn() -> E>);

impl<E> Clone for NotAnErrorType<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for NotAnErrorType<E> {}

impl ErrorKey for ByStatus {
    type Param = HttpError;
    type Held = HttpError;
    fn hold(error: Error) -> Option<HttpError> {
        Some(error.into_http_error())
    }
    fn borrow(held: &HttpError) -> Option<&HttpError> {
        Some(held)
    }
    fn take(error: Error) -> Option<HttpError> {
        Some(error.into_http_error())
    }
}

impl<E: StdError + Send + Sync + 'static> ErrorKey for ByType<E> {
    type Param = E;
    type Held = Error;
    fn hold(error: Error) -> Option<Error> {
        error.find::<E>().is_some().then_some(error)
    }
    fn borrow(held: &Error) -> Option<&E> {
        held.find::<E>()
    }
    fn take(error: Error) -> Option<E> {
        error.downcast::<E>().ok()
    }
}

impl<E: 'static> ErrorKey for NotAnErrorType<E> {
    type Param = E;
    type Held = Error;
    fn hold(_error: Error) -> Option<Error> {
        None
    }
    fn borrow(_held: &Error) -> Option<&E> {
        None
    }
    fn take(_error: Error) -> Option<E> {
        None
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
pub struct TypeProbe<E>(PhantomData<fn() -> E>);

impl<E> TypeProbe<E> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

/// The key of an error type.
pub trait KeyOfErrorType<E> {
    fn __errorhandler_key(&self) -> ByType<E>;
}

impl<E: ErrorType> KeyOfErrorType<E> for TypeProbe<E> {
    fn __errorhandler_key(&self) -> ByType<E> {
        ByType(PhantomData)
    }
}

/// The key of any other type, reached by method resolution only when `E` is not an error type.
pub trait KeyOfOtherType<E> {
    fn __errorhandler_key(&self) -> NotAnErrorType<E> {
        NotAnErrorType(PhantomData)
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
