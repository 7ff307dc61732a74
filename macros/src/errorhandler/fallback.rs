//! What `errorhandler!` emits when the block has mistakes: the user's items, the errors, and a set that handles
//! nothing, so that code using the set does not add errors of its own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ast::{Input, Item, SetDecl};
use super::expand::user_items;

pub fn handler_set(input: &Input, errors: &syn::Error, functions: bool) -> TokenStream {
    let items = user_items(&without_receivers(input), functions);
    let errors = errors.to_compile_error();
    let handles_nothing = handles_nothing(&input.set.ident, &input.set.vis);
    quote! {
        #items
        #errors
        #handles_nothing
    }
}

/// While the set's `#[handler]` functions are handed over: a set that handles nothing, glob-imported, which the
/// set's own struct shadows once expanded. When a name in the set is not a `#[handler]` function, the hand-over
/// stops at rustc's error under that name, and code using the set finds this one rather than an error of its own.
pub fn stand_in(set: &SetDecl) -> TokenStream {
    let ident = &set.ident;
    let module = format_ident!("__errorhandler_stand_in_{}", ident);
    let vis = syn::parse_quote!(pub(crate));
    let handles_nothing = handles_nothing(ident, &vis);
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, dead_code)]
        mod #module {
            pub(crate) struct #ident;
            #handles_nothing
        }
        #[allow(unused_imports)]
        use #module::*;
    }
}

fn handles_nothing(ident: &syn::Ident, vis: &syn::Visibility) -> TokenStream {
    quote! {
        const _: () = {
            impl ::errorhandler::__private::ErrorHandlers for #ident {
                type State = ();
                const KEYS: &'static [&'static str] = &[];

                fn needs_request_head() -> bool {
                    false
                }
                fn select(_: &::errorhandler::Error) -> ::core::option::Option<::errorhandler::__private::HandlerId> {
                    ::core::option::Option::None
                }
                fn select_status(_: ::errorhandler::__private::StatusCode) -> ::core::option::Option<::errorhandler::__private::HandlerId> {
                    ::core::option::Option::None
                }
                fn call(
                    _: ::errorhandler::__private::HandlerId,
                    _: ::errorhandler::Error,
                    _: ::core::option::Option<::errorhandler::__private::RequestHead<()>>,
                ) -> ::errorhandler::__private::HandlerCall {
                    ::errorhandler::__private::HandlerCall::NONE
                }
            }
            impl #ident {
                #[allow(dead_code)]
                #vis fn layer() -> ::errorhandler::ErrorLayer<Self> {
                    ::errorhandler::__private::layer(())
                }
                #[allow(dead_code)]
                #vis fn with_state<S>(_state: S) -> ::errorhandler::ErrorLayer<Self> {
                    ::errorhandler::__private::layer(())
                }
            }
        };
    }
}

/// The block with `self` parameters removed: one is already reported, and rustc would add its own error.
pub fn without_receivers(input: &Input) -> Input {
    let items = input
        .items
        .iter()
        .map(|item| match item {
            Item::Declared { keys, function } => Item::Declared {
                keys: keys.clone(),
                function: without_receiver(function),
            },
            other => other.clone(),
        })
        .collect();
    Input {
        set: input.set.clone(),
        items,
    }
}

/// The function without its `self` parameter, which validation has reported.
pub fn without_receiver(function: &syn::ItemFn) -> syn::ItemFn {
    let mut function = function.clone();
    function.sig.inputs = function
        .sig
        .inputs
        .into_iter()
        .filter(|input| !matches!(input, syn::FnArg::Receiver(_)))
        .collect();
    function
}
