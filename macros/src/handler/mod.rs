//! `#[handler(404)] fn page_not_found(..)`: an error handler declared as an ordinary item, named in a set as
//! `page_not_found;`, or by any path or `use` that reaches the function.
//!
//! The attribute checks the function as the block checks a declared handler, then gives the function's name
//! to two companions in the other namespaces, so that whatever reaches the function (its path, `use`,
//! `use .. as`) reaches them too, with the same privacy (the function's visibility, at most `pub(crate)`, as far
//! as a `macro_rules!` macro goes):
//! - a type, an empty enum, whose associated functions the set calls: `call`, which calls the function for
//!   its `i`th key, `matches_i`, which tests a type key against an error and its sources, and `head_parts`, the
//!   parts of the request head it reads. It implements `NamedState` with the `S` of its `State<S>`, from which a
//!   set that declares no state takes its own. Its type keys are named here, in the function's module, so a
//!   key that is not an error type is reported once under the user's token. `call` is generic over the set's
//!   state with a `where` bound per extractor (spanned at the parameter), so an extractor of a sub-state
//!   (`FromRef`) or of a concrete state only is checked where the set calls it, once per name;
//! - a macro, which hands a set the keys as written and the signature's facts (see `errorhandler::ast::Named`)
//!   by calling the set back.
//!
//! Both live in the hidden module `__errorhandler_<name>` (the type in a module of its own, declared `pub` so
//! that a set's public `with_state` may name its state), whose `use`s beside the function import them and not
//! the function, which is in the value namespace of its own module.

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
