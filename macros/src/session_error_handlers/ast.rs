//! The item `#[session_error_handlers]` is written on: an inherent `impl` block of the callbacks.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{ItemImpl, Type};

pub struct Input {
    pub block: ItemImpl,
}

/// The attribute where it does not belong, and the type the item names, if it names one.
pub struct Misplaced {
    pub error: syn::Error,
    /// The type the item names (a non-generic impl block's, struct, enum or union), which `session =>` would name.
    pub self_ty: Option<Box<Type>>,
}

impl Input {
    pub fn parse(args: TokenStream, item: TokenStream) -> Result<Self, Misplaced> {
        let item = syn::parse2::<syn::Item>(item).map_err(|error| Misplaced {
            error,
            self_ty: None,
        })?;
        if !args.is_empty() {
            return Err(Misplaced {
                error: syn::Error::new_spanned(
                    args,
                    "#[session_error_handlers] takes no arguments; the callbacks are the methods of the impl block",
                ),
                self_ty: named_type(&item),
            });
        }
        match item {
            syn::Item::Impl(block) => match &block.trait_ {
                Some((_, path, for_token)) => {
                    let mut tokens = path.to_token_stream();
                    for_token.to_tokens(&mut tokens);
                    Err(Misplaced {
                        error: syn::Error::new_spanned(
                            tokens,
                            "#[session_error_handlers] goes on an inherent impl block (`impl AuthErrors { ... }`), not on a trait impl",
                        ),
                        self_ty: named_type(&syn::Item::Impl(block.clone())),
                    })
                }
                None => Ok(Self { block }),
            },
            other => Err(Misplaced {
                error: syn::Error::new_spanned(
                    item_head(&other),
                    "#[session_error_handlers] goes on an inherent impl block: `pub struct AuthErrors; #[session_error_handlers] impl AuthErrors { ... }`",
                ),
                self_ty: named_type(&other),
            }),
        }
    }
}

/// The type a non-generic impl block is for, or a non-generic struct, enum or union declares.
fn named_type(item: &syn::Item) -> Option<Box<Type>> {
    let (ident, generics) = match item {
        syn::Item::Impl(block) => {
            return block
                .generics
                .params
                .is_empty()
                .then(|| block.self_ty.clone());
        }
        syn::Item::Struct(item) => (&item.ident, &item.generics),
        syn::Item::Enum(item) => (&item.ident, &item.generics),
        syn::Item::Union(item) => (&item.ident, &item.generics),
        _ => return None,
    };
    generics.params.is_empty().then(|| {
        Box::new(Type::Path(syn::TypePath {
            qself: None,
            path: ident.clone().into(),
        }))
    })
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
