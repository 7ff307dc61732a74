//! The rules of `errorhandler!`: which keys, items and handler signatures are accepted.

use std::collections::HashMap;

use quote::ToTokens;
use syn::{FnArg, ItemFn, Path, ReturnType, Type};

use super::ast::{Input, Item, Key, Named, NamedHandler, SetDecl};
use crate::diagnostics::Errors;
use crate::signature::{check_extractor, check_plain_fn, last_segment, state_type};

/// A validated set: what expansion needs, still pointing at the user's tokens.
pub struct Model<'a> {
    pub set: &'a SetDecl,
    pub handlers: Vec<Handler<'a>>,
    /// The state type of the handlers' `State<S>` extractors.
    pub state: Option<Type>,
}

pub struct Handler<'a> {
    pub key: KeyKind<'a>,
    pub target: Target<'a>,
}

pub enum KeyKind<'a> {
    Status(u16),
    ClientErrors,
    ServerErrors,
    Default,
    Type(&'a Path),
    Session,
}

pub enum Target<'a> {
    Declared(Signature<'a>),
    Registered(&'a Path),
    /// The `index`th key of a `#[handler]` function named in the set by `path`.
    Named {
        path: &'a Path,
        handler: &'a NamedHandler,
        index: usize,
    },
}

/// A `#[handler(..)]` function, checked as the block checks a declared handler: its keys, in order, and its
/// signature.
pub struct HandlerItem<'a> {
    pub keys: Vec<KeyKind<'a>>,
    pub signature: Signature<'a>,
}

pub struct Signature<'a> {
    pub function: &'a ItemFn,
    pub error: Option<ErrorParam<'a>>,
    pub extractors: Vec<&'a Type>,
}

pub struct ErrorParam<'a> {
    /// The error type, without the reference.
    pub ty: &'a Type,
    pub by_ref: bool,
}

/// Validates the set; `named` are the handed-over `#[handler]` functions of its `path;` entries, in order.
pub fn validate<'a>(input: &'a Input, named: &'a [Named]) -> Result<Model<'a>, syn::Error> {
    let mut errors = Errors::default();
    let mut named = named.iter();
    let declared_state = check_state(&mut errors, &input.set);
    let mut handlers = Vec::new();
    let mut named_paths = Vec::new();
    for item in &input.items {
        match item {
            Item::Declared { keys, function } => {
                check_no_session_decorator(&mut errors, keys);
                let signature = check_signature(&mut errors, function, keys);
                for written in keys {
                    if let (Some(key), Some(signature)) =
                        (check_key(&mut errors, written), &signature)
                    {
                        handlers.push((
                            key_token(written),
                            Handler {
                                key,
                                target: Target::Declared(signature.clone()),
                            },
                        ));
                    }
                }
            }
            Item::Registered { key: written, path } => {
                if let Some(key) = check_key(&mut errors, written) {
                    handlers.push((
                        key_token(written),
                        Handler {
                            key,
                            target: Target::Registered(path),
                        },
                    ));
                }
            }
            // The attribute reports the mistakes of a broken one.
            Item::Named(path) => {
                let handed_over = named.next();
                if !check_named_once(&mut errors, &mut named_paths, path) {
                    continue;
                }
                if let Some(Named::Handler(handler)) = handed_over {
                    for (index, written) in handler.keys.iter().enumerate() {
                        if let Some(key) = check_key(&mut errors, written) {
                            let target = Target::Named {
                                path,
                                handler,
                                index,
                            };
                            handlers.push((path.to_token_stream(), Handler { key, target }));
                        }
                    }
                }
            }
            Item::Unknown(item) => check_unknown_item(&mut errors, item),
            Item::Malformed(error) => errors.push(error.clone()),
        }
    }
    check_duplicates(&mut errors, &handlers, "in this set");
    errors.finish()?;
    let handlers: Vec<Handler<'_>> = handlers.into_iter().map(|(_, handler)| handler).collect();
    // A declared state wins; otherwise the first `State<S>` of a declared handler names it. Registered
    // functions and session callbacks cannot be looked into, so a set made only of them declares it.
    let state = declared_state.cloned().or_else(|| {
        handlers.iter().find_map(|handler| match &handler.target {
            Target::Declared(signature) => signature
                .extractors
                .iter()
                .find_map(|ty| state_type(ty))
                .cloned(),
            Target::Named { path, handler, .. } => handler.state.then(
                || syn::parse_quote!(<#path as ::errorhandler::__private::NamedState>::State),
            ),
            Target::Registered(_) => None,
        })
    });
    Ok(Model {
        set: &input.set,
        handlers,
        state,
    })
}

/// Validates a `#[handler(..)]` function: the keys of its stacked attributes and its signature.
pub fn validate_handler_item<'a>(
    keys: &'a [Key],
    function: &'a ItemFn,
) -> Result<HandlerItem<'a>, syn::Error> {
    let mut errors = Errors::default();
    check_no_session_decorator(&mut errors, keys);
    let signature = check_signature(&mut errors, function, keys);
    let mut handlers = Vec::new();
    for written in keys {
        if let (Some(key), Some(signature)) = (check_key(&mut errors, written), &signature) {
            let target = Target::Declared(signature.clone());
            handlers.push((key_token(written), Handler { key, target }));
        }
    }
    check_duplicates(&mut errors, &handlers, "for this function");
    errors.finish()?;
    let keys = handlers
        .into_iter()
        .map(|(_, handler)| handler.key)
        .collect();
    Ok(HandlerItem {
        keys,
        signature: signature.expect("no error, so the signature is valid"),
    })
}

