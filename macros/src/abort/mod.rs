//! `abort!(404, "description {arg}")`: an `HttpError` whose code is checked at compile time.

mod ast;
mod expand;

use proc_macro2::TokenStream;

pub fn expand(input: TokenStream) -> TokenStream {
    let tokens = match syn::parse2::<ast::Abort>(input) {
        Ok(abort) => match &abort.code {
            ast::Code::Literal(lit) => match crate::status::error_status(lit, "abort!") {
                Ok(code) => expand::abort(code, &abort),
                Err(error) => error.to_compile_error(),
            },
            ast::Code::Constant(path, code) => {
                let error = crate::status::constant_status(path, *code, "abort!");
                expand::fallback(path, &error)
            }
        },
        Err(error) => error.to_compile_error(),
    };
    crate::diagnostics::debug_expansion("abort!", &tokens);
    tokens
}
