//! `abort!(404, "description {arg}")`: an `HttpError` whose code is checked at compile time.

mod ast;
mod expand;

use proc_macro2::TokenStream;

pub fn expand(input: TokenStream) -> TokenStream {
    let tokens = match syn::parse2::<ast::Abort>(input).and_then(|abort| {
        let code = crate::status::error_status(&abort.code, "abort!")?;
        Ok(expand::abort(code, &abort))
    }) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    };
    crate::diagnostics::debug_expansion("abort!", &tokens);
    tokens
}
