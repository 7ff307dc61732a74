//! The syntax of `errorhandler! { ... }`, parsed into a model that keeps the user's tokens.

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, ItemFn, Lit, LitInt, Path, Token, Visibility};

/// The whole block: the set's struct, then its handlers.
pub struct Input {
    pub set: SetDecl,
    pub items: Vec<Item>,
}

/// `/// docs  #[errorhandler(state = AppState)]  pub struct SiteErrors;`
#[derive(Clone)]
pub struct SetDecl {
    pub attrs: Vec<Attribute>,
    /// The set's `#[errorhandler(state = S)]` attributes, each with what it declares; validation reports a
    /// malformed or repeated one, so that the rest of the block is still checked and emitted.
    pub state: Vec<(Attribute, syn::Result<syn::Type>)>,
    pub vis: Visibility,
    pub struct_token: Token![struct],
    pub ident: Ident,
    pub semi_token: Token![;],
}

#[derive(Clone)]
pub enum Item {
    /// `#[errorhandler(key)] fn handler(...) { ... }`, the decorator form; one key per attribute.
    Declared { keys: Vec<Key>, function: ItemFn },
    /// `key => path;`, registering an existing function.
    Registered { key: Key, path: Path },
    /// Anything else, reported by validation.
    Unknown(syn::Item),
}

/// A key as written, before validation.
#[derive(Clone)]
pub enum Key {
    /// An integer literal: a status code (`404`) or a class (`4xx`).
    Code(LitInt),
    /// `default`.
    Default(Ident),
    /// `session`: the set's session callbacks, `session => AuthErrors;`.
    Session(Ident),
    /// An error type.
    Type(Path),
    /// Any other literal, which validation rejects.
    OtherLiteral(Lit),
    /// An attribute that does not hold one key, reported by validation with the rest of the block.
    Malformed(syn::Error),
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let set = input.parse()?;
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Self { set, items })
    }
}

impl Parse for SetDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let written_attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let struct_token = input.parse::<Token![struct]>().map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected the handler set's declaration first, such as `pub struct SiteErrors;`",
            )
        })?;
        let mut attrs = Vec::new();
        let mut state = Vec::new();
        // Read only once the struct is found, so that a block starting with a handler is reported as such.
        for attr in written_attrs {
            if !attr.path().is_ident("errorhandler") {
                attrs.push(attr);
                continue;
            }
            let declared = attr.parse_args_with(parse_state_option);
            state.push((attr, declared));
        }
        Ok(Self {
            attrs,
            state,
            vis,
            struct_token,
            ident: input.parse()?,
            semi_token: input.parse()?,
        })
    }
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let registration = input.fork();
        if let Ok(key) = registration.parse::<Key>()
            && registration.peek(Token![=>])
        {
            input.parse::<Key>()?;
            input.parse::<Token![=>]>()?;
            let path = input.parse().map_err(|error| {
                syn::Error::new(
                    error.span(),
                    "expected the path of the handler function after `=>`",
                )
            })?;
            input.parse::<Token![;]>()?;
            return Ok(Self::Registered { key, path });
        }
        match input.parse::<syn::Item>()? {
            syn::Item::Fn(mut function) => {
                let mut keys = Vec::new();
                let mut attrs = Vec::with_capacity(function.attrs.len());
                for attr in function.attrs {
                    if attr.path().is_ident("errorhandler") {
                        keys.push(
                            attr.parse_args_with(parse_single_key)
                                .unwrap_or_else(Key::Malformed),
                        );
                    } else {
                        attrs.push(attr);
                    }
                }
                function.attrs = attrs;
                if keys.is_empty() {
                    Ok(Self::Unknown(syn::Item::Fn(function)))
                } else {
                    Ok(Self::Declared { keys, function })
                }
            }
            other => Ok(Self::Unknown(other)),
        }
    }
}

/// Parses `state = AppState`, the one option of the set's `#[errorhandler(..)]` attribute.
fn parse_state_option(input: ParseStream) -> syn::Result<syn::Type> {
    const EXPECTED: &str = "the set's `#[errorhandler(..)]` takes one option, its state: \
                            `#[errorhandler(state = AppState)]`";
    let name: Ident = input
        .parse()
        .map_err(|error| syn::Error::new(error.span(), EXPECTED))?;
    if name != "state" {
        return Err(syn::Error::new(name.span(), EXPECTED));
    }
    input
        .parse::<Token![=]>()
        .map_err(|error| syn::Error::new(error.span(), EXPECTED))?;
    let state = input.parse()?;
    if !input.is_empty() {
        return Err(input.error(EXPECTED));
    }
    Ok(state)
}

/// Parses the key of one `#[errorhandler(..)]` attribute, which holds exactly one key.
fn parse_single_key(input: ParseStream) -> syn::Result<Key> {
    let key = input.parse()?;
    if !input.is_empty() {
        return Err(input.error(
            "an `#[errorhandler(..)]` attribute takes one key, written as a literal code, \
             `4xx`, `5xx`, `default` or an error type; stack attributes to register several keys",
        ));
    }
    Ok(key)
}

impl Parse for Key {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Lit) {
            return Ok(match input.parse::<Lit>()? {
                Lit::Int(code) => Self::Code(code),
                other => Self::OtherLiteral(other),
            });
        }
        let lookahead = input.fork();
        if let Ok(ident) = lookahead.parse::<Ident>()
            && (ident == "default" || ident == "session")
            && !lookahead.peek(Token![::])
        {
            input.parse::<Ident>()?;
            return Ok(if ident == "default" {
                Self::Default(ident)
            } else {
                Self::Session(ident)
            });
        }
        input.parse::<Path>().map(Self::Type).map_err(|error| {
            syn::Error::new(
                error.span(),
                "expected a key: a status code in 400..=599, `4xx`, `5xx`, `default` or an error type",
            )
        })
    }
}
