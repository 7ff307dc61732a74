//! `#[status(404)] struct NotFound;` and `#[status] impl ErrorStatus for T { ... }`: an error type declares its
//! status and registers itself, so that `?` into `errorhandler::Error` finds it.

mod ast;
mod expand;
mod valid;

use proc_macro2::TokenStream;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let input = ast::Input::parse(args, item);
    let tokens = match valid::validate(&input) {
        Ok(declaration) => expand::declaration(&input, &declaration),
        Err(errors) => expand::fallback(&input, &errors),
    };
    crate::diagnostics::debug_expansion("#[status]", &tokens);
    tokens
}
