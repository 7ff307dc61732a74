//! What `#[handler(..)]` leaves beside the function: see the module's documentation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Visibility};

use super::ast::{HandlerFn, NotAFunction};
use super::hidden_module;
use crate::codegen::at;
use crate::errorhandler::expand::{answers_at_once, caller, key_value};
use crate::errorhandler::fallback::without_receiver;
use crate::errorhandler::valid::{HandlerItem, KeyKind, key_token};
use crate::signature::state_type;

pub fn handler_item(handler: &HandlerFn, checked: &HandlerItem<'_>) -> TokenStream {
    let function = &handler.function;
    let name = &function.sig.ident;
    let vis = companion_vis(&function.vis);
    let signature = &checked.signature;
    let state = signature.extractors.iter().find_map(|ty| state_type(ty));
    let named_state = state.map(|state| {
        quote! {
            impl ::errorhandler::__private::NamedState for #name {
                type State = #state;
            }
        }
    });
    // Generic over the state of the set that names the function, which checks the bounds where it calls it.
    let generics = quote!(<__ErrorhandlerS: ::core::marker::Send + ::core::marker::Sync + 'static>);
    let bounds = signature.extractors.iter().map(|ty| {
        let span = at(ty.span());
        quote_spanned!(span=> #ty: ::errorhandler::__private::HeadExtractor<__ErrorhandlerS>,)
    });
    let where_clause = quote!(where #(#bounds)*);
    let owned = signature.error.as_ref().is_some_and(|error| !error.by_ref);
    let mut key_aliases = Vec::new();
    let mut functions = Vec::new();
    let mut arms = Vec::new();
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
            (&quote!(), &call, &generics, &where_clause),
            key_value(&alias, key),
            signature,
            &quote!(__ErrorhandlerS),
        ));
        let called = quote!(Self::#call(__errorhandler_err, __errorhandler_head));
        arms.push(if answers_at_once(signature) {
            quote!(#index => ::errorhandler::__private::HandlerCall::Ready(#called),)
        } else {
            quote!(#index => ::errorhandler::__private::HandlerCall::Pending(::std::boxed::Box::pin(#called)),)
        });
    }
    let parts = signature
        .extractors
        .iter()
        .map(|ty| quote!(.union(::errorhandler::__private::HeadProbe::<#ty>::new().reads())));
    let keys = handler.keys.iter().map(key_token);
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
    // `pub` where it is declared, so that it may name the function's state in a set's public `with_state`; as
    // visible as the function where it is re-exported.
    let ty = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        pub enum #name {}
    };
    let hand_over = hand_over(
        name,
        &vis,
        &quote!({ handler [#((#keys))*] #head #state }),
        &ty,
    );
    quote! {
        #function

        const _: () = {
            #[allow(unused_imports)]
            use ::errorhandler::__private::{KeyOfErrorType as _, KeyOfOtherType as _};
            #(#key_aliases)*

            #named_state

            #[allow(dead_code)]
            impl #name {
                pub(crate) fn head_parts() -> ::errorhandler::__private::HeadParts {
                    #[allow(unused_imports)]
                    use ::errorhandler::__private::ReadsAnyPart as _;
                    ::errorhandler::__private::HeadParts::NONE #(#parts)*
                }

                /// Calls the function for its `__errorhandler_key`th key.
                pub(crate) fn call #generics(
                    __errorhandler_key: usize,
                    __errorhandler_err: ::errorhandler::Error,
                    __errorhandler_head: ::core::option::Option<::errorhandler::__private::RequestHead<__ErrorhandlerS>>,
                ) -> ::errorhandler::__private::HandlerCall
                #where_clause
                {
                    match __errorhandler_key {
                        #(#arms)*
                        _ => ::errorhandler::__private::HandlerCall::NONE,
                    }
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
    let vis = companion_vis(&function.vis);
    let hand_over = hand_over(&function.sig.ident, &vis, &quote!({ broken }), &quote!());
    quote! {
        #function
        #errors
        #hand_over
    }
}

pub fn not_a_function(not_a_function: &NotAFunction) -> TokenStream {
    let NotAFunction {
        item,
        ident,
        vis,
        error,
    } = not_a_function;
    let error = error.to_compile_error();
    let hand_over = ident
        .as_ref()
        .map(|ident| hand_over(ident, &companion_vis(vis), &quote!({ broken }), &quote!()));
    quote! {
        #item
        #error
        #hand_over
    }
}

/// The visibility of what the attribute leaves beside the function: the function's own, at most `pub(crate)`,
/// which is as far as a `macro_rules!` macro can be re-exported.
fn companion_vis(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Public(_) => quote!(pub(crate)),
        other => quote!(#other),
    }
}

/// The macro of the function's name, which a set calls with its tokens and the hand-overs before them; it
/// calls the set back with its own hand-over first. In a hidden module, with `ty`, the type of the function's
/// name, if any, in a module of its own, so that the `use`s beside the function import them and not the
/// function.
fn hand_over(
    name: &Ident,
    vis: &TokenStream,
    named: &TokenStream,
    ty: &TokenStream,
) -> TokenStream {
    let module = hidden_module(name);
    let ty = (!ty.is_empty()).then(|| {
        quote! {
            pub mod ty {
                #ty
            }
        }
    });
    let use_ty = ty.as_ref().map(|_| {
        quote! {
            #[doc(hidden)]
            #[allow(unused_imports)]
            #vis use #module::ty::#name;
        }
    });
    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod #module {
            #[doc(hidden)]
            #[allow(unused_macros)]
            macro_rules! #name {
                ($($set:tt)*) => {
                    ::errorhandler::__private::errorhandler_resolved! { #named $($set)* }
                };
            }
            pub(crate) use #name;

            #ty
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        #vis use #module::#name;
        #use_ty
    }
}
