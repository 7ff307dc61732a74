//! What `errorhandler!` emits when the block has mistakes: the user's items, the errors, and a set that handles
//! nothing, so that code using the set does not add errors of its own.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::{Input, Item};
use super::expand::user_items;

pub fn handler_set(input: &Input, errors: &syn::Error) -> TokenStream {
    let items = user_items(&without_receivers(input));
    let errors = errors.to_compile_error();
    let ident = &input.set.ident;
    let vis = &input.set.vis;
    quote! {
        #items
        #errors
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
                    ::errorhandler::ErrorLayer::new(())
                }
                #[allow(dead_code)]
                #vis fn with_state<S>(_state: S) -> ::errorhandler::ErrorLayer<Self> {
                    ::errorhandler::ErrorLayer::new(())
                }
            }
        };
    }
}

/// The block with `self` parameters removed: one is already reported, and rustc would add its own error.
fn without_receivers(input: &Input) -> Input {
    let items = input
        .items
        .iter()
        .map(|item| match item {
            Item::Declared { keys, function } => {
                let mut function = function.clone();
                function.sig.inputs = function
                    .sig
                    .inputs
                    .into_iter()
                    .filter(|input| !matches!(input, syn::FnArg::Receiver(_)))
                    .collect();
                Item::Declared {
                    keys: keys.clone(),
                    function,
                }
            }
            other => other.clone(),
        })
        .collect();
    Input {
        set: input.set.clone(),
        items,
    }
}
