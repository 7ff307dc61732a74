//! Procedural macros of errorhandler; use them through the `errorhandler` crate, which documents them.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod abort;
mod codegen;
mod diagnostics;
mod error_status;
mod errorhandler;
mod handler;
mod session_error_handlers;
mod signature;
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

/// The set named in `errorhandler!` with its first `#[handler]` functions handed over; see `errorhandler::handler`.
#[doc(hidden)]
#[proc_macro]
pub fn errorhandler_resolved(input: TokenStream) -> TokenStream {
    errorhandler::expand_resolved(input.into()).into()
}

/// See `errorhandler::handler`.
#[proc_macro_attribute]
pub fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    handler::expand(args.into(), item.into()).into()
}

/// See `errorhandler::session::session_error_handlers`.
#[proc_macro_attribute]
pub fn session_error_handlers(args: TokenStream, item: TokenStream) -> TokenStream {
    session_error_handlers::expand(args.into(), item.into()).into()
}

/// See `errorhandler::status`.
#[proc_macro_attribute]
pub fn status(args: TokenStream, item: TokenStream) -> TokenStream {
    error_status::expand(args.into(), item.into()).into()
}
