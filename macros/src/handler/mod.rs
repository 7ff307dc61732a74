//! `#[handler(404)] fn page_not_found(..)`: an error handler declared as an ordinary item, named in a set as
//! `page_not_found;`.
//!
//! The attribute checks the function as the block checks a declared handler, then leaves beside it, in the
//! function's module, where its types resolve:
//! - `__ErrorhandlerItem_<name>`, whose associated functions call the handler for its `i`th key (`call_i`), test
//!   a type key (`matches_i`) and tell the parts of the request head it reads (`head_parts`). Compiled here, a
//!   type mistake is reported once under the user's token, and the set's calls of them never fail;
//! - `__ErrorhandlerState_<name>`, the `S` of its `State<S>`, from which a set infers its state;
//! - the macro `__errorhandler_<name>`, which hands a set the keys as written and the signature's facts (see
//!   `errorhandler::ast::Named`).

mod ast;
mod expand;

use proc_macro2::TokenStream;
use syn::Ident;
use syn::ext::IdentExt;

use crate::errorhandler::valid::validate_handler_item;

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let tokens = match ast::parse(args, item) {
        Ok(handler) => match validate_handler_item(&handler.keys, &handler.function) {
            Ok(checked) => expand::handler_item(&handler, &checked),
            Err(errors) => expand::fallback(&handler, &errors),
        },
        Err(not_a_function) => expand::not_a_function(&not_a_function),
    };
    crate::diagnostics::debug_expansion("#[handler]", &tokens);
    tokens
}

/// The hidden module that holds the macro of the function `name`.
pub fn hidden_module(name: &Ident) -> Ident {
    Ident::new(&format!("__errorhandler_{}", name.unraw()), name.span())
}
