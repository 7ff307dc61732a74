//! The syntax of `#[handler(key)]` and the attributes stacked under it.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Attribute, Ident, ItemFn, Visibility};

use crate::errorhandler::ast::{Key, parse_single_key};

/// A function with its keys, one per `#[handler(..)]`, in the order written.
pub struct HandlerFn {
    pub keys: Vec<Key>,
    /// The function as written, minus the stacked `#[handler(..)]` attributes.
    pub function: ItemFn,
}

/// An item that is not a function, with its name when it has one.
pub struct NotAFunction {
    pub item: TokenStream,
    pub ident: Option<Ident>,
    pub vis: Visibility,
    pub error: syn::Error,
}

pub fn parse(args: TokenStream, item: TokenStream) -> Result<HandlerFn, NotAFunction> {
    let first = parse_single_key.parse2(args).unwrap_or_else(Key::Malformed);
    let mut function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => return Err(not_a_function(item)),
    };
    let mut keys = vec![first];
    let mut attrs = Vec::with_capacity(function.attrs.len());
    for attr in function.attrs {
        if is_handler(&attr) {
            keys.push(
                attr.parse_args_with(parse_single_key)
                    .unwrap_or_else(Key::Malformed),
            );
        } else {
            attrs.push(attr);
        }
    }
    function.attrs = attrs;
    Ok(HandlerFn { keys, function })
}

/// `#[handler(..)]` or `#[errorhandler::handler(..)]`.
fn is_handler(attr: &Attribute) -> bool {
    let segments = &attr.path().segments;
    segments.last().is_some_and(|last| last.ident == "handler")
        && (segments.len() == 1 || (segments.len() == 2 && segments[0].ident == "errorhandler"))
}

fn not_a_function(item: TokenStream) -> NotAFunction {
    let (ident, vis) = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(item)) => (Some(item.ident), item.vis),
        Ok(syn::Item::Enum(item)) => (Some(item.ident), item.vis),
        Ok(syn::Item::Const(item)) => (Some(item.ident), item.vis),
        Ok(syn::Item::Static(item)) => (Some(item.ident), item.vis),
        Ok(syn::Item::Type(item)) => (Some(item.ident), item.vis),
        Ok(syn::Item::Mod(item)) => (Some(item.ident), item.vis),
        _ => (None, Visibility::Inherited),
    };
    let error = syn::Error::new_spanned(
        &item,
        "#[handler(key)] declares an error handler: it goes on a free `fn` or `async fn`",
    );
    NotAFunction {
        item,
        ident,
        vis,
        error,
    }
}
