//! Functions registered with `key => path;`, and the calls of every handler shape they may have.

use std::future::Future;

use axum::response::IntoResponse;

use super::keys::ErrorKey;
use super::params::{HeadExtractor, extract};
use crate::__private::HandlerCall;
use crate::__private::RequestHead;
use crate::error::Error;

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
    fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall;
}

/// A function registered with `key => path;`, checked once where it is named.
///
/// `select` and `call` both go through [`registered`], so a function that cannot handle its key is reported
/// once, under the user's path.
pub struct Registered<F, S> {
    handler: F,
    takes_owned_error: bool,
    needs_request_head: bool,
    call: fn(F, Error, Option<RequestHead<S>>) -> HandlerCall,
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

    pub fn call(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
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

/// The call of a plain `fn` handler whose extractors are `$T`: at once when it has none, else in a boxed future
/// that runs them first.
macro_rules! sync_or_boxed {
    ($head:ident, [], $body:block) => {{
        let _ = $head;
        // The closure gives `?` in the body the handler's answer to return from.
        #[allow(clippy::redundant_closure_call)]
        let answer = (move || $body)();
        HandlerCall::Ready(answer)
    }};
    ($head:ident, [$($T:ident),+], $body:block) => {
        boxed!($head, [$($T),+], $body)
    };
}

/// The call of a handler as a boxed future that runs its extractors `$T` on the request head, then `$body`.
macro_rules! boxed {
    ($head:ident, [$($T:ident),*], $body:block) => {
        HandlerCall::Pending(Box::pin(async move {
            let mut $head = $head.map(RequestHead::into_parts);
            $(let $T = extract::<$T, _>(&mut $head).await?;)*
            $body
        }))
    };
}

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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                sync_or_boxed!(head, [$($T),*], {
                    Some(self($($T),*).into_response())
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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                boxed!(head, [$($T),*], {
                    Some(self($($T),*).await.into_response())
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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                sync_or_boxed!(head, [$($T),*], {
                    let error = K::take(error)?;
                    Some(self(error, $($T),*).into_response())
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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                boxed!(head, [$($T),*], {
                    let error = K::take(error)?;
                    Some(self(error, $($T),*).await.into_response())
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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                sync_or_boxed!(head, [$($T),*], {
                    let held = K::hold(error)?;
                    let error = K::borrow(&held)?;
                    Some(self(error, $($T),*).into_response())
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
            fn call_handler(self, error: Error, head: Option<RequestHead<S>>) -> HandlerCall {
                boxed!(head, [$($T),*], {
                    let held = K::hold(error)?;
                    let error = K::borrow(&held)?;
                    Some(self.call_ref(error, ($($T,)*)).await.into_response())
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
