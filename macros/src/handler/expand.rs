//! What `#[handler(..)]` leaves beside the function: see the module's documentation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;

use super::ast::{HandlerFn, NotAFunction};
use super::{ITEM_PREFIX, MACRO_PREFIX, STATE_PREFIX, hidden_name};
use crate::codegen::at;
use crate::errorhandler::expand::{answers_at_once, caller, key_value};
use crate::errorhandler::fallback::without_receiver;
use crate::errorhandler::valid::{HandlerItem, KeyKind, key_token};
use crate::signature::state_type;

pub fn handler_item(handler: &HandlerFn, checked: &HandlerItem<'_>) -> TokenStream {
    let function = &handler.function;
    let name = &function.sig.ident;
    let signature = &checked.signature;
    let item = hidden_name(ITEM_PREFIX, name);
    let state = signature.extractors.iter().find_map(|ty| state_type(ty));
    let (generics, state_param) = match state {
        Some(state) => (quote!(), quote!(#state)),
        None => (
            quote!(<__ErrorhandlerS: ::core::marker::Send + ::core::marker::Sync + 'static>),
            quote!(__ErrorhandlerS),
        ),
    };
    let state_alias = state.map(|state| {
        let alias = hidden_name(STATE_PREFIX, name);
        quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            pub(crate) type #alias = #state;
        }
    });
    let owned = signature.error.as_ref().is_some_and(|error| !error.by_ref);
    let mut key_aliases = Vec::new();
    let mut functions = Vec::new();
    for (index, key) in checked.keys.iter().enumerate() {
        let alias = format_ident!("__ErrorhandlerKey{}", index);
        if let KeyKind::Type(path) = key {
            // The only place the key is named, so that a path that is not an error type is reported once.
            let span = at(path.span());
            let mut checked_alias = alias.clone();
            checked_alias.set_span(span);
            key_aliases.push(quote! {
                type #alias = #path;
                const _: () = ::errorhandler::__private::assert_error_type::<#checked_alias>();
            });
            let matches = format_ident!("matches_{}", index);
            let (value, _) = key_value(&alias, key);
            functions.push(quote! {
                pub(crate) fn #matches(
                    __errorhandler_cause: &(dyn ::std::error::Error + 'static),
                    __errorhandler_depth: usize,
                ) -> bool {
                    #value.matches(__errorhandler_cause, __errorhandler_depth, #owned)
                }
            });
        }
        let call = format_ident!("call_{}", index);
        functions.push(caller(
            (&quote!(pub(crate)), &call, &generics),
            key_value(&alias, key),
            signature,
            &state_param,
        ));
    }
    let parts = signature
        .extractors
        .iter()
        .map(|ty| quote!(.union(::errorhandler::__private::HeadProbe::<#ty>::new().reads())));
    let keys = handler.keys.iter().map(key_token);
    let ready = if answers_at_once(signature) {
        quote!(ready)
    } else {
        quote!(pending)
    };
    let head = if signature.extractors.is_empty() {
        quote!(no_head)
    } else {
        quote!(head)
    };
    let state = if state.is_some() {
        quote!(state)
    } else {
        quote!(no_state)
    };
    let hand_over = hand_over(name, &quote!({ handler [#((#keys))*] #ready #head #state }));
    quote! {
        #function

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        pub(crate) enum #item {}

        #state_alias

        const _: () = {
            #[allow(unused_imports)]
            use ::errorhandler::__private::{KeyOfErrorType as _, KeyOfOtherType as _};
            #(#key_aliases)*

            #[allow(dead_code)]
            impl #item {
                pub(crate) fn head_parts() -> ::errorhandler::__private::HeadParts {
                    #[allow(unused_imports)]
                    use ::errorhandler::__private::ReadsAnyPart as _;
                    ::errorhandler::__private::HeadParts::NONE #(#parts)*
                }

                #(#functions)*
            }
        };

        #hand_over
    }
}

/// The function, the attribute's errors, and a macro that tells a set naming the function that they are
/// reported.
pub fn fallback(handler: &HandlerFn, errors: &syn::Error) -> TokenStream {
    let function = without_receiver(&handler.function);
    let errors = errors.to_compile_error();
    let hand_over = hand_over(&function.sig.ident, &quote!({ broken }));
    quote! {
        #function
        #errors
        #hand_over
    }
}

pub fn not_a_function(not_a_function: &NotAFunction) -> TokenStream {
    let NotAFunction { item, ident, error } = not_a_function;
    let error = error.to_compile_error();
    let hand_over = ident
        .as_ref()
        .map(|ident| hand_over(ident, &quote!({ broken })));
    quote! {
        #item
        #error
        #hand_over
    }
}

/// The macro `__errorhandler_<name>`, which a set calls with its tokens and the hand-overs before them; it
/// calls the set back with its own hand-over first.
fn hand_over(name: &syn::Ident, named: &TokenStream) -> TokenStream {
    let ident = hidden_name(MACRO_PREFIX, name);
    quote! {
        #[doc(hidden)]
        macro_rules! #ident {
            ($($set:tt)*) => {
                ::errorhandler::__private::errorhandler_resolved! { #named $($set)* }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use #ident;
    }
}
