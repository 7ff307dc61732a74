use proc_macro2::TokenStream;
use quote::quote;

use super::ast::Abort;

pub fn abort(code: u16, abort: &Abort) -> TokenStream {
    let description = match &abort.description {
        Some(format) => quote!(::core::option::Option::Some(::core::format_args!(#format))),
        None => quote!(::core::option::Option::None),
    };
    quote!(::errorhandler::__private::abort_with(#code, #description))
}
