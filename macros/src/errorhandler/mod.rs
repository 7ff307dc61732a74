//! `errorhandler! { pub struct Set; #[errorhandler(404)] fn ...; 410 => gone; }`

mod ast;
mod expand;
mod fallback;
mod valid;

use proc_macro2::TokenStream;

pub fn expand(input: TokenStream) -> TokenStream {
    let input = match syn::parse2::<ast::Input>(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let tokens = match valid::validate(&input) {
        Ok(model) => expand::handler_set(&model, &input),
        Err(errors) => fallback::handler_set(&input, &errors),
    };
    crate::diagnostics::debug_expansion("errorhandler!", &tokens);
    tokens
}
