//! The built-in error responses, negotiated from `Accept`.

use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt::Write as _;
use std::pin::Pin;
use std::str::FromStr;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use headers_accept::Accept;
use http::{HeaderValue, StatusCode, header};
use http_body::{Frame, SizeHint};
use mediatype::{MediaType, names};

use crate::problem::ProblemDetails;
use crate::status_text::{standard_description, status_name};

/// The formats of the built-in response, in the order the server prefers them when the client has no preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    PlainText,
    Html,
    ProblemJson,
}

/// The default answer of an error: what answers it when no handler of a set does (or its handler fails), and
/// what it answers with on its own, without a layer.
#[derive(Debug)]
pub(crate) enum DefaultAnswer {
    /// The built-in page, negotiated from `Accept`.
    BuiltIn(BuiltInPage),
    /// The answer its type declares, whatever the client accepts, with the headers it enforces on already; boxed
    /// because the layer keeps it beside a running handler, and a large value there would make every response
    /// future larger.
    Declared(Box<Response>),
}

impl DefaultAnswer {
    /// The response, in `format` if it is the built-in page.
    pub(crate) fn render(self, format: Format) -> Response {
        match self {
            Self::BuiltIn(page) => page.render(format),
            Self::Declared(response) => *response,
        }
    }
}

/// What the built-in response says: a status and the description the client may see.
#[derive(Debug, Clone)]
pub(crate) struct BuiltInPage {
    status: StatusCode,
    description: Option<Cow<'static, str>>,
}

const TEXT_PLAIN: MediaType<'static> = MediaType::new(names::TEXT, names::PLAIN);
const TEXT_HTML: MediaType<'static> = MediaType::new(names::TEXT, names::HTML);
const APPLICATION_XHTML: MediaType<'static> =
    MediaType::from_parts(names::APPLICATION, names::XHTML, Some(names::XML), &[]);
const APPLICATION_PROBLEM_JSON: MediaType<'static> =
    MediaType::from_parts(names::APPLICATION, names::PROBLEM, Some(names::JSON), &[]);
const APPLICATION_JSON: MediaType<'static> = MediaType::new(names::APPLICATION, names::JSON);

/// Plain text comes first so that `*/*` (curl, scripts) gets text; browsers name `text/html` explicitly.
const AVAILABLE: [MediaType<'static>; 5] = [
    TEXT_PLAIN,
    TEXT_HTML,
    APPLICATION_XHTML,
    APPLICATION_PROBLEM_JSON,
    APPLICATION_JSON,
];

impl Format {
    /// The format a request's `Accept` header prefers; plain text when it is absent, malformed or matches none.
    pub(crate) fn negotiate(accept: Option<&HeaderValue>) -> Self {
        let Some(accept) = accept.and_then(|value| value.to_str().ok()) else {
            return Self::PlainText;
        };
        let Ok(accept) = Accept::from_str(accept) else {
            return Self::PlainText;
        };
        match accept.negotiate(AVAILABLE.iter()) {
            Some(chosen) if *chosen == TEXT_HTML || *chosen == APPLICATION_XHTML => Self::Html,
            Some(chosen) if *chosen == APPLICATION_PROBLEM_JSON || *chosen == APPLICATION_JSON => {
                Self::ProblemJson
            }
            _ => Self::PlainText,
        }
    }
}

impl BuiltInPage {
    /// A page for `status` that shows `description`, or the standard description when there is none.
    pub(crate) fn new(status: StatusCode, description: Option<Cow<'static, str>>) -> Self {
        Self {
            status,
            description,
        }
    }

    /// The plain-text page as a body, written only when it is first polled.
    pub(crate) fn plain_text_body(self) -> Body {
        Body::new(PlainTextBody::new(self))
    }

