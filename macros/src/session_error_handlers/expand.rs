//! Turns the callbacks into the runtime's `SessionErrorHandlers` implementation and the layer constructors.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ImplItem, ReturnType, Type};

use super::ast::Input;
use super::valid::{Callback, CallbackKind, Model, Payload};
use crate::codegen::{at, extract_arguments};

pub fn callbacks(model: &Model<'_>) -> TokenStream {
    let block = model.block;
    let self_ty = model.self_ty();
    let (impl_generics, state) = match model.state {
        Some(state) => (quote!(), quote!(#state)),
        None => (
            quote!(<__S: ::core::marker::Send + ::core::marker::Sync + 'static>),
            quote!(__S),
        ),
    };
    let needs_head = model
        .callbacks
        .iter()
        .any(|callback| !callback.extractors.is_empty());
    let session_error = quote!(::errorhandler::session::SessionError);
    let error_kind = quote!(::errorhandler::session::SessionErrorKind);
    let handled = |kind: CallbackKind| model.callbacks.iter().any(|callback| callback.kind == kind);
    let handles = [
        CallbackKind::Unauthorised,
        CallbackKind::TryRefreshToken,
        CallbackKind::TokenTheftDetected,
        CallbackKind::InvalidClaim,
    ]
    .into_iter()
    .map(|kind| {
        let variant = format_ident!("{}", kind.variant());
        let handled = handled(kind);
        quote!(#error_kind::#variant { .. } => #handled,)
    });
    let arms = model.callbacks.iter().map(|callback| {
        let variant = format_ident!("{}", callback.kind.variant());
        let caller = caller_ident(callback.kind);
        let turbofish = model.state.is_none().then(|| quote!(::<__S>));
        if answers_at_once(callback) {
            quote!(#error_kind::#variant { .. } => ::errorhandler::__private::HandlerCall::Ready(#caller #turbofish(error, head)),)
        } else {
            quote!(#error_kind::#variant { .. } => ::errorhandler::__private::HandlerCall::Pending(::std::boxed::Box::pin(#caller #turbofish(error, head))),)
        }
    });
    let fallthrough = quote! {
        _ => ::errorhandler::__private::HandlerCall::NONE,
    };
    let callers = model
        .callbacks
        .iter()
        .map(|callback| caller(model, callback));
    let constructor = match model.state {
        None => quote! {
            /// The layer that answers session errors with these callbacks.
            pub fn layer() -> ::errorhandler::ErrorLayer<::errorhandler::session::__private::SessionErrorSet<Self>> {
                ::errorhandler::__private::layer(())
            }
        },
        Some(state) => quote! {
            /// The layer that answers session errors with these callbacks, whose extractors read `state`.
            pub fn with_state(
                state: #state,
            ) -> ::errorhandler::ErrorLayer<::errorhandler::session::__private::SessionErrorSet<Self, #state>> {
                ::errorhandler::__private::layer(state)
            }
        },
    };
    quote! {
        #block

        const _: () = {
            impl #impl_generics ::errorhandler::session::__private::SessionErrorHandlers<#state> for #self_ty {
                const NEEDS_REQUEST_HEAD: bool = #needs_head;

                fn handles(error: &#session_error) -> bool {
                    #[allow(unreachable_patterns)]
                    match error.kind() {
                        #(#handles)*
                        // The recipe's own refusals (a cross-origin request) keep their default answer.
                        _ => false,
                    }
                }

                fn call(
                    error: #session_error,
                    head: ::core::option::Option<::errorhandler::__private::RequestHead<#state>>,
                ) -> ::errorhandler::__private::HandlerCall {
                    #[allow(unreachable_patterns)]
                    match error.kind() {
                        #(#arms)*
                        #fallthrough
                    }
                }
            }

            impl #self_ty {
                #constructor
            }

            #(#callers)*
        };
    }
}

/// The block with its mistakes, and implementations that handle nothing so that code using it adds no errors.
pub fn fallback(input: &Input, errors: &syn::Error) -> TokenStream {
    let mut block = input.block.clone();
    // A second definition of a callback is already reported; rustc would report it again.
    let mut seen = HashSet::new();
    block.items.retain(|item| match item {
        ImplItem::Fn(function) => seen.insert(function.sig.ident.to_string()),
        _ => true,
    });
    let errors = errors.to_compile_error();
    let inert = inert_callbacks(&block.self_ty);
    quote! {
        #block
        #errors
        #inert
    }
}

/// The attribute on another item, with the error: when the item names a type, that type gets callbacks that
/// handle nothing, so that `session => AuthErrors;` adds no error to the one already reported.
pub fn misplaced(item: &TokenStream, error: &syn::Error, self_ty: Option<&Type>) -> TokenStream {
    let error = error.to_compile_error();
    let inert = self_ty.map(inert_callbacks);
    quote! {
        #item
        #error
        #inert
    }
}

/// Implementations that handle nothing, for a type whose callbacks have mistakes.
fn inert_callbacks(self_ty: &Type) -> TokenStream {
    quote! {
        const _: () = {
            impl<__S> ::errorhandler::session::__private::SessionErrorHandlers<__S> for #self_ty {
                const NEEDS_REQUEST_HEAD: bool = false;
                fn handles(_: &::errorhandler::session::SessionError) -> bool {
                    false
                }
                fn call(
                    _: ::errorhandler::session::SessionError,
                    _: ::core::option::Option<::errorhandler::__private::RequestHead<__S>>,
                ) -> ::errorhandler::__private::HandlerCall {
                    ::errorhandler::__private::HandlerCall::NONE
                }
            }
            impl #self_ty {
                #[allow(dead_code)]
                pub fn layer() -> ::errorhandler::ErrorLayer<::errorhandler::session::__private::SessionErrorSet<Self>> {
                    ::errorhandler::__private::layer(())
                }
                #[allow(dead_code)]
                pub fn with_state<__S>(
                    _state: __S,
                ) -> ::errorhandler::ErrorLayer<::errorhandler::session::__private::SessionErrorSet<Self>> {
                    ::errorhandler::__private::layer(())
                }
            }
        };
    }
}

fn caller_ident(kind: CallbackKind) -> syn::Ident {
    format_ident!("__errorhandler_session_{}", kind.name())
}

/// Whether a callback answers as soon as it is called: a plain `fn` without extractors, whose caller needs no
/// future (and no box for one).
fn answers_at_once(callback: &Callback<'_>) -> bool {
    callback.function.sig.asyncness.is_none() && callback.extractors.is_empty()
}

/// The function that runs a callback's extractors, hands over its payload and calls it: an `async fn` unless
/// the callback [answers at once](answers_at_once).
fn caller(model: &Model<'_>, callback: &Callback<'_>) -> TokenStream {
    let ident = caller_ident(callback.kind);
    let self_ty = model.self_ty();
    let function = &callback.function.sig.ident;
    let (generics, state) = match model.state {
        Some(state) => (quote!(), quote!(#state)),
        None => (
            quote!(<__S: ::core::marker::Send + ::core::marker::Sync + 'static>),
            quote!(__S),
        ),
    };
    let variant = format_ident!("{}", callback.kind.variant());
    let fields: Vec<syn::Ident> = callback
        .kind
        .payload()
        .iter()
        .map(|payload| format_ident!("{}", payload.field()))
        .collect();
    let payload = callback
        .kind
        .payload()
        .iter()
        .zip(&fields)
        .zip(&callback.payload)
        .map(|((kind, field), ty)| {
            let span = at(ty.span());
            match kind {
                Payload::Claims => {
                    quote_spanned!(span=> ::errorhandler::session::__private::claims_payload::<#ty>(#field))
                }
                _ => {
                    quote_spanned!(span=> ::errorhandler::session::__private::string_payload::<#ty>(#field))
                }
            }
        });
    let (extractions, arguments) = extract_arguments(&callback.extractors, &state);
    let awaited = callback.function.sig.asyncness.map(|_| quote!(.await));
    let output_span = match &callback.function.sig.output {
        ReturnType::Type(_, ty) => at(ty.span()),
        ReturnType::Default => at(function.span()),
    };
    let response = quote_spanned!(output_span=> __errorhandler_response);
    let respond =
        quote_spanned!(output_span=> ::errorhandler::__private::respond::<#function, _>(#response));
    let asyncness = (!answers_at_once(callback)).then(|| quote!(async));
    quote! {
        #asyncness fn #ident #generics(
            __errorhandler_err: ::errorhandler::session::SessionError,
            __errorhandler_head: ::core::option::Option<::errorhandler::__private::RequestHead<#state>>,
        ) -> ::core::option::Option<::errorhandler::__private::Response> {
            /// Names the callback in the message of a return type that is not a response.
            #[allow(non_camel_case_types)]
            struct #function {}

            #extractions
            let ::errorhandler::session::SessionErrorKind::#variant { #(#fields,)* .. } = __errorhandler_err.kind() else {
                return ::core::option::Option::None;
            };
            let #response = <#self_ty>::#function(#(#payload,)* #(#arguments),*) #awaited;
            ::core::option::Option::Some(#respond)
        }
    }
}
