//! axum's extractor rejections, declared: `?` on one answers with the status axum gives it, not a 500.
//!
//! An extractor wrapped in a `Result` (`payload: Result<Json<Order>, JsonRejection>`) hands its rejection to the
//! route, and `?` turns it into an [`Error`](crate::Error). Every rejection type of axum's extractors is
//! declared ([`ErrorStatus`]), as a type marked `#[errorhandler::status]` is, so that the error keeps axum's
//! meaning:
//!
//! - Its status is the rejection's own `status()`, with or without a layer.
//! - Without a handler that takes it, a client error (4xx) answers exactly as axum does: its status and its
//!   `body_text()` as `text/plain`, the same response as the extractor used without a `Result`. A server error
//!   (5xx: a missing extension, a route whose path parameters do not fit its `Path` type) answers with the
//!   built-in page, which never shows the rejection's text.
//! - In a set, a handler keyed by the rejection type gets the typed value (`#[errorhandler(JsonRejection)] fn
//!   bad_json(e: &JsonRejection)`). The handlers of its status, of its class and `default` take it as an
//!   [`HttpError`](crate::HttpError) whose description is axum's text for a 4xx, as they take the rejections of
//!   extractors used without a `Result`; for a 5xx, the description is the standard one and the rejection is
//!   the `source()`.
//!
//! ```
//! use axum::extract::{Path, rejection::PathRejection};
//! use axum::{Router, routing::get};
//! use errorhandler::Error;
//!
//! async fn cheese(id: Result<Path<u32>, PathRejection>) -> Result<String, Error> {
//!     let Path(id) = id?; // `/cheese/brie` answers 400 with axum's text, as `Path<u32>` alone would
//!     Ok(format!("cheese {id}"))
//! }
//!
//! let app: Router = Router::new().route("/cheese/{id}", get(cheese));
//! ```
//!
//! A handler keyed by a composite rejection (`JsonRejection`) takes it; one keyed by one of its variants
//! (`JsonDataError`) does not, because axum's composite rejections give their variant's `source()`, not the
//! variant, as their own.
//!
//! The declared rejection types of `axum::extract::rejection` (axum 0.8), with their status:
//!
//! | extractor | rejection type | status |
//! | --- | --- | --- |
//! | `Json` (feature `json`) | `JsonRejection` | the status of its variant, below |
//! | | `JsonDataError`: the JSON does not fit the type | 422 Unprocessable Entity |
//! | | `JsonSyntaxError`: the body is not JSON | 400 Bad Request |
//! | | `MissingJsonContentType` | 415 Unsupported Media Type |
//! | `Query` | `QueryRejection` | 400 Bad Request |
//! | | `FailedToDeserializeQueryString` | 400 Bad Request |
//! | `Form` | `FormRejection` | the status of its variant, below |
//! | `RawForm` | `RawFormRejection` | the status of its variant, below |
//! | | `InvalidFormContentType` | 415 Unsupported Media Type |
//! | | `FailedToDeserializeForm`: a query string (`GET`, `HEAD`) that does not fit | 400 Bad Request |
//! | | `FailedToDeserializeFormBody`: a body that does not fit | 422 Unprocessable Entity |
//! | `Path` | `PathRejection` | the status of its variant, below |
//! | | `FailedToDeserializePathParams` | 400 Bad Request for a parameter that does not parse; 500 Internal Server Error for a `Path` type that does not fit the route (wrong number of parameters, unsupported type) |
//! | | `MissingPathParams` | 500 Internal Server Error |
//! | `RawPathParams` | `RawPathParamsRejection` | the status of its variant |
//! | | `InvalidUtf8InPathParam` | 400 Bad Request |
//! | `Bytes`, and the body of `Json`, `Form`, `RawForm` | `BytesRejection` | the status of its variant, below |
//! | `String` | `StringRejection` | the status of its variant, below |
//! | | `FailedToBufferBody` | the status of its variant, below |
//! | | `LengthLimitError`: the body is over the limit | 413 Payload Too Large |
//! | | `UnknownBodyError` | 400 Bad Request |
//! | | `InvalidUtf8`: a `String` body that is not UTF-8 | 400 Bad Request |
//! | `Extension` | `ExtensionRejection` | 500 Internal Server Error |
//! | | `MissingExtension` | 500 Internal Server Error |
//! | `MatchedPath` (feature `matched-path`) | `MatchedPathRejection` | 500 Internal Server Error |
//! | | `MatchedPathMissing` | 500 Internal Server Error |
//! | `NestedPath` | `NestedPathRejection` | 500 Internal Server Error |
//!
//! The rejections of `Json` need this crate's `json` feature (on by default), which turns on axum's: without
//! it, axum has no `Json` extractor to declare. Those of `MatchedPath` need this crate's `matched-path` feature
//! (off by default, since axum's makes the router record the matched path of every request); all of them are
//! 500s, which an undeclared error answers too. axum's `multipart` and `ws` extractors are not declared.
//!
//! This module has no items: the declarations are implementations of [`ErrorStatus`] for axum's types.

use std::borrow::Cow;

use axum::extract::rejection::{
    BytesRejection, ExtensionRejection, FailedToBufferBody, FailedToDeserializeForm,
    FailedToDeserializeFormBody, FailedToDeserializePathParams, FailedToDeserializeQueryString,
    FormRejection, InvalidFormContentType, InvalidUtf8, InvalidUtf8InPathParam, LengthLimitError,
    MissingExtension, MissingPathParams, NestedPathRejection, PathRejection, QueryRejection,
    RawFormRejection, RawPathParamsRejection, StringRejection, UnknownBodyError,
};
#[cfg(feature = "json")]
use axum::extract::rejection::{
    JsonDataError, JsonRejection, JsonSyntaxError, MissingJsonContentType,
};
#[cfg(feature = "matched-path")]
use axum::extract::rejection::{MatchedPathMissing, MatchedPathRejection};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::error_status::{Declaration, Declared, ErrorStatus};

