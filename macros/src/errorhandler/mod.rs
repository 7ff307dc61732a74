//! `errorhandler! { pub struct Set; #[errorhandler(404)] fn ...; 410 => gone; page_not_found; }`
//!
//! A `path;` entry names a `#[handler]` function, whose attribute left a macro of the function's name beside it
//! that hands over the function's keys and signature: the set calls the macro of its first entry not yet handed
//! over, which calls back `__errorhandler_resolved!` with the hand-over prepended, until every entry is resolved.

pub mod ast;
pub mod expand;
pub mod fallback;
pub mod valid;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use self::ast::{Input, Item, Named};

pub fn expand(input: TokenStream) -> TokenStream {
    expand_with(input, false)
}

/// The set, after the hand-overs `{ .. }` of its first named entries, latest first.
pub fn expand_resolved(input: TokenStream) -> TokenStream {
    expand_with(input, true)
}

fn expand_with(input: TokenStream, resolving: bool) -> TokenStream {
    let handed_over = input.clone();
    let mut trees = input.into_iter().peekable();
    let mut named = Vec::new();
    while resolving
        && let Some(TokenTree::Group(group)) = trees.peek()
        && group.delimiter() == Delimiter::Brace
    {
        match syn::parse2::<Named>(TokenTree::Group(group.clone()).into()) {
            Ok(handed_over) => named.push(handed_over),
            Err(error) => return error.to_compile_error(),
        }
        trees.next();
    }
    named.reverse();
    let set = match syn::parse2::<Input>(trees.collect()) {
        Ok(set) => set,
        Err(error) => return error.to_compile_error(),
    };
    let next = set
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Named(path) => Some(path),
            _ => None,
        })
        .nth(named.len());
    // The first stage of a set naming `#[handler]` functions emits the block's functions, which a name that is not
    // one would otherwise take with it.
    let first_stage = named.is_empty();
    let tokens = match next {
        Some(path) => {
            let first = first_stage.then(|| {
                let stand_in = fallback::stand_in(&set.set);
                let functions = expand::block_functions(&fallback::without_receivers(&set));
                quote!(#stand_in #functions)
            });
            quote! {
                #first
                #path! { #handed_over }
            }
        }
        None => match valid::validate(&set, &named) {
            Ok(model) => expand::handler_set(&model, &set, first_stage),
            Err(errors) => fallback::handler_set(&set, &errors, first_stage),
        },
    };
    crate::diagnostics::debug_expansion("errorhandler!", &tokens);
    tokens
}