    /// The built-in response in `format`.
    pub(crate) fn render(self, format: Format) -> Response {
        let status = self.status;
        let (content_type, body) = match format {
            Format::PlainText => (TEXT_PLAIN_UTF_8, Body::new(PlainTextBody::new(self))),
            Format::Html => {
                let description = self
                    .description
                    .as_deref()
                    .unwrap_or_else(|| standard_description(status));
                (
                    TEXT_HTML_UTF_8,
                    Body::from(html_page(status, status_name(status), description)),
                )
            }
            Format::ProblemJson => {
                return ProblemDetails::described(status, self.description).into_response();
            }
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
        response
    }
}

// Constants, because `HeaderValue::from_static` checks every byte when it runs outside a constant.
const TEXT_PLAIN_UTF_8: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const TEXT_HTML_UTF_8: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");

/// The plain-text page as a body written when it is first polled: `errorhandler::Error` answers with it on its
/// own, and a handler set's layer that hands the error to a handler drops it unread, so the text is never
/// formatted for nothing. Its exact length is known up front, so the response still has a `Content-Length`.
struct PlainTextBody {
    page: Option<BuiltInPage>,
    len: u64,
}

impl PlainTextBody {
    fn new(page: BuiltInPage) -> Self {
        let description = page
            .description
            .as_deref()
            .unwrap_or_else(|| standard_description(page.status));
        let len = plain_text_len(page.status, status_name(page.status), description);
        Self {
            page: Some(page),
            len: len as u64,
        }
    }
}

impl http_body::Body for PlainTextBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.page.take().map(|page| {
            let description = page
                .description
                .as_deref()
                .unwrap_or_else(|| standard_description(page.status));
            let text = plain_text(page.status, status_name(page.status), description);
            Ok(Frame::data(Bytes::from(text)))
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.page.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match self.page {
            Some(_) => SizeHint::with_exact(self.len),
            None => SizeHint::with_exact(0),
        }
    }
}

/// The length of [`plain_text`]'s text, without writing it.
fn plain_text_len(status: StatusCode, title: &str, description: &str) -> usize {
    let digits = status.as_str().len();
    digits + 1 + title.len() + 2 + description.len() + 1
}

/// `404 Not Found: description\n`, in one allocation of its exact size (which `Bytes` then keeps as is).
fn plain_text(status: StatusCode, title: &str, description: &str) -> String {
    let mut text = String::with_capacity(plain_text_len(status, title, description));
    // Writing to a `String` cannot fail.
    let _ = writeln!(text, "{} {title}: {description}", status.as_u16());
    text
}

/// Werkzeug's error page: the status as title, its name as heading, the escaped description.
fn html_page(status: StatusCode, title: &str, description: &str) -> String {
    let mut page = String::with_capacity(128 + description.len());
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=en>\n<title>{} {}</title>\n<h1>{}</h1>\n<p>",
        status.as_u16(),
        title,
        title
    );
    escape_html_into(&mut page, description);
    page.push_str("</p>\n");
    page
}

fn escape_html_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negotiate(accept: &str) -> Format {
        Format::negotiate(Some(&HeaderValue::from_str(accept).unwrap()))
    }

    #[test]
    fn browsers_get_html_and_api_clients_get_problem_json() {
        assert_eq!(
            negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Format::Html
        );
        assert_eq!(negotiate("application/json"), Format::ProblemJson);
        assert_eq!(negotiate("application/problem+json"), Format::ProblemJson);
        assert_eq!(negotiate("application/json, */*"), Format::ProblemJson);
        assert_eq!(negotiate("*/*"), Format::PlainText);
        assert_eq!(negotiate("image/png"), Format::PlainText);
        assert_eq!(
            negotiate("text/html;q=0.1, application/json;q=0.5"),
            Format::ProblemJson
        );
        assert_eq!(negotiate("garbage;;;=="), Format::PlainText);
        assert_eq!(Format::negotiate(None), Format::PlainText);
    }

    #[test]
    fn html_page_escapes_the_description() {
        let page = html_page(
            StatusCode::NOT_FOUND,
            "Not Found",
            "<script>alert('x')</script>",
        );
        assert!(page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"));
        assert!(!page.contains("<script>"));
    }
}
