use proc_macro2::TokenStream;
use syn::Token;

pub use crate::status::WrittenCode as Code;
use syn::parse::{Parse, ParseStream};

/// `abort!(code)` or `abort!(code, format, args...)`.
pub struct Abort {
    pub code: Code,
    pub description: Option<TokenStream>,
}

impl Parse for Abort {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        const EXPECTED: &str = "expected a status code such as `404`: abort! takes an integer literal in 400..=599; \
                                for a status known only at run time, call `HttpError::new(status)`";
        let code = crate::status::parse_written_code(input, EXPECTED, |rest| {
            rest.is_empty() || rest.peek(Token![,])
        })?;
        if input.is_empty() {
            return Ok(Self {
                code,
                description: None,
            });
        }
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            return Ok(Self {
                code,
                description: None,
            });
        }
        Ok(Self {
            code,
            description: Some(input.parse()?),
        })
    }
}
