//! The rule both macros share: an error status code is a decimal integer literal in 400..=599.

use quote::ToTokens;
use syn::LitInt;
use syn::parse::ParseStream;

/// A status code as written: an integer literal, or one of `StatusCode`'s constants (which validation rejects,
/// suggesting its literal).
pub enum WrittenCode {
    Literal(LitInt),
    /// `StatusCode::NOT_FOUND` or `NOT_FOUND`, and the code it names.
    Constant(syn::Path, u16),
}

/// Parses a status code as written, with `expected` under anything else; a path is taken for one of
/// `StatusCode`'s constants only when `ends` holds of what follows it.
pub fn parse_written_code(
    input: ParseStream,
    expected: &str,
    ends: fn(ParseStream) -> bool,
) -> syn::Result<WrittenCode> {
    let constant = input.fork();
    if let Ok(path) = constant.parse::<syn::Path>()
        && let Some(code) = path
            .segments
            .last()
            .and_then(|last| named_status(&last.ident.to_string()))
        && ends(&constant)
    {
        input.parse::<syn::Path>()?;
        return Ok(WrittenCode::Constant(path, code));
    }
    match input.parse::<syn::Lit>() {
        Ok(syn::Lit::Int(code)) => Ok(WrittenCode::Literal(code)),
        Ok(other) => Err(syn::Error::new(other.span(), expected)),
        Err(error) => Err(syn::Error::new(error.span(), expected)),
    }
}

/// The code of `lit`, or an error under it saying why it is not an error status.
///
/// Only a plain decimal literal is a status code: `0x194` and `4_04` would hide that two keys are the same.
pub fn error_status(lit: &LitInt, what: &str) -> syn::Result<u16> {
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{lit}` is not a status code; {what} takes an error status in 400..=599"),
        ));
    }
    let written = lit.to_string();
    if !written.bytes().all(|byte| byte.is_ascii_digit()) {
        let decimal = lit
            .base10_parse::<u16>()
            .map_or_else(|_| "404".to_owned(), |code| code.to_string());
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "write the status code as a plain decimal literal: `{decimal}`, not `{written}`"
            ),
        ));
    }
    let code = lit.base10_parse::<u16>().ok();
    let class = match code {
        Some(100..=199) => Some("an informational status"),
        Some(200..=299) => Some("a success status"),
        Some(300..=399) => Some("a redirection status"),
        Some(400..=599) => None,
        _ => {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{lit}` is not an HTTP status code; {what} takes an error status in 400..=599"
                ),
            ));
        }
    };
    match (code, class) {
        (Some(code), None) => Ok(code),
        (_, class) => Err(syn::Error::new(
            lit.span(),
            format!(
                "`{lit}` is {}, not an error; {what} takes an error status in 400..=599",
                class.unwrap_or("not an error status")
            ),
        )),
    }
}

/// The error for a status written as one of `StatusCode`'s constants, suggesting its literal.
pub fn constant_status(path: &syn::Path, code: u16, what: &str) -> syn::Error {
    let written = path.to_token_stream().to_string().replace(' ', "");
    let message = if (400..=599).contains(&code) {
        format!(
            "{what} takes a literal status code, not a constant: write `{code}` for `{written}`"
        )
    } else {
        format!(
            "{what} takes a literal status code in 400..=599, not a constant; `{written}` is `{code}`, not an error status"
        )
    };
    syn::Error::new_spanned(path, message)
}

/// The code of one of `http::StatusCode`'s constants, by name.
pub fn named_status(name: &str) -> Option<u16> {
    STATUS_CONSTANTS
        .iter()
        .find(|(constant, _)| *constant == name)
        .map(|(_, code)| *code)
}

/// `http::StatusCode`'s constants, so that a key or `abort!` written with one can suggest its literal.
const STATUS_CONSTANTS: &[(&str, u16)] = &[
    ("CONTINUE", 100),
    ("SWITCHING_PROTOCOLS", 101),
    ("PROCESSING", 102),
    ("EARLY_HINTS", 103),
    ("OK", 200),
    ("CREATED", 201),
    ("ACCEPTED", 202),
    ("NON_AUTHORITATIVE_INFORMATION", 203),
    ("NO_CONTENT", 204),
    ("RESET_CONTENT", 205),
    ("PARTIAL_CONTENT", 206),
    ("MULTI_STATUS", 207),
    ("ALREADY_REPORTED", 208),
    ("IM_USED", 226),
    ("MULTIPLE_CHOICES", 300),
    ("MOVED_PERMANENTLY", 301),
    ("FOUND", 302),
    ("SEE_OTHER", 303),
    ("NOT_MODIFIED", 304),
    ("USE_PROXY", 305),
    ("TEMPORARY_REDIRECT", 307),
    ("PERMANENT_REDIRECT", 308),
    ("BAD_REQUEST", 400),
    ("UNAUTHORIZED", 401),
    ("PAYMENT_REQUIRED", 402),
    ("FORBIDDEN", 403),
    ("NOT_FOUND", 404),
    ("METHOD_NOT_ALLOWED", 405),
    ("NOT_ACCEPTABLE", 406),
    ("PROXY_AUTHENTICATION_REQUIRED", 407),
    ("REQUEST_TIMEOUT", 408),
    ("CONFLICT", 409),
    ("GONE", 410),
    ("LENGTH_REQUIRED", 411),
    ("PRECONDITION_FAILED", 412),
    ("PAYLOAD_TOO_LARGE", 413),
    ("URI_TOO_LONG", 414),
    ("UNSUPPORTED_MEDIA_TYPE", 415),
    ("RANGE_NOT_SATISFIABLE", 416),
    ("EXPECTATION_FAILED", 417),
    ("IM_A_TEAPOT", 418),
    ("MISDIRECTED_REQUEST", 421),
    ("UNPROCESSABLE_ENTITY", 422),
    ("LOCKED", 423),
    ("FAILED_DEPENDENCY", 424),
    ("TOO_EARLY", 425),
    ("UPGRADE_REQUIRED", 426),
    ("PRECONDITION_REQUIRED", 428),
    ("TOO_MANY_REQUESTS", 429),
    ("REQUEST_HEADER_FIELDS_TOO_LARGE", 431),
    ("UNAVAILABLE_FOR_LEGAL_REASONS", 451),
    ("INTERNAL_SERVER_ERROR", 500),
    ("NOT_IMPLEMENTED", 501),
    ("BAD_GATEWAY", 502),
    ("SERVICE_UNAVAILABLE", 503),
    ("GATEWAY_TIMEOUT", 504),
    ("HTTP_VERSION_NOT_SUPPORTED", 505),
    ("VARIANT_ALSO_NEGOTIATES", 506),
    ("INSUFFICIENT_STORAGE", 507),
    ("LOOP_DETECTED", 508),
    ("NOT_EXTENDED", 510),
    ("NETWORK_AUTHENTICATION_REQUIRED", 511),
];
