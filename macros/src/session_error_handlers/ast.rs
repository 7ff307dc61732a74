//! The item `#[session_error_handlers]` is written on: an inherent `impl` block of the callbacks.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::ItemImpl;

pub struct Input {
    pub block: ItemImpl,
}

impl Input {
    pub fn parse(args: TokenStream, item: TokenStream) -> syn::Result<Self> {
        if !args.is_empty() {
            return Err(syn::Error::new_spanned(
                args,
                "#[session_error_handlers] takes no arguments; the callbacks are the methods of the impl block",
            ));
        }
        match syn::parse2::<syn::Item>(item)? {
            syn::Item::Impl(block) => match &block.trait_ {
                Some((_, path, for_token)) => {
                    let mut tokens = path.to_token_stream();
                    for_token.to_tokens(&mut tokens);
                    Err(syn::Error::new_spanned(
                        tokens,
                        "#[session_error_handlers] goes on an inherent impl block (`impl AuthErrors { ... }`), not on a trait impl",
                    ))
                }
                None => Ok(Self { block }),
            },
            other => Err(syn::Error::new_spanned(
                item_head(&other),
                "#[session_error_handlers] goes on an inherent impl block: `pub struct AuthErrors; #[session_error_handlers] impl AuthErrors { ... }`",
            )),
        }
    }
}

/// The tokens that say what kind of item this is (`fn name`, `struct Name`), so the error does not cover the body.
fn item_head(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Fn(function) => {
            let mut tokens = function.sig.fn_token.to_token_stream();
            function.sig.ident.to_tokens(&mut tokens);
            tokens
        }
        syn::Item::Struct(item) => {
            let mut tokens = item.struct_token.to_token_stream();
            item.ident.to_tokens(&mut tokens);
            tokens
        }
        syn::Item::Enum(item) => {
            let mut tokens = item.enum_token.to_token_stream();
            item.ident.to_tokens(&mut tokens);
            tokens
        }
        syn::Item::Trait(item) => {
            let mut tokens = item.trait_token.to_token_stream();
            item.ident.to_tokens(&mut tokens);
            tokens
        }
        syn::Item::Mod(item) => {
            let mut tokens = item.mod_token.to_token_stream();
            item.ident.to_tokens(&mut tokens);
            tokens
        }
        other => other.to_token_stream(),
    }
}