impl Clone for Signature<'_> {
    fn clone(&self) -> Self {
        Self {
            function: self.function,
            error: self.error.as_ref().map(|error| ErrorParam {
                ty: error.ty,
                by_ref: error.by_ref,
            }),
            extractors: self.extractors.clone(),
        }
    }
}

pub fn key_token(key: &Key) -> proc_macro2::TokenStream {
    match key {
        Key::Code(lit) => lit.to_token_stream(),
        Key::Default(ident) | Key::Session(ident) => ident.to_token_stream(),
        Key::Type(path) => path.to_token_stream(),
        Key::OtherLiteral(lit) => lit.to_token_stream(),
        Key::Malformed(_) => proc_macro2::TokenStream::new(),
    }
}

// A key is a status code in 400..=599, `4xx`, `5xx`, `default` or an error type; nothing else.
fn check_key<'a>(errors: &mut Errors, key: &'a Key) -> Option<KeyKind<'a>> {
    match key {
        Key::Code(lit) if lit.suffix() == "xx" => match lit.to_string().as_str() {
            "4xx" => Some(KeyKind::ClientErrors),
            "5xx" => Some(KeyKind::ServerErrors),
            _ => {
                errors.error_spanned_by(
                    lit,
                    format!("`{lit}` is not an error class; the classes are `4xx` and `5xx`"),
                );
                None
            }
        },
        Key::Code(lit) => match crate::status::error_status(lit, "an error handler key") {
            Ok(code) => Some(KeyKind::Status(code)),
            Err(error) => {
                errors.push(error);
                None
            }
        },
        Key::Default(_) => Some(KeyKind::Default),
        Key::Session(ident) => {
            if cfg!(feature = "session") {
                Some(KeyKind::Session)
            } else {
                errors.error_spanned_by(
                    ident,
                    "`session =>` needs the `session` feature of errorhandler, which is off; enable it: \
                     `errorhandler = { ..., features = [\"session\"] }` (a default feature)",
                );
                None
            }
        }
        Key::Type(path) => match constant_name(path) {
            None => Some(KeyKind::Type(path)),
            Some(name) => {
                match crate::status::named_status(&name) {
                    Some(code) => errors.push(crate::status::constant_status(
                        path,
                        code,
                        "an error handler key",
                    )),
                    None => errors.error_spanned_by(
                        path,
                        format!(
                            "`{}` is a constant; a key is a literal status code in 400..=599 (`404`), \
                             `4xx`, `5xx`, `default` or an error type",
                            path.to_token_stream().to_string().replace(' ', "")
                        ),
                    ),
                }
                None
            }
        },
        Key::OtherLiteral(syn::Lit::Str(lit)) => {
            errors.error_spanned_by(
                lit,
                format!(
                    "a key is not a string; write the status code as an integer (`{}`) or name an error type",
                    lit.value()
                ),
            );
            None
        }
        Key::OtherLiteral(lit) => {
            errors.error_spanned_by(
                lit,
                "expected a key: a status code in 400..=599, `4xx`, `5xx`, `default` or an error type",
            );
            None
        }
        Key::Malformed(error) => {
            errors.push(error.clone());
            None
        }
    }
}

