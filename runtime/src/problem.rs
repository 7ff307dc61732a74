//! `ProblemDetails`: RFC 9457's problem details object, the JSON body of the built-in default.

use std::borrow::Cow;
use std::io::Write as _;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::Value;

use crate::http_error::HttpError;
use crate::status_text::{standard_description, status_name};

/// An RFC 9457 problem details object, answered as `application/problem+json` with its status.
///
/// It has the five members of the RFC, `type`, `title`, `status`, `detail` and `instance`, and extension
/// members of any name and JSON value. [`new`](Self::new) makes the problem of a status: `type` is
/// `about:blank` and `title` the status's name, as the RFC asks of a problem that only says its status. The
/// built-in default answers JSON clients with the problem of its error, so that a handler that answers with one
/// answers the same shape:
///
/// ```
/// use axum::http::StatusCode;
/// use errorhandler::{errorhandler, HttpError, ProblemDetails};
///
/// errorhandler! {
///     /// Problems for the API.
///     pub struct ApiErrors;
///
///     // `detail` is the description given to the error (`abort!(404, "no cheese called brie")`), or the
///     // standard one of its status; never an internal error's message.
///     #[errorhandler(4xx)]
///     fn client_error(e: &HttpError) -> ProblemDetails {
///         ProblemDetails::from(e)
///     }
/// }
///
/// // RFC 9457's example: a problem type of its own, with extension members.
/// async fn buy() -> ProblemDetails {
///     ProblemDetails::new(StatusCode::FORBIDDEN)
///         .with_type("https://example.com/probs/out-of-credit")
///         .with_title("You do not have enough credit.")
///         .with_detail("Your current balance is 30, but that costs 50.")
///         .with_instance("/account/12345/msgs/abc")
///         .with_extension("balance", 30)
///         .with_extension("accounts", serde_json::json!(["/account/12345", "/account/67890"]))
/// }
/// # let _ = buy;
/// ```
///
/// The members are written in a fixed order, the five of the RFC first (`detail`, `instance`, `status`, `title`,
/// `type`, those that are set), then the extension members in the order they were added; `type` and `status`
/// are always written.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemDetails {
    problem_type: Cow<'static, str>,
    title: Cow<'static, str>,
    status: StatusCode,
    detail: Option<Cow<'static, str>>,
    instance: Option<Cow<'static, str>>,
    extensions: Vec<(Cow<'static, str>, Value)>,
}

impl ProblemDetails {
    /// The problem of `status`: `type` `about:blank`, `title` the status's name (`Not Found`; `Client Error` or
    /// `Server Error` for a status without a standard name), no `detail`, no `instance`.
    pub fn new(status: StatusCode) -> Self {
        Self {
            problem_type: Cow::Borrowed(ABOUT_BLANK),
            title: Cow::Borrowed(status_name(status)),
            status,
            detail: None,
            instance: None,
            extensions: Vec::new(),
        }
    }

    /// Sets `type`, the URI reference that identifies the problem type (`about:blank` by default).
    pub fn with_type(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        self.problem_type = uri.into();
        self
    }

