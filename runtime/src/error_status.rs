//! `ErrorStatus`: how an error type declares its status, its default answer and the headers every answer to it
//! carries.

use std::any::TypeId;
use std::borrow::Cow;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use axum::response::Response;
use http::{HeaderMap, StatusCode, header};

/// An error type that declares how it answers: its status and, if it wants, the text of the built-in page, an
/// answer of its own, and headers that every answer to it carries.
///
/// Declare it with the [`status`](crate::status) attribute: `#[errorhandler::status(404)]` on the type for a
/// fixed status, or `#[errorhandler::status]` on an `impl ErrorStatus for T` block to compute it from the
/// value. Then `?` into [`Error`](crate::Error) answers with that status without any layer, the status and
/// class handlers of a set take it when no handler of its type does, and an error whose `source()` chain holds
/// it takes its status (the nearest declared error in the chain wins). [`HttpError`](crate::HttpError) and the
/// session errors are declared the same way.
///
/// ```
/// use errorhandler::{status, ErrorStatus};
/// use http::{header, HeaderMap, HeaderValue, StatusCode};
///
/// #[status(404)]
/// #[derive(Debug, thiserror::Error)]
/// #[error("no cheese called {0}")]
/// struct CheeseNotFound(String);
///
/// #[derive(Debug, thiserror::Error)]
/// #[error("the kitchen is closed for {0} s")]
/// struct Closed(u32);
///
/// #[status]
/// impl ErrorStatus for Closed {
///     fn status(&self) -> StatusCode {
///         StatusCode::SERVICE_UNAVAILABLE
///     }
///     fn enforced_headers(&self) -> HeaderMap {
///         HeaderMap::from_iter([(header::RETRY_AFTER, HeaderValue::from(self.0))])
///     }
/// }
///
/// let e = errorhandler::Error::from(CheeseNotFound("brie".into()));
/// assert_eq!(e.status(), StatusCode::NOT_FOUND);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not declare its status",
    label = "not an `ErrorStatus`",
    note = "declare it with `#[errorhandler::status(404)]` on the type, or `#[errorhandler::status]` on an `impl ErrorStatus for {Self}` block"
)]
pub trait ErrorStatus: StdError + Send + Sync + 'static + Declared {
    /// The status it answers with: a client or server error. Any other status is a bug and answers 500.
    fn status(&self) -> StatusCode;

    /// What the built-in page says about it (RFC 9457's `detail`); `None` for the standard text of its status.
    ///
    /// The client sees it: leave it `None` for an error whose message is internal.
    fn detail(&self) -> Option<Cow<'_, str>> {
        None
    }

    /// Its answer when no handler takes it; `None` for the built-in page, negotiated from `Accept`. An answer
    /// whose status is not an error status (`Json(..)` alone is a 200) gets the error's status.
    fn default_answer(&self) -> Option<Response> {
        None
    }

    /// Headers that every answer to it carries, whoever builds it: a handler's response, its default answer, or
    /// the built-in page. They replace the handler's headers of the same name, except `Set-Cookie`, which is
    /// added.
    fn enforced_headers(&self) -> HeaderMap {
        HeaderMap::new()
    }
}

/// Implemented by `#[errorhandler::status]` beside the registration that lets `?` find the type.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` implements `ErrorStatus` without `#[errorhandler::status]`",
    label = "`?` into `errorhandler::Error` would not find this declaration",
    note = "mark the block: `#[errorhandler::status] impl ErrorStatus for {Self} {{ ... }}`"
)]
pub trait Declared {}

/// One declared type, registered by `#[errorhandler::status]`.
#[doc(hidden)]
pub struct Declaration {
    type_id: fn() -> TypeId,
    type_name: fn() -> &'static str,
    find: for<'a> fn(&'a (dyn StdError + 'static)) -> Option<&'a dyn ErrorStatus>,
}

impl Declaration {
    /// The declaration of `E`.
    pub const fn of<E: ErrorStatus>() -> Self {
        Self {
            type_id: TypeId::of::<E>,
            type_name: std::any::type_name::<E>,
            find: find::<E>,
        }
    }

    /// The declared type's name, as `std::any::type_name` writes it.
    pub(crate) fn type_name(&self) -> &'static str {
        (self.type_name)()
    }

    /// `error` as the declared type, if it is that type.
    pub(crate) fn find<'a>(
        &self,
        error: &'a (dyn StdError + 'static),
    ) -> Option<&'a dyn ErrorStatus> {
        (self.find)(error)
    }
}

fn find<'a, E: ErrorStatus>(error: &'a (dyn StdError + 'static)) -> Option<&'a dyn ErrorStatus> {
    error
        .downcast_ref::<E>()
        .map(|error| error as &dyn ErrorStatus)
}

inventory::collect!(Declaration);

/// The declaration of the type `type_id`, if it is a declared type: one look-up in a map built once, where
/// [`declaration_of`] asks each declaration in turn (and the crate declares axum's rejections among them).
pub(crate) fn declaration_of_type(type_id: TypeId) -> Option<&'static Declaration> {
    static BY_TYPE: OnceLock<
        HashMap<TypeId, &'static Declaration, BuildHasherDefault<TypeIdHasher>>,
    > = OnceLock::new();
    BY_TYPE
        .get_or_init(|| {
            inventory::iter::<Declaration>
                .into_iter()
                .map(|declaration| ((declaration.type_id)(), declaration))
                .collect()
        })
        .get(&type_id)
        .copied()
}

/// Hashes a `TypeId`, which is a hash already, by keeping what it writes.
#[derive(Default)]
struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 ^= value;
    }
}

/// The declaration of `error`'s type, if it is a declared type.
pub(crate) fn declaration_of(error: &(dyn StdError + 'static)) -> Option<&'static Declaration> {
    inventory::iter::<Declaration>
        .into_iter()
        .find(|declaration| declaration.find(error).is_some())
}

/// The status a declared error answers with, kept to client and server errors.
pub(crate) fn status_of(declared: &dyn ErrorStatus) -> StatusCode {
    let status = declared.status();
    if status.is_client_error() || status.is_server_error() {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// Headers carried beside an answer, boxed because most errors enforce none: what carries them stays small.
pub(crate) type Headers = Option<Box<HeaderMap>>;

/// `headers`, or `None` when there are none.
pub(crate) fn some_headers(headers: HeaderMap) -> Headers {
    (!headers.is_empty()).then(|| Box::new(headers))
}

/// Puts `enforced` on `headers`: each name replaces the headers of that name, except `Set-Cookie`, added.
pub(crate) fn enforce(headers: &mut HeaderMap, enforced: &HeaderMap) {
    for name in enforced.keys() {
        if name != header::SET_COOKIE {
            headers.remove(name);
        }
    }
    for (name, value) in enforced {
        headers.append(name.clone(), value.clone());
    }
}
