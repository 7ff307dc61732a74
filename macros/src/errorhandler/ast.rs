//! The syntax of `errorhandler! { ... }`, parsed into a model that keeps the user's tokens.

use proc_macro2::{Delimiter, Group, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::token::Paren;
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
    /// `path;`, naming a `#[handler]` function, whose keys and signature its own macro hands over.
    Named(Path),
    /// Anything else, reported by validation.
    Unknown(syn::Item),
    /// Tokens that are not an item, skipped up to the next one; validation reports the error with the rest of
    /// the block, so that one syntax error does not take the set and its other handlers with it.
    Malformed(syn::Error),
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

/// What the macro of a `#[handler]` function hands the set: `{ handler [(404) (CheeseNotFound)] head state }` (or
/// `no_head`, `no_state`), or `{ broken }` when the attribute has reported a mistake, which the set does not
/// report again.
pub enum Named {
    Handler(NamedHandler),
    Broken,
}

pub struct NamedHandler {
    /// The keys as the user wrote them in `#[handler(..)]`, with their spans.
    pub keys: Vec<Key>,
    /// Whether it takes extractors of the request head.
    pub head: bool,
    /// Whether it takes `State<S>`, which the hidden type of its name tells as its `NamedState`.
    pub state: bool,
}

impl Parse for Named {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let content;
        syn::braced!(content in input);
        let kind: Ident = content.parse()?;
        if kind == "broken" {
            return Ok(Self::Broken);
        }
        let keys_group;
        syn::bracketed!(keys_group in content);
        let mut keys = Vec::new();
        while !keys_group.is_empty() {
            let key;
            syn::parenthesized!(key in keys_group);
            keys.push(key.call(parse_single_key)?);
        }
        let flag = |yes: &str| -> syn::Result<bool> {
            let flag: Ident = content.parse()?;
            Ok(flag == yes)
        };
        Ok(Self::Handler(NamedHandler {
            keys,
            head: flag("head")?,
            state: flag("state")?,
        }))
    }
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let set = input.parse()?;
        let mut items = Vec::new();
        while !input.is_empty() {
            let item = input.fork();
            match item.parse::<Item>() {
                Ok(parsed) => {
                    input.advance_to(&item);
                    let missing_semi = match &parsed {
                        Item::Registered { path, .. } => expect_semi(input, path),
                        _ => None,
                    };
                    items.push(parsed);
                    items.extend(missing_semi.map(Item::Malformed));
                }
                Err(error) => {
                    items.push(Item::Malformed(error));
                    skip_item(input)?;
                }
            }
        }
        Ok(Self { set, items })
    }
}

/// The `;` that ends `key => path;`; when it is missing, the registration stands and the error is under its path.
fn expect_semi(input: ParseStream, path: &Path) -> Option<syn::Error> {
    if input.parse::<Option<Token![;]>>().ok().flatten().is_some() {
        return None;
    }
    if input.peek(Paren) {
        let _ = input.parse::<Group>();
        let _ = input.parse::<Option<Token![;]>>();
        return Some(syn::Error::new_spanned(
            path,
            "register the function by its path, without calling it: `404 => not_found;`",
        ));
    }
    Some(syn::Error::new_spanned(
        path,
        "expected `;` after the handler path",
    ))
}

