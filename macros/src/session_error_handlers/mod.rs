//! `#[session_error_handlers] impl AuthErrors { async fn on_unauthorised(message: &str) -> ... }`

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let input = match ast::Input::parse(args, item.clone()) {
        Ok(input) => input,
        Err(misplaced) => {
            return expand::misplaced(&item, &misplaced.error, misplaced.self_ty.as_deref());
        }
    };
    let tokens = match valid::validate(&input) {
        Ok(model) => expand::callbacks(&model),
        Err(errors) => expand::fallback(&input, &errors),
    };
    crate::diagnostics::debug_expansion("#[session_error_handlers]", &tokens);
    tokens
}
