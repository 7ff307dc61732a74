use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Generics, Ident, LitInt, Path, Type};

use crate::status::WrittenCode;

/// The attribute's argument and the item it is on.
pub struct Input {
    pub code: Code,
    pub item: Target,
    /// The item as written, emitted unchanged.
    pub tokens: TokenStream,
}

pub enum Code {
    None,
    Literal(LitInt),
    /// One of `StatusCode`'s constants, `StatusCode::NOT_FOUND`, which validation rejects with its literal.
    Constant(Path, u16),
    Malformed(syn::Error),
}

pub enum Target {
    /// A struct, enum or union: `#[status(404)] struct NotFound;`.
    Type { ident: Ident, generics: Generics },
    /// An impl block: `#[status] impl ErrorStatus for T { ... }`.
    Impl {
        generics: Generics,
        trait_path: Option<Path>,
        self_ty: Box<Type>,
    },
    /// Any other item, kept with its first token to point at.
    Other(TokenStream),
    /// Tokens that are no item; rustc reports them once the item is emitted as it was.
    Unparsed,
}

impl Input {
    pub fn parse(args: TokenStream, item: TokenStream) -> Self {
        let code = if args.is_empty() {
            Code::None
        } else {
            Parser::parse2(parse_code, args).unwrap_or_else(Code::Malformed)
        };
        let target = match syn::parse2::<syn::Item>(item.clone()) {
            Ok(syn::Item::Struct(item)) => Target::Type {
                ident: item.ident,
                generics: item.generics,
            },
            Ok(syn::Item::Enum(item)) => Target::Type {
                ident: item.ident,
                generics: item.generics,
            },
            Ok(syn::Item::Union(item)) => Target::Type {
                ident: item.ident,
                generics: item.generics,
            },
            Ok(syn::Item::Impl(item)) => Target::Impl {
                generics: item.generics,
                trait_path: item.trait_.map(|(_, path, _)| path),
                self_ty: item.self_ty,
            },
            Ok(_) => Target::Other(item.clone().into_iter().take(1).collect()),
            Err(_) => Target::Unparsed,
        };
        Self {
            code,
            item: target,
            tokens: item,
        }
    }
}

fn parse_code(input: ParseStream) -> syn::Result<Code> {
    const EXPECTED: &str =
        "expected a status code such as `404`: `#[status]` takes an integer literal in 400..=599";
    let code = match crate::status::parse_written_code(input, EXPECTED, |rest| rest.is_empty())? {
        WrittenCode::Literal(code) => Code::Literal(code),
        WrittenCode::Constant(path, code) => Code::Constant(path, code),
    };
    if !input.is_empty() {
        let rest = input.parse::<TokenStream>()?;
        return Err(syn::Error::new_spanned(rest, EXPECTED));
    }
    Ok(code)
}
