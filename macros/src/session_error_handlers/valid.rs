//! The rules of `#[session_error_handlers]`: the four callback names, each once, with SuperTokens' payload
//! parameters first and extractors of the request head after.

use std::collections::HashMap;

use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, Type};

use super::ast::Input;
use crate::diagnostics::Errors;
use crate::signature::{check_extractor, check_plain_fn, last_segment, state_type};

/// A validated impl block, still pointing at the user's tokens.
pub struct Model<'a> {
    pub block: &'a ItemImpl,
    pub callbacks: Vec<Callback<'a>>,
    /// The state type of the callbacks' `State<S>` extractors; without one the callbacks serve any state.
    pub state: Option<&'a Type>,
}

pub struct Callback<'a> {
    pub kind: CallbackKind,
    pub function: &'a ImplItemFn,
    pub payload: Vec<&'a Type>,
    pub extractors: Vec<&'a Type>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackKind {
    Unauthorised,
    TryRefreshToken,
    TokenTheftDetected,
    InvalidClaim,
}

/// What a payload parameter receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    Message,
    SessionHandle,
    UserId,
    Claims,
}

impl CallbackKind {
    const ALL: [Self; 4] = [
        Self::Unauthorised,
        Self::TryRefreshToken,
        Self::TokenTheftDetected,
        Self::InvalidClaim,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Unauthorised => "on_unauthorised",
            Self::TryRefreshToken => "on_try_refresh_token",
            Self::TokenTheftDetected => "on_token_theft_detected",
            Self::InvalidClaim => "on_invalid_claim",
        }
    }

    /// The `SessionError` variant the callback answers.
    pub fn variant(self) -> &'static str {
        match self {
            Self::Unauthorised => "Unauthorised",
            Self::TryRefreshToken => "TryRefreshToken",
            Self::TokenTheftDetected => "TokenTheftDetected",
            Self::InvalidClaim => "InvalidClaim",
        }
    }

    /// The payload parameters, in SuperTokens' order.
    pub fn payload(self) -> &'static [Payload] {
        match self {
            Self::Unauthorised | Self::TryRefreshToken => &[Payload::Message],
            Self::TokenTheftDetected => &[Payload::SessionHandle, Payload::UserId],
            Self::InvalidClaim => &[Payload::Claims],
        }
    }

    fn signature(self) -> &'static str {
        match self {
            Self::Unauthorised => "on_unauthorised(message: &str, <extractors>...)",
            Self::TryRefreshToken => "on_try_refresh_token(message: &str, <extractors>...)",
            Self::TokenTheftDetected => {
                "on_token_theft_detected(session_handle: &str, user_id: &str, <extractors>...)"
            }
            Self::InvalidClaim => {
                "on_invalid_claim(claims: &[ClaimValidationError], <extractors>...)"
            }
        }
    }
}

impl Payload {
    /// The field of the `SessionError` variant it comes from.
    pub fn field(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::SessionHandle => "session_handle",
            Self::UserId => "user_id",
            Self::Claims => "claims",
        }
    }
}

pub fn validate(input: &Input) -> Result<Model<'_>, syn::Error> {
    let mut errors = Errors::default();
    let block = &input.block;
    check_not_generic(&mut errors, block);
    let mut callbacks = Vec::new();
    let mut first_seen: HashMap<CallbackKind, &syn::Ident> = HashMap::new();
    for item in &block.items {
        let ImplItem::Fn(function) = item else {
            errors.error_spanned_by(
                item,
                "only session callbacks belong in a #[session_error_handlers] impl: `on_unauthorised`, `on_try_refresh_token`, `on_token_theft_detected`, `on_invalid_claim`",
            );
            continue;
        };
        let Some(kind) = callback_kind(&mut errors, &function.sig.ident) else {
            continue;
        };
        if let Some(first) = first_seen.get(&kind) {
            errors.error_spanned_by(
                &function.sig.ident,
                format!("`{}` is declared twice", kind.name()),
            );
            errors.error_spanned_by(first, format!("`{}` is first declared here", kind.name()));
            continue;
        }
        first_seen.insert(kind, &function.sig.ident);
        if let Some(callback) = check_callback(&mut errors, kind, function) {
            callbacks.push(callback);
        }
    }
    errors.finish()?;
    let state = callbacks
        .iter()
        .flat_map(|callback| &callback.extractors)
        .find_map(|ty| state_type(ty));
    Ok(Model {
        block,
        callbacks,
        state,
    })
}

