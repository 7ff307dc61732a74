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

/// The error, with the constant still named so that its import is not reported unused.
pub fn fallback(constant: &syn::Path, error: &syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote!({
        let _ = #constant;
        #error
    })
}
