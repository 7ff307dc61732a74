use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{LitInt, Token};

/// `abort!(code)` or `abort!(code, format, args...)`.
pub struct Abort {
    pub code: Code,
    pub description: Option<TokenStream>,
}

pub enum Code {
    Literal(LitInt),
    /// One of `StatusCode`'s constants, `StatusCode::NOT_FOUND`, which validation rejects with its literal.
    Constant(syn::Path, u16),
}

impl Parse for Abort {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        const EXPECTED: &str = "expected a status code such as `404`: abort! takes an integer literal in 400..=599; \
                                for a status known only at run time, call `errorhandler::abort(status)`";
        let constant = input.fork();
        let code = if let Ok(path) = constant.parse::<syn::Path>()
            && let Some(code) = path
                .segments
                .last()
                .and_then(|last| crate::status::named_status(&last.ident.to_string()))
            && (constant.is_empty() || constant.peek(Token![,]))
        {
            input.parse::<syn::Path>()?;
            Code::Constant(path, code)
        } else {
            match input.parse::<syn::Lit>() {
                Ok(syn::Lit::Int(code)) => Code::Literal(code),
                Ok(other) => return Err(syn::Error::new(other.span(), EXPECTED)),
                Err(error) => return Err(syn::Error::new(error.span(), EXPECTED)),
            }
        };
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