/// The name of a key path that names a constant rather than a type: `StatusCode::NOT_FOUND`, `NOT_FOUND`,
/// `MY_CODE`. Types are written in camel case, so an upper-case name is a constant when it has an underscore,
/// is one of `StatusCode`'s constants or is reached through `StatusCode`.
fn constant_name(path: &Path) -> Option<String> {
    let last = path.segments.last()?;
    if !last.arguments.is_empty() {
        return None;
    }
    let name = last.ident.to_string();
    let upper = name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let through_status_code =
        path.segments.len() > 1 && path.segments[path.segments.len() - 2].ident == "StatusCode";
    (upper
        && (name.contains('_')
            || through_status_code
            || crate::status::named_status(&name).is_some()))
    .then_some(name)
}

// One `#[errorhandler(state = S)]` on the set, well formed; a second one is pointed at with the first.
fn check_state<'a>(errors: &mut Errors, set: &'a SetDecl) -> Option<&'a Type> {
    let mut declared: Option<(&syn::Attribute, &Type)> = None;
    for (attr, state) in &set.state {
        match (state, declared) {
            (Err(error), _) => errors.push(error.clone()),
            (Ok(_), Some((first, _))) => {
                errors.error_spanned_by(
                    attr,
                    "the set's state is already declared; a set has one state",
                );
                errors.error_spanned_by(first, "the state is first declared here");
            }
            (Ok(state), None) => declared = Some((attr, state)),
        }
    }
    declared.map(|(_, state)| state)
}

// `session` names a `#[session_error_handlers]` type; it is not a key a function can answer.
fn check_no_session_decorator(errors: &mut Errors, keys: &[Key]) {
    for key in keys {
        if let Key::Session(ident) = key {
            errors.error_spanned_by(
                ident,
                "the session callbacks join a set as `session => AuthErrors;`, naming a #[session_error_handlers] type",
            );
        }
    }
}

