//! What a handler returns.

use axum::response::{IntoResponse, Response};

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