/// Declares each rejection type as `#[errorhandler::status]` would (the core does not use its own macros): its
/// status, and for a client error its text, as the description and as the answer axum gives it.
macro_rules! declare {
    ($($(#[cfg(feature = $feature:literal)])? $rejection:ty,)*) => {$(
        // why: without it, rustc lists axum's types to a user whose own type lacks `ErrorStatus` or `Declared`
        $(#[cfg(feature = $feature)] #[cfg_attr(docsrs, doc(cfg(feature = $feature)))])?
        #[diagnostic::do_not_recommend]
        impl ErrorStatus for $rejection {
            /// The status axum answers it with.
            fn status(&self) -> StatusCode {
                <$rejection>::status(self)
            }

            /// axum's text for a client error; `None` for a server error, whose text is for the server.
            fn detail(&self) -> Option<Cow<'_, str>> {
                client_text(<$rejection>::status(self), || self.body_text()).map(Cow::Owned)
            }

            /// axum's own answer for a client error; the built-in page for a server error.
            fn default_answer(&self) -> Option<Response> {
                let status = <$rejection>::status(self);
                client_text(status, || self.body_text()).map(|text| (status, text).into_response())
            }
        }

        $(#[cfg(feature = $feature)] #[cfg_attr(docsrs, doc(cfg(feature = $feature)))])?
        #[diagnostic::do_not_recommend]
        impl Declared for $rejection {}

        $(#[cfg(feature = $feature)])?
        inventory::submit!(Declaration::of::<$rejection>());
    )*};
}

declare! {
    #[cfg(feature = "json")]
    JsonRejection,
    #[cfg(feature = "json")]
    JsonDataError,
    #[cfg(feature = "json")]
    JsonSyntaxError,
    #[cfg(feature = "json")]
    MissingJsonContentType,
    QueryRejection,
    FailedToDeserializeQueryString,
    FormRejection,
    RawFormRejection,
    InvalidFormContentType,
    FailedToDeserializeForm,
    FailedToDeserializeFormBody,
    PathRejection,
    FailedToDeserializePathParams,
    MissingPathParams,
    RawPathParamsRejection,
    InvalidUtf8InPathParam,
    BytesRejection,
    StringRejection,
    FailedToBufferBody,
    LengthLimitError,
    UnknownBodyError,
    InvalidUtf8,
    ExtensionRejection,
    MissingExtension,
    #[cfg(feature = "matched-path")]
    MatchedPathRejection,
    #[cfg(feature = "matched-path")]
    MatchedPathMissing,
    NestedPathRejection,
}

/// The rejection's text when `status` is a client error: a server error's text never reaches a client.
fn client_text(status: StatusCode, text: impl FnOnce() -> String) -> Option<String> {
    status.is_client_error().then(text)
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use axum::extract::rejection::{
        InvalidFormContentType, MissingPathParams, NestedPathRejection, PathRejection,
        RawFormRejection,
    };
    use axum::response::IntoResponse;
    use http::StatusCode;

    use crate::{Error, ErrorStatus, HttpError};

    #[test]
    fn a_client_error_keeps_axums_status_and_text_as_its_description() {
        let rejection = RawFormRejection::from(InvalidFormContentType::default());
        let text = rejection.body_text();
        let error = Error::from(rejection);
        assert_eq!(error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(error.is::<RawFormRejection>());
        let http_error = error.into_http_error();
        assert_eq!(http_error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(http_error.description(), text);
    }

    #[test]
    fn a_server_error_keeps_its_status_and_never_its_text() {
        let rejection = PathRejection::from(MissingPathParams::default());
        assert_eq!(ErrorStatus::detail(&rejection), None);
        assert!(ErrorStatus::default_answer(&rejection).is_none());
        let error = Error::from(rejection);
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let http_error = error.into_http_error();
        assert_eq!(
            http_error.description(),
            HttpError::new(StatusCode::INTERNAL_SERVER_ERROR).description()
        );
        assert!(http_error.source().is_some());
        assert_eq!(
            Error::from(NestedPathRejection::default()).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn an_error_holding_a_rejection_takes_its_status() {
        #[derive(Debug, thiserror::Error)]
        #[error("the order form was not read")]
        struct OrderForm(#[source] RawFormRejection);

        let error = Error::from(OrderForm(InvalidFormContentType::default().into()));
        assert_eq!(error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[test]
    fn without_a_layer_a_client_error_answers_as_axum_does() {
        let ours =
            Error::from(RawFormRejection::from(InvalidFormContentType::default())).into_response();
        let axums = RawFormRejection::from(InvalidFormContentType::default()).into_response();
        assert_eq!(ours.status(), axums.status());
        assert_eq!(
            ours.headers()[http::header::CONTENT_TYPE],
            axums.headers()[http::header::CONTENT_TYPE]
        );
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_rejections_are_declared() {
        use axum::extract::rejection::{JsonRejection, MissingJsonContentType};

        let error = Error::from(JsonRejection::from(MissingJsonContentType::default()));
        assert_eq!(error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(
            Error::from(MissingJsonContentType::default()).status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[cfg(feature = "matched-path")]
    #[test]
    fn matched_path_rejections_are_declared() {
        use axum::extract::rejection::{MatchedPathMissing, MatchedPathRejection};

        let error = Error::from(MatchedPathRejection::from(MatchedPathMissing::default()));
        assert!(error.is::<MatchedPathRejection>());
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
