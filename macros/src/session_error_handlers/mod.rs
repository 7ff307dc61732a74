//! `#[session_error_handlers] impl AuthErrors { async fn on_unauthorised(message: &str) -> ... }`

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;
use quote::quote;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let input = match ast::Input::parse(args, item.clone()) {
        Ok(input) => input,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#item #error);
        }
    };
    let tokens = match valid::validate(&input) {
        Ok(model) => expand::callbacks(&model),
        Err(errors) => expand::fallback(&input, &errors),
    };
    crate::diagnostics::debug_expansion("#[session_error_handlers]", &tokens);
    tokens
}
