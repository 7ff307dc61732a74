//! The rules both macros apply to a handler's signature: a plain function whose parameters are extractors of
//! the request head and whose types the layer can name.

use quote::ToTokens;
use syn::{FnArg, GenericArgument, PathArguments, Type};

use crate::diagnostics::Errors;

/// Extractors that read the request body; their names are reported before rustc would reject their types.
const BODY_EXTRACTORS: &[&str] = &[
    "Json",
    "Form",
    "RawForm",
    "Bytes",
    "String",
    "Body",
    "Request",
    "Multipart",
];

// A handler is a plain function: not const, unsafe, extern or generic, and not variadic. `what` names it in
// the messages ("an error handler", "a session callback").
pub fn check_plain_fn(errors: &mut Errors, sig: &syn::Signature, what: &str) -> bool {
    let mut valid = true;
    let mut reject = |tokens: &dyn ToTokens, message: String| {
        errors.error_spanned_by(tokens.to_token_stream(), message);
        valid = false;
    };
    if let Some(constness) = &sig.constness {
        reject(
            constness,
            format!("{what} cannot be `const`; write a plain `fn` or `async fn`"),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        reject(
            unsafety,
            format!("{what} cannot be `unsafe`; the layer calls it as safe code"),
        );
    }
    if let Some(abi) = &sig.abi {
        reject(
            abi,
            format!("{what} cannot be `extern`; write a plain Rust `fn` or `async fn`"),
        );
    }
    if !sig.generics.params.is_empty() {
        reject(
            &sig.generics,
            format!("{what} cannot be generic; the layer must know every parameter's type"),
        );
    } else if let Some(where_clause) = &sig.generics.where_clause {
        reject(
            where_clause,
            format!("{what} cannot have a `where` clause; it is not generic"),
        );
    }
    if let Some(variadic) = &sig.variadic {
        reject(variadic, format!("{what} cannot be variadic"));
    }
    valid
}

// A parameter after the error or payload is an extractor of the request head: not `self`, not a body extractor.
pub fn check_extractor<'a>(
    errors: &mut Errors,
    input: &'a FnArg,
    receiver_message: &str,
) -> Option<&'a Type> {
    match input {
        FnArg::Receiver(receiver) => {
            errors.error_spanned_by(receiver, receiver_message);
            None
        }
        FnArg::Typed(param) => match body_extractor(&param.ty) {
            Some(name) => {
                errors.error_spanned_by(
                    &param.ty,
                    format!(
                        "`{name}` reads the request body, which is gone when an error is handled; error handlers take extractors of the request head (`FromRequestParts`)"
                    ),
                );
                None
            }
            None => Some(&param.ty),
        },
    }
}

/// The last segment's name of a plain type path.
pub fn last_segment(ty: &Type) -> Option<&syn::Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|segment| &segment.ident)
        }
        _ => None,
    }
}

fn body_extractor(ty: &Type) -> Option<String> {
    let name = last_segment(ty)?;
    BODY_EXTRACTORS
        .iter()
        .any(|body| name == body)
        .then(|| ty.to_token_stream().to_string().replace(' ', ""))
}

/// `S` of a `State<S>` parameter.
pub fn state_type(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    if segment.ident != "State" {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    match arguments.args.first()? {
        GenericArgument::Type(state) if arguments.args.len() == 1 => Some(state),
        _ => None,
    }
}
