//! Procedural macros of errorhandler; use them through the `errorhandler` crate.

use proc_macro::TokenStream;

#[proc_macro]
pub fn abort(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

#[proc_macro]
pub fn errorhandler(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}
