//! The rule both macros share: an error status code is an integer in 400..=599.

use syn::LitInt;

/// The code of `lit`, or an error under it saying why it is not an error status.
pub fn error_status(lit: &LitInt, what: &str) -> syn::Result<u16> {
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{lit}` is not a status code; {what} takes an error status in 400..=599"),
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
