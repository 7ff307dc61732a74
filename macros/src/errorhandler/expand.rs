//! Turns a validated set into its struct, the user's functions, and the `ErrorHandlers` implementation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ReturnType, Type};

use super::ast::{Input, Item, SetDecl};
use super::valid::{Handler, KeyKind, Model, Signature, Target};
use crate::codegen::{at, extract_arguments};

/// `functions`: whether to emit the block's functions, which the first stage of a set naming `#[handler]`
/// functions already emitted.
pub fn handler_set(model: &Model<'_>, input: &Input, functions: bool) -> TokenStream {
    let items = user_items(input, functions);
    let ident = &model.set.ident;
    let vis = &model.set.vis;
    let state = match &model.state {
        Some(state) => quote!(#state),
        None => quote!(()),
    };
    let needs_own_head =
        model
            .handlers
            .iter()
            .any(|handler| match (&handler.target, &handler.key) {
                (Target::Declared(signature), _) => !signature.extractors.is_empty(),
                (Target::Named { handler, .. }, _) => handler.head,
                (Target::Registered(_), _) => false,
            });
    // A registered function's extractors are known from its type only: ask the `registered(..)` value that
    // calls it.
    let registered_needs_head =
        model
            .handlers
            .iter()
            .enumerate()
            .filter_map(|(id, handler)| match (&handler.target, &handler.key) {
                (Target::Registered(_), KeyKind::Session) => None,
                (Target::Registered(_), _) => {
                    let registered = registered_ident(id);
                    Some(quote!(|| #registered().needs_request_head()))
                }
                (Target::Declared(_) | Target::Named { .. }, _) => None,
            });
    // The only place a registered function is named, so that one unfit for its key is reported once.
    let registered_fns = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match (&handler.target, &handler.key) {
            (Target::Registered(_), KeyKind::Session) => None,
            (Target::Registered(function), key) => Some(registered(id, function, key, &state)),
            (Target::Declared(_) | Target::Named { .. }, _) => None,
        });
    // The only place a type key is named, so that a path that is not a type, or a generic type without its
    // arguments, is reported once. A `#[handler]` function's module names its keys.
    let key_aliases = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match (&handler.key, &handler.target) {
            (_, Target::Named { .. }) => None,
            (KeyKind::Type(path), _) => {
                let alias = key_alias(id);
                Some(quote!(type #alias = #path;))
            }
            _ => None,
        });
    let session_callbacks =
        model
            .handlers
            .iter()
            .find_map(|handler| match (&handler.target, &handler.key) {
                (Target::Registered(callbacks), KeyKind::Session) => Some(callbacks),
                _ => None,
            });
    // The only place the callbacks type is named, so that a type that is not one is reported once.
    let session_const = session_callbacks.map(|callbacks| {
        let span = at(callbacks.span());
        let of = quote_spanned!(span=> ::errorhandler::session::__private::SessionCallbacks::<#state>::of::<#callbacks>);
        quote! {
            const __ERRORHANDLER_SESSION: ::errorhandler::session::__private::SessionCallbacks<#state> = #of();
        }
    });
    let session_needs_head =
        session_callbacks.map(|_| quote!(|| __ERRORHANDLER_SESSION.needs_request_head));
    let needs_head = quote!(#needs_own_head #(#registered_needs_head)* #session_needs_head);
    // The parts of the head the declared handlers' extractors read, exactly for axum's own; all of them for a
    // registered function or session callbacks that read any.
    let own_parts = model
        .handlers
        .iter()
        .flat_map(|handler| match &handler.target {
            Target::Declared(signature) => signature
                .extractors
                .iter()
                .map(
                    |ty| quote!(.union(::errorhandler::__private::HeadProbe::<#ty>::new().reads())),
                )
                .collect(),
            Target::Named {
                path,
                index: 0,
                handler,
            } if handler.head => {
                vec![quote!(.union(#path::head_parts()))]
            }
            Target::Named { .. } | Target::Registered(_) => Vec::new(),
        });
    let other_parts = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match (&handler.target, &handler.key) {
            (Target::Registered(_), KeyKind::Session) => Some(quote! {
                .union(if __ERRORHANDLER_SESSION.needs_request_head {
                    ::errorhandler::__private::HeadParts::ALL
                } else {
                    ::errorhandler::__private::HeadParts::NONE
                })
            }),
            (Target::Registered(_), _) => {
                let registered = registered_ident(id);
                Some(quote! {
                    .union(if #registered().needs_request_head() {
                        ::errorhandler::__private::HeadParts::ALL
                    } else {
                        ::errorhandler::__private::HeadParts::NONE
                    })
                })
            }
            (Target::Declared(_) | Target::Named { .. }, _) => None,
        });
    let head_parts = quote! {
        #[allow(unused_imports)]
        use ::errorhandler::__private::ReadsAnyPart as _;
        ::errorhandler::__private::HeadParts::NONE #(#own_parts)* #(#other_parts)*
    };
    let type_checks = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match (&handler.key, &handler.target) {
            (_, Target::Named { .. }) => None,
            (KeyKind::Type(path), _) => {
                let span = at(path.span());
                let mut alias = key_alias(id);
                alias.set_span(span);
                Some(quote_spanned!(span=> const _: () = ::errorhandler::__private::assert_error_type::<#alias>();))
            }
            _ => None,
        });
    let keys = model.handlers.iter().map(|handler| key_text(&handler.key));
    let select = select(model);
    let select_status = select_status(model);
    let arms = model
        .handlers
        .iter()
        .enumerate()
        .map(|(id, handler)| call_arm(id, handler));
    let callers = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match &handler.target {
            Target::Declared(signature) => Some(caller(
                (&quote!(), &caller_ident(id), &quote!(), &quote!()),
                key_value(&key_alias(id), &handler.key),
                signature,
                &state,
            )),
            Target::Named { path, index: 0, .. } => Some(named_caller(id, path, &state)),
            Target::Registered(_) | Target::Named { .. } => None,
        });
    let constructor = match &model.state {
        None => quote! {
            /// The layer that serves these error handlers.
            #vis fn layer() -> ::errorhandler::ErrorLayer<Self> {
                ::errorhandler::__private::layer(())
            }
        },
        Some(state) => quote! {
            /// The layer that serves these error handlers, whose extractors read `state`.
            #vis fn with_state(state: #state) -> ::errorhandler::ErrorLayer<Self> {
                ::errorhandler::__private::layer(state)
            }
        },
    };
    quote! {
        #items
        const _: () = {
            #[allow(unused_imports)]
            use ::errorhandler::__private::{
                KeyOfErrorType as _, KeyOfOtherType as _,
            };
            #(#key_aliases)*
            #(#type_checks)*
            #session_const
            #(#registered_fns)*

            impl ::errorhandler::__private::ErrorHandlers for #ident {
                type State = #state;
                const KEYS: &'static [&'static str] = &[#(#keys),*];

                fn needs_request_head() -> bool {
                    #needs_head
                }

                fn request_head_parts() -> ::errorhandler::__private::HeadParts {
                    #head_parts
                }

                fn select(__errorhandler_err: &::errorhandler::Error) -> ::core::option::Option<::errorhandler::__private::HandlerId> {
                    #select
                }

                fn select_status(__errorhandler_status: ::errorhandler::__private::StatusCode) -> ::core::option::Option<::errorhandler::__private::HandlerId> {
                    #select_status
                }

                fn call(
                    __errorhandler_id: ::errorhandler::__private::HandlerId,
                    __errorhandler_err: ::errorhandler::Error,
                    __errorhandler_head: ::core::option::Option<::errorhandler::__private::RequestHead<#state>>,
                ) -> ::errorhandler::__private::HandlerCall {
                    match __errorhandler_id.index() {
                        #(#arms)*
                        _ => ::errorhandler::__private::HandlerCall::NONE,
                    }
                }
            }

            impl #ident {
                #constructor
            }

            #(#callers)*
        };
    }
}

/// The set's struct and, with `functions`, the functions of the block as the user wrote them minus
/// `#[errorhandler]`.
pub fn user_items(input: &Input, functions: bool) -> TokenStream {
    let SetDecl {
        attrs,
        vis,
        struct_token,
        ident,
        semi_token,
        ..
    } = &input.set;
    let functions = functions.then(|| block_functions(input));
    quote! {
        #(#attrs)*
        #vis #struct_token #ident #semi_token
        #functions
    }
}

/// The functions of the block, as the user wrote them minus `#[errorhandler]`.
pub fn block_functions(input: &Input) -> TokenStream {
    let functions = input.items.iter().filter_map(|item| match item {
        Item::Declared { function, .. } => Some(quote!(#function)),
        Item::Unknown(item) => Some(quote!(#item)),
        Item::Registered { .. } | Item::Named(_) | Item::Malformed(_) => None,
    });
    quote!(#(#functions)*)
}

/// Dispatch, most specific first: the error's type and its sources, then its status, its class, `default`.
fn select(model: &Model<'_>) -> TokenStream {
    let by_type = by_type(model);
    let session = model.handlers.iter().enumerate().find_map(|(id, handler)| {
        match (&handler.key, &handler.target) {
            (KeyKind::Session, Target::Registered(_)) => {
                let id = handler_id(id);
                // A session error belongs to the callbacks: those they leave out keep SuperTokens' default.
                Some(quote! {
                    if ::errorhandler::session::__private::is_session_error(__errorhandler_err) {
                        return (__ERRORHANDLER_SESSION.select)(__errorhandler_err, #id);
                    }
                })
            }
            _ => None,
        }
    });
    let type_walk = (!by_type.is_empty()).then(|| {
        quote! {
            for (__errorhandler_depth, __errorhandler_cause) in __errorhandler_err.chain().enumerate() {
                #(#by_type)*
            }
        }
    });
    let by_status = by_status(model);
    quote! {
        #session
        #type_walk
        let __errorhandler_status = __errorhandler_err.status();
        #by_status
    }
}

/// Dispatch of a response that carries no error value, as `select` dispatches a bare `HttpError` of its status:
/// the same rules without building an `Error` (and its box) first.
fn select_status(model: &Model<'_>) -> TokenStream {
    let by_type = by_type(model);
    let type_test = (!by_type.is_empty()).then(|| {
        quote! {
            let __errorhandler_bare = ::errorhandler::HttpError::new(__errorhandler_status);
            let __errorhandler_cause: &(dyn ::std::error::Error + 'static) = &__errorhandler_bare;
            let __errorhandler_depth = 0_usize;
            #(#by_type)*
        }
    });
    let by_status = by_status(model);
    quote! {
        #type_test
        #by_status
    }
}

/// The type tests of the set's type keys, against `__errorhandler_cause` at `__errorhandler_depth`.
fn by_type(model: &Model<'_>) -> Vec<TokenStream> {
    model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| {
            if !matches!(handler.key, KeyKind::Type(_)) {
                return None;
            }
            let (key, _) = key_value(&key_alias(id), &handler.key);
            let matches = match &handler.target {
                Target::Declared(signature) => {
                    let owned = signature.error.as_ref().is_some_and(|error| !error.by_ref);
                    quote!(#key.matches(__errorhandler_cause, __errorhandler_depth, #owned))
                }
                Target::Registered(_) => {
                    let registered = registered_ident(id);
                    quote!(#key.matches(__errorhandler_cause, __errorhandler_depth, #registered().takes_owned_error()))
                }
                Target::Named { path, index, .. } => {
                    let matches = format_ident!("matches_{}", index);
                    quote!(#path::#matches(__errorhandler_cause, __errorhandler_depth))
                }
            };
            let id = handler_id(id);
            Some(quote! {
                if #matches {
                    return ::core::option::Option::Some(#id);
                }
            })
        })
        .collect()
}

/// The `match` on `__errorhandler_status`, then its class, then `default`.
fn by_status(model: &Model<'_>) -> TokenStream {
    let find = |wanted: fn(&KeyKind<'_>) -> bool| {
        model
            .handlers
            .iter()
            .position(|handler| wanted(&handler.key))
            .map(handler_id)
    };
    let codes = model
        .handlers
        .iter()
        .enumerate()
        .filter_map(|(id, handler)| match handler.key {
            KeyKind::Status(code) => {
                let id = handler_id(id);
                Some(quote!(#code => return ::core::option::Option::Some(#id),))
            }
            _ => None,
        });
    let client = find(|key| matches!(key, KeyKind::ClientErrors)).map(
        |id| quote!(if __errorhandler_status.is_client_error() { return ::core::option::Option::Some(#id); }),
    );
    let server = find(|key| matches!(key, KeyKind::ServerErrors)).map(
        |id| quote!(if __errorhandler_status.is_server_error() { return ::core::option::Option::Some(#id); }),
    );
    let default = match find(|key| matches!(key, KeyKind::Default)) {
        Some(id) => quote!(::core::option::Option::Some(#id)),
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #[allow(clippy::match_single_binding)]
        match __errorhandler_status.as_u16() {
            #(#codes)*
            _ => {}
        }
        #client
        #server
        #default
    }
}

/// A key as the set writes it, for the log and the `ErrorReport`: `404`, `4xx`, `default`, `io::Error`.
fn key_text(key: &KeyKind<'_>) -> String {
    match key {
        KeyKind::Status(code) => code.to_string(),
        KeyKind::ClientErrors => "4xx".to_owned(),
        KeyKind::ServerErrors => "5xx".to_owned(),
        KeyKind::Default => "default".to_owned(),
        KeyKind::Type(path) => quote!(#path)
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        KeyKind::Session => "session".to_owned(),
    }
}

fn handler_id(id: usize) -> TokenStream {
    let id = u16::try_from(id).expect("fewer than 65536 handlers in one set");
    quote!(::errorhandler::__private::HandlerId::new(#id))
}

/// The key value that hands the error to a handler, and the type of the handler's error parameter.
///
/// A type key goes through `TypeProbe` so that a key that is not an error type, reported once by
/// `assert_error_type`, gets a stand-in key instead of a second error in the handler's code.
pub fn key_value(alias: &syn::Ident, key: &KeyKind<'_>) -> (TokenStream, TokenStream) {
    match key {
        KeyKind::Type(_) => (
            quote!((&::errorhandler::__private::TypeProbe::<#alias>::new()).__errorhandler_key()),
            quote!(#alias),
        ),
        _ => (
            quote!(::errorhandler::__private::ByStatus),
            quote!(::errorhandler::HttpError),
        ),
    }
}

fn call_arm(id: usize, handler: &Handler<'_>) -> TokenStream {
    let index = u16::try_from(id).expect("fewer than 65536 handlers in one set");
    match &handler.target {
        Target::Declared(signature) if answers_at_once(signature) => {
            let caller = caller_ident(id);
            quote!(#index => ::errorhandler::__private::HandlerCall::Ready(#caller(__errorhandler_err, __errorhandler_head)),)
        }
        Target::Declared(_) => {
            let caller = caller_ident(id);
            quote!(#index => ::errorhandler::__private::HandlerCall::Pending(::std::boxed::Box::pin(#caller(__errorhandler_err, __errorhandler_head))),)
        }
        Target::Registered(_) if matches!(handler.key, KeyKind::Session) => {
            quote!(#index => (__ERRORHANDLER_SESSION.call)(__errorhandler_err, __errorhandler_head),)
        }
        Target::Registered(_) => {
            let registered = registered_ident(id);
            quote!(#index => #registered().call(__errorhandler_err, __errorhandler_head),)
        }
        Target::Named { index: key, .. } => {
            let named = named_ident(id - key);
            quote!(#index => #named(#key, __errorhandler_err, __errorhandler_head),)
        }
    }
}

/// The one call of a named `#[handler]` function, which checks its extractors against the set's state: spanned
/// at its name in the set, so that a parameter that is not an extractor of this state is reported there, once.
fn named_caller(id: usize, path: &syn::Path, state: &TokenStream) -> TokenStream {
    let ident = named_ident(id);
    let span = at(path.span());
    let call = quote_spanned!(span=> #path::call::<#state>(__errorhandler_key, __errorhandler_err, __errorhandler_head));
    quote! {
        fn #ident(
            __errorhandler_key: usize,
            __errorhandler_err: ::errorhandler::Error,
            __errorhandler_head: ::core::option::Option<::errorhandler::__private::RequestHead<#state>>,
        ) -> ::errorhandler::__private::HandlerCall {
            #call
        }
    }
}

fn named_ident(id: usize) -> syn::Ident {
    format_ident!("__errorhandler_named_{}", id)
}

/// The function that returns `registered::<..>(key, path)`, spanned at the path so that a function unfit for
/// its key is reported there. Its callers see an opaque handler type, which adds no error of its own.
fn registered(
    id: usize,
    function: &syn::Path,
    key: &KeyKind<'_>,
    state: &TokenStream,
) -> TokenStream {
    let ident = registered_ident(id);
    let (key, expected) = key_value(&key_alias(id), key);
    let span = at(function.span());
    let registered = quote_spanned! {span=>
        ::errorhandler::__private::registered::<_, #expected, _, #state, _>(#key, #function)
    };
    quote! {
        fn #ident() -> ::errorhandler::__private::Registered<impl ::core::marker::Sized, #state> {
            #registered
        }
    }
}

fn registered_ident(id: usize) -> syn::Ident {
    format_ident!("__errorhandler_registered_{}", id)
}

fn key_alias(id: usize) -> syn::Ident {
    format_ident!("__ErrorhandlerKey{}", id)
}

fn caller_ident(id: usize) -> syn::Ident {
    format_ident!("__errorhandler_call_{}", id)
}

/// Whether a declared handler answers as soon as it is called: a plain `fn` without extractors, whose caller
/// needs no future (and no box for one).
pub fn answers_at_once(signature: &Signature<'_>) -> bool {
    signature.function.sig.asyncness.is_none() && signature.extractors.is_empty()
}

/// The function that runs the extractors, hands over the error and calls a declared handler: an `async fn`
/// unless the handler [answers at once](answers_at_once). `qualifiers` go before `fn` (a visibility), `key` is
/// the [key value](key_value), and `state` the type of the request head's state, which the generics and their
/// `where` clause may declare. A caller with a `where` clause is a `#[handler]` function's, whose return type
/// is named in messages by the hidden type of the function's name.
pub fn caller(
    (qualifiers, ident, generics, where_clause): (
        &TokenStream,
        &syn::Ident,
        &TokenStream,
        &TokenStream,
    ),
    key: (TokenStream, TokenStream),
    signature: &Signature<'_>,
    state: &TokenStream,
) -> TokenStream {
    let function = &signature.function.sig.ident;
    let (key, expected) = key;
    let (extractions, arguments) = extract_arguments(&signature.extractors, state);
    let (error_binding, error_argument) = match &signature.error {
        None => (quote!(let _ = __errorhandler_err;), quote!()),
        Some(param) => {
            let ty: &Type = param.ty;
            let span = at(ty.span());
            let binding = if param.by_ref {
                let borrow = quote_spanned!(span=> ::errorhandler::__private::borrow_error::<_, #expected, #ty>);
                quote! {
                    let __errorhandler_key = #key;
                    let __errorhandler_held = ::errorhandler::__private::hold_error(__errorhandler_key, __errorhandler_err)?;
                    let __errorhandler_error = #borrow(__errorhandler_key, &__errorhandler_held)?;
                }
            } else {
                let take = quote_spanned!(span=> ::errorhandler::__private::take_error::<_, #expected, #ty>);
                quote!(let __errorhandler_error = #take(#key, __errorhandler_err)?;)
            };
            (binding, quote!(__errorhandler_error,))
        }
    };
    let awaited = signature.function.sig.asyncness.map(|_| quote!(.await));
    let output_span = match &signature.function.sig.output {
        ReturnType::Type(_, ty) => at(ty.span()),
        ReturnType::Default => at(function.span()),
    };
    let response = quote_spanned!(output_span=> __errorhandler_response);
    let respond =
        quote_spanned!(output_span=> ::errorhandler::__private::respond::<#function, _>(#response));
    let asyncness = (!answers_at_once(signature)).then(|| quote!(async));
    // A `#[handler]` function has a type of its name already, which a second would rename in the message.
    let names_handler = where_clause.is_empty().then(|| {
        quote! {
            /// Names the handler in the message of a return type that is not a response.
            #[allow(non_camel_case_types)]
            struct #function {}
        }
    });
    quote! {
        #qualifiers #asyncness fn #ident #generics(
            __errorhandler_err: ::errorhandler::Error,
            __errorhandler_head: ::core::option::Option<::errorhandler::__private::RequestHead<#state>>,
        ) -> ::core::option::Option<::errorhandler::__private::Response>
        #where_clause
        {
            #names_handler

            #extractions
            #error_binding
            let #response = #function(#error_argument #(#arguments),*) #awaited;
            ::core::option::Option::Some(#respond)
        }
    }
}
