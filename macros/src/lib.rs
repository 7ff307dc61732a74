//! Procedural macros of errorhandler; use them through the `errorhandler` crate, which documents them.

mod abort;
mod diagnostics;
mod errorhandler;
mod status;

use proc_macro::TokenStream;

/// See `errorhandler::abort!`.
#[proc_macro]
pub fn abort(input: TokenStream) -> TokenStream {
    abort::expand(input.into()).into()
}

/// See `errorhandler::errorhandler!`.
#[proc_macro]
pub fn errorhandler(input: TokenStream) -> TokenStream {
    errorhandler::expand(input.into()).into()
}