// The callbacks belong to one type: the block cannot be generic.
fn check_not_generic(errors: &mut Errors, block: &ItemImpl) {
    if !block.generics.params.is_empty() {
        errors.error_spanned_by(
            &block.generics,
            "a #[session_error_handlers] impl cannot be generic; the layer must know the callbacks' type",
        );
    }
}

// A callback is one of SuperTokens' four, spelled the Rust way; near misses get the right spelling.
fn callback_kind(errors: &mut Errors, ident: &syn::Ident) -> Option<CallbackKind> {
    let name = ident.to_string();
    if let Some(kind) = CallbackKind::ALL
        .into_iter()
        .find(|kind| kind.name() == name)
    {
        return Some(kind);
    }
    let message = match suggestion(&name) {
        Some(kind) => format!(
            "unknown session callback `{name}`; did you mean `{}`?",
            kind.name()
        ),
        None => format!(
            "unknown session callback `{name}`; the callbacks are `on_unauthorised`, `on_try_refresh_token`, `on_token_theft_detected` and `on_invalid_claim`"
        ),
    };
    errors.error_spanned_by(ident, message);
    None
}

/// The callback a misspelt name most likely means: SuperTokens' camelCase, American spelling, a shortened
/// or pluralised name.
fn suggestion(name: &str) -> Option<CallbackKind> {
    let snake = to_snake_case(name).replace("unauthorized", "unauthorised");
    CallbackKind::ALL
        .into_iter()
        .map(|kind| {
            let known = kind.name();
            let prefix = known.starts_with(&snake) || snake.starts_with(known);
            let distance = if prefix && snake.len() > "on_".len() {
                0
            } else {
                strsim::levenshtein(&snake, known)
            };
            (kind, distance)
        })
        .filter(|(_, distance)| *distance <= 3)
        .min_by_key(|(_, distance)| *distance)
        .map(|(kind, _)| kind)
}

fn to_snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_uppercase() {
            if !snake.is_empty() && !snake.ends_with('_') {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

// A callback is a plain associated function: its payload parameters come first, in SuperTokens' order, then
// extractors of the request head.
fn check_callback<'a>(
    errors: &mut Errors,
    kind: CallbackKind,
    function: &'a ImplItemFn,
) -> Option<Callback<'a>> {
    let sig = &function.sig;
    let mut valid = check_plain_fn(errors, sig, "a session callback");
    let receiver_message = "a session callback is an associated function; it cannot take `self`";
    let mut typed = Vec::with_capacity(sig.inputs.len());
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                errors.error_spanned_by(receiver, receiver_message);
                valid = false;
            }
            FnArg::Typed(_) => typed.push(input),
        }
    }
    let expected = kind.payload().len();
    if typed.len() < expected {
        errors.error_spanned_by(
            &sig.ident,
            format!(
                "`{}` is missing its payload: it takes `{}`",
                kind.name(),
                kind.signature()
            ),
        );
        return None;
    }
    let payload = typed[..expected]
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(param) => Some(&*param.ty),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let mut extractors = Vec::new();
    for input in &typed[expected..] {
        if let FnArg::Typed(param) = input
            && is_payload_like(&param.ty)
        {
            errors.error_spanned_by(
                input,
                format!(
                    "`{}` takes {} payload parameter{}, then extractors of the request head: `{}`",
                    kind.name(),
                    if expected == 1 { "one" } else { "two" },
                    if expected == 1 { "" } else { "s" },
                    kind.signature()
                ),
            );
            valid = false;
            continue;
        }
        match check_extractor(errors, input, receiver_message) {
            Some(ty) => extractors.push(ty),
            None => valid = false,
        }
    }
    valid.then_some(Callback {
        kind,
        function,
        payload,
        extractors,
    })
}

/// `&str`, `String`, `&[T]`, `Vec<T>`: the shapes of payload parameters, never of extractors.
fn is_payload_like(ty: &Type) -> bool {
    match ty {
        Type::Reference(reference) => match &*reference.elem {
            Type::Slice(_) => true,
            elem => last_segment(elem).is_some_and(|name| name == "str"),
        },
        other => last_segment(other).is_some_and(|name| name == "String" || name == "Vec"),
    }
}

impl Model<'_> {
    pub fn self_ty(&self) -> &Type {
        &self.block.self_ty
    }
}