// The same key twice is ambiguous: both registrations are pointed at.
fn check_duplicates(
    errors: &mut Errors,
    handlers: &[(proc_macro2::TokenStream, Handler<'_>)],
    scope: &str,
) {
    let mut first_seen: HashMap<String, &proc_macro2::TokenStream> = HashMap::new();
    for (token, handler) in handlers {
        let identity = match handler.key {
            KeyKind::Status(code) => code.to_string(),
            KeyKind::ClientErrors => "4xx".to_owned(),
            KeyKind::ServerErrors => "5xx".to_owned(),
            KeyKind::Default => "default".to_owned(),
            KeyKind::Session => "session".to_owned(),
            KeyKind::Type(path) => {
                let key = path.to_token_stream().to_string().replace(' ', "");
                match &handler.target {
                    Target::Named { path: named, .. } => qualified(named, key),
                    Target::Declared(_) | Target::Registered(_) => key,
                }
            }
        };
        match first_seen.get(&identity) {
            Some(first) => {
                errors.error_spanned_by(
                    token,
                    format!("a handler for `{identity}` is already registered {scope}"),
                );
                errors.error_spanned_by(first, format!("`{identity}` is first registered here"));
            }
            None => {
                first_seen.insert(identity, token);
            }
        }
    }
}

/// A type key of a `#[handler]` function, resolved in the function's module: the module of its path in the set
/// (the path minus its last segment) before the key, unless the key is absolute.
fn qualified(named: &Path, key: String) -> String {
    let module: Vec<String> = named
        .segments
        .iter()
        .rev()
        .skip(1)
        .rev()
        .map(|segment| segment.ident.to_string())
        .collect();
    if module.is_empty() || key.starts_with("::") || key.starts_with("crate::") {
        return key;
    }
    let leading = if named.leading_colon.is_some() {
        "::"
    } else {
        ""
    };
    format!("{leading}{}::{key}", module.join("::"))
}

// A `#[handler]` function is named once in a set; its keys are registered by the first name only, which is
// what this answers.
fn check_named_once(errors: &mut Errors, seen: &mut Vec<String>, path: &Path) -> bool {
    let text = path.to_token_stream().to_string().replace(' ', "");
    if seen.contains(&text) {
        errors.error_spanned_by(path, format!("`{text}` is already named in this set"));
        return false;
    }
    seen.push(text);
    true
}

// Only handlers belong in the block: a function without `#[errorhandler]` or any other item is a mistake.
fn check_unknown_item(errors: &mut Errors, item: &syn::Item) {
    match item {
        syn::Item::Fn(function) => errors.error_spanned_by(
            &function.sig.ident,
            "this function has no `#[errorhandler(key)]`; declare helper functions outside errorhandler!",
        ),
        other => errors.error_spanned_by(other, super::ast::EXPECTED_ITEM),
    }
}

// A handler is a plain free function (see `signature`) whose first parameter may be the error.
fn check_signature<'a>(
    errors: &mut Errors,
    function: &'a ItemFn,
    keys: &[Key],
) -> Option<Signature<'a>> {
    let sig = &function.sig;
    let mut valid = check_plain_fn(errors, sig, "an error handler");
    valid &= check_returns_response(errors, sig);
    let mut inputs = sig.inputs.iter().peekable();
    let mut error = None;
    if let Some(FnArg::Typed(first)) = inputs.peek()
        && let Some(param) = error_param(&first.ty, keys)
    {
        if let Type::Reference(reference) = &*first.ty
            && let Some(mutability) = &reference.mutability
        {
            errors.error_spanned_by(
                mutability,
                "the error parameter is a shared reference (`&E`) or a value (`E`), not `&mut`",
            );
            valid = false;
        }
        error = Some(param);
        inputs.next();
    }
    let mut extractors = Vec::new();
    for input in inputs {
        match check_extractor(
            errors,
            input,
            "an error handler is a free function; it cannot take `self`",
        ) {
            Some(ty) => extractors.push(ty),
            None => valid = false,
        }
    }
    valid.then_some(Signature {
        function,
        error,
        extractors,
    })
}

// A handler returns a response; `()` would answer the error with an empty body, most likely by mistake.
fn check_returns_response(errors: &mut Errors, sig: &syn::Signature) -> bool {
    let unit = match &sig.output {
        ReturnType::Default => sig.ident.to_token_stream(),
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(tuple) if tuple.elems.is_empty() => ty.to_token_stream(),
            _ => return true,
        },
    };
    errors.error_spanned_by(
        unit,
        format!(
            "error handler `{}` must return a response, and returns `()`, which would answer the error with an empty body; \
             return `impl IntoResponse`: `Html<String>`, `Json<T>`, `(StatusCode, String)`, ...",
            sig.ident
        ),
    );
    false
}

/// The first parameter is the error when it is a reference (extractors are values) or names the key's error.
fn error_param<'a>(ty: &'a Type, keys: &[Key]) -> Option<ErrorParam<'a>> {
    if let Type::Reference(reference) = ty {
        return Some(ErrorParam {
            ty: &reference.elem,
            by_ref: true,
        });
    }
    let name = last_segment(ty)?;
    let names_the_error = keys.iter().any(|key| match key {
        Key::Type(path) => path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == *name),
        _ => name == "HttpError",
    });
    names_the_error.then_some(ErrorParam { ty, by_ref: false })
}
