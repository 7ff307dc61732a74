use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{LitInt, Token};

/// `abort!(code)` or `abort!(code, format, args...)`.
pub struct Abort {
    pub code: LitInt,
    pub description: Option<TokenStream>,
}

impl Parse for Abort {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let code = input.parse::<syn::Lit>().and_then(|lit| match lit {
            syn::Lit::Int(code) => Ok(code),
            other => Err(syn::Error::new(
                other.span(),
                "expected a status code such as `404`; abort! takes an integer literal in 400..=599",
            )),
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