    /// Sets `title`, a short summary of the problem type.
    pub fn with_title(mut self, title: impl Into<Cow<'static, str>>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets `detail`, what the client is told about this occurrence of the problem.
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets `instance`, a URI reference that identifies this occurrence of the problem.
    pub fn with_instance(mut self, uri: impl Into<Cow<'static, str>>) -> Self {
        self.instance = Some(uri.into());
        self
    }

    /// Adds the extension member `name`, or replaces its value if it has one.
    ///
    /// The names of the five members of the RFC are not extension members: a `name` among `type`, `title`,
    /// `status`, `detail` and `instance` is ignored (set those with their own methods).
    pub fn with_extension(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Value>,
    ) -> Self {
        let name = name.into();
        if MEMBERS.contains(&&*name) {
            return self;
        }
        let value = value.into();
        match self
            .extensions
            .iter_mut()
            .find(|(existing, _)| *existing == name)
        {
            Some((_, existing)) => *existing = value,
            None => self.extensions.push((name, value)),
        }
        self
    }

    /// The problem the built-in default shows for `status`: `description`, or the standard one of the status.
    pub(crate) fn described(status: StatusCode, description: Option<Cow<'static, str>>) -> Self {
        Self {
            detail: Some(description.unwrap_or(Cow::Borrowed(standard_description(status)))),
            ..Self::new(status)
        }
    }

    /// The JSON object, written in one buffer.
    fn to_json(&self) -> Vec<u8> {
        let strings = [&self.problem_type, &self.title]
            .into_iter()
            .chain(&self.detail)
            .chain(&self.instance)
            .map(|member| member.len())
            .sum::<usize>();
        let mut json = Vec::with_capacity(64 + strings);
        if let Some(detail) = &self.detail {
            member(&mut json, "detail", detail);
        }
        if let Some(instance) = &self.instance {
            member(&mut json, "instance", instance);
        }
        json.extend_from_slice(b",\"status\":");
        json.extend_from_slice(self.status.as_str().as_bytes());
        member(&mut json, "title", &self.title);
        member(&mut json, "type", &self.problem_type);
        for (name, value) in &self.extensions {
            json.push(b',');
            // Writing to a `Vec` cannot fail, nor can writing a string or a `Value`.
            let _ = serde_json::to_writer(&mut json, &**name);
            json.push(b':');
            let _ = serde_json::to_writer(&mut json, value);
        }
        json.push(b'}');
        // Every member is written after a comma, and there is always one: the first comma opens the object.
        json[0] = b'{';
        json
    }
}

impl IntoResponse for ProblemDetails {
    /// The JSON object as `application/problem+json`, with its status.
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.to_json()));
        *response.status_mut() = self.status;
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, PROBLEM_JSON);
        response
    }
}

impl From<&HttpError> for ProblemDetails {
    /// The problem the built-in default shows for it: its status, and as `detail` the description given to it
    /// or the standard one of its status.
    fn from(error: &HttpError) -> Self {
        Self::described(error.status(), error.given_description())
    }
}

const ABOUT_BLANK: &str = "about:blank";

/// The members RFC 9457 defines, which no extension member may stand for.
const MEMBERS: [&str; 5] = ["type", "title", "status", "detail", "instance"];

// A constant, because `HeaderValue::from_static` checks every byte when it runs outside a constant.
const PROBLEM_JSON: HeaderValue = HeaderValue::from_static("application/problem+json");

/// Writes `,"name":"value"`, the value escaped as JSON.
fn member(json: &mut Vec<u8>, name: &str, value: &str) {
    let _ = write!(json, ",\"{name}\":");
    // Writing a string to a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *json, value);
}

#[cfg(test)]
mod tests {
    use http::StatusCode;
    use serde_json::json;

    use super::ProblemDetails;
    use crate::HttpError;

    fn json(problem: &ProblemDetails) -> String {
        String::from_utf8(problem.to_json()).unwrap()
    }

    #[test]
    fn the_built_in_problem_is_written_as_serde_json_writes_a_sorted_map() {
        let problem = ProblemDetails::from(
            &HttpError::new(StatusCode::GONE).with_description("deleted \"for\" all\neternity"),
        );
        let sorted = json!({
            "type": "about:blank",
            "title": "Gone",
            "status": 410,
            "detail": "deleted \"for\" all\neternity",
        })
        .to_string();
        assert_eq!(json(&problem), sorted);
    }

    #[test]
    fn members_are_written_in_a_fixed_order_and_escaped() {
        let problem = ProblemDetails::new(StatusCode::IM_A_TEAPOT);
        assert_eq!(
            json(&problem),
            r#"{"status":418,"title":"I'm a teapot","type":"about:blank"}"#
        );
        let problem = problem
            .with_instance("/pots/1")
            .with_extension("z", 1)
            .with_extension("a\"b", json!({ "c": [true] }))
            .with_extension("z", 2)
            .with_extension("title", "ignored");
        assert_eq!(
            json(&problem),
            r#"{"instance":"/pots/1","status":418,"title":"I'm a teapot","type":"about:blank","z":2,"a\"b":{"c":[true]}}"#
        );
    }
}