/// Skips what remains of an item that does not parse: through its `;` or its `{ body }`, or up to the `#` or
/// `fn` that starts the next item.
fn skip_item(input: ParseStream) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        let mut first = true;
        while let Some((tree, next)) = rest.token_tree() {
            // `async` starts an `async fn`, not an `async` closure.
            let starts_next = match &tree {
                TokenTree::Punct(punct) => punct.as_char() == '#',
                TokenTree::Ident(ident) if ident == "async" => {
                    next.ident().is_some_and(|(ident, _)| ident == "fn")
                }
                TokenTree::Ident(ident) => ident == "fn" || ident == "pub",
                _ => false,
            };
            if starts_next && !first {
                break;
            }
            first = false;
            rest = next;
            match &tree {
                TokenTree::Punct(punct) if punct.as_char() == ';' => break,
                TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => break,
                _ => {}
            }
        }
        Ok(((), rest))
    })
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
        if let Ok(key) = registration.parse::<Key>() {
            if registration.peek(Token![=>]) {
                input.parse::<Key>()?;
                let arrow = input.parse::<Token![=>]>()?;
                let path = parse_handler_path(input, &arrow)?;
                return Ok(Self::Registered { key, path });
            }
            if let Key::Type(path) = &key
                && registration.peek(Token![;])
            {
                input.parse::<Path>()?;
                input.parse::<Token![;]>()?;
                return Ok(Self::Named(path.clone()));
            }
            if !starts_item(input) {
                return Err(missing_arrow(input, &registration, &key));
            }
        } else if !starts_item(input) {
            return Err(input.error(EXPECTED_ITEM));
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
                    } else if let Some(misspelt) = misspelt_errorhandler(&attr) {
                        // Left on the function, rustc would report the unknown attribute as well.
                        keys.push(Key::Malformed(misspelt));
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

pub const EXPECTED_ITEM: &str = "expected an error handler: `#[errorhandler(key)] fn ...`, `key => handler_path;` \
                                  or the path of a `#[handler]` function: `page_not_found;`";

/// Whether the next tokens start a Rust item (`#[..]`, a keyword such as `fn` or `pub`, a macro call) rather
/// than a key.
fn starts_item(input: ParseStream) -> bool {
    input.peek(Token![#])
        || (input.peek(Ident::peek_any) && !input.peek(Ident))
        || (input.peek(Ident) && input.peek2(Token![!]))
}

/// The error for a key that `=>` does not follow: `404 not_found;`, `404;`, or a stray `oops`.
fn missing_arrow(input: ParseStream, after_key: ParseStream, key: &Key) -> syn::Error {
    const EXPECTED_ARROW: &str =
        "expected `=>` after the key, then the handler path: `404 => not_found;`";
    if after_key.peek(Ident::peek_any) || after_key.peek(Lit) {
        return after_key.error(EXPECTED_ARROW);
    }
    match key {
        Key::Code(lit) => syn::Error::new_spanned(lit, EXPECTED_ARROW),
        Key::OtherLiteral(lit) => syn::Error::new_spanned(lit, EXPECTED_ARROW),
        Key::Default(ident) | Key::Session(ident) => syn::Error::new_spanned(ident, EXPECTED_ARROW),
        Key::Type(_) | Key::Malformed(_) => input.error(EXPECTED_ITEM),
    }
}

/// The path after `=>`: a function, not a closure, a literal or nothing.
fn parse_handler_path(input: ParseStream, arrow: &Token![=>]) -> syn::Result<Path> {
    const EXPECTED: &str = "expected the path of the handler function after `=>`";
    if input.is_empty() {
        return Err(syn::Error::new_spanned(arrow, EXPECTED));
    }
    if input.peek(Token![|])
        || input.peek(Token![||])
        || input.peek(Token![move])
        || input.peek(Token![async])
    {
        let closure = input.fork();
        let message = "a closure cannot be registered; register a function by its path (`404 => not_found;`) \
                       or declare the handler in the block with `#[errorhandler(404)] fn ...`";
        return Err(match closure.parse::<syn::ExprClosure>() {
            Ok(closure) => {
                let mut head = closure.asyncness.to_token_stream();
                closure.capture.to_tokens(&mut head);
                closure.or1_token.to_tokens(&mut head);
                closure.inputs.to_tokens(&mut head);
                closure.or2_token.to_tokens(&mut head);
                syn::Error::new_spanned(head, message)
            }
            Err(_) => input.error(message),
        });
    }
    input
        .parse()
        .map_err(|error| syn::Error::new(error.span(), EXPECTED))
}

/// An attribute whose name is a near miss of `errorhandler`, such as `#[errorhandlr(404)]`.
fn misspelt_errorhandler(attr: &Attribute) -> Option<syn::Error> {
    let name = attr.path().get_ident()?.to_string();
    let distance = strsim::levenshtein(&name.to_lowercase(), "errorhandler");
    (distance <= 3).then(|| {
        syn::Error::new_spanned(
            attr.path(),
            format!("cannot find attribute `{name}`; did you mean `errorhandler`?"),
        )
    })
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
pub fn parse_single_key(input: ParseStream) -> syn::Result<Key> {
    let key = input.parse()?;
    if !input.is_empty() {
        return Err(input.error(
            "the attribute takes one key, written as a literal code, \
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
