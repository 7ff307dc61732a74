//! The rules of `#[status]`: a type takes a code, an `impl ErrorStatus` block takes none, neither is generic.

use quote::ToTokens;

use super::ast::{Code, Input, Target};
use crate::diagnostics::Errors;

/// What the attribute declares.
pub enum Declaration {
    /// The type's status, a code checked to be in 400..=599.
    Fixed(u16),
    /// The `impl ErrorStatus` block's own `status` method.
    Impl,
}

/// The declaration, or `None` for tokens that are no item, which rustc reports once they are emitted as written.
pub fn validate(input: &Input) -> Result<Option<Declaration>, syn::Error> {
    let mut errors = Errors::default();
    let code = check_code(&mut errors, &input.code);
    let declaration = match &input.item {
        Target::Type { ident, generics } => {
            check_not_generic(&mut errors, generics);
            if matches!(input.code, Code::None) {
                errors.error_spanned_by(
                    ident,
                    format!(
                        "`#[status]` on a type takes its status code, such as `#[status(404)]`; a status computed \
                         from the value is declared by a `#[status] impl ErrorStatus for {ident}` block"
                    ),
                );
            }
            code.map(Declaration::Fixed)
        }
        Target::Impl {
            generics,
            trait_path,
            self_ty,
        } => {
            check_not_generic(&mut errors, generics);
            check_error_status_impl(&mut errors, trait_path.as_ref(), self_ty);
            if let Some(written) = written_code(&input.code) {
                errors.error_spanned_by(
                    written,
                    "an `impl ErrorStatus` block declares its status in its `status` method; write `#[status]` \
                     without a code",
                );
            }
            Some(Declaration::Impl)
        }
        Target::Other(first) => {
            errors.error_spanned_by(
                first,
                "`#[status]` belongs on an error type, `#[status(404)] struct NotFound;`, or on an \
                 `impl ErrorStatus for T` block",
            );
            None
        }
        Target::Unparsed => None,
    };
    errors.finish()?;
    Ok(declaration)
}

// The code is a decimal literal in 400..=599, as for `abort!` and handler keys.
fn check_code(errors: &mut Errors, code: &Code) -> Option<u16> {
    match code {
        Code::None => None,
        Code::Literal(lit) => match crate::status::error_status(lit, "`#[status]`") {
            Ok(code) => Some(code),
            Err(error) => {
                errors.push(error);
                None
            }
        },
        Code::Constant(path, code) => {
            errors.push(crate::status::constant_status(path, *code, "`#[status]`"));
            None
        }
        Code::Malformed(error) => {
            errors.push(error.clone());
            None
        }
    }
}

fn written_code(code: &Code) -> Option<proc_macro2::TokenStream> {
    match code {
        Code::None | Code::Malformed(_) => None,
        Code::Literal(lit) => Some(lit.to_token_stream()),
        Code::Constant(path, _) => Some(path.to_token_stream()),
    }
}

// A declaration is found by the concrete type of the error value, so a generic type cannot register one.
fn check_not_generic(errors: &mut Errors, generics: &syn::Generics) {
    if !generics.params.is_empty() {
        errors.error_spanned_by(
            &generics.params,
            "a generic type cannot declare its status: `?` finds a declaration by the error's concrete type; \
             declare it for each concrete type",
        );
    }
}

// The attribute registers an `ErrorStatus` implementation; any other block has nothing to register.
fn check_error_status_impl(
    errors: &mut Errors,
    trait_path: Option<&syn::Path>,
    self_ty: &syn::Type,
) {
    match trait_path {
        Some(path) if path.segments.last().is_some_and(|last| last.ident == "ErrorStatus") => {}
        Some(path) => errors.error_spanned_by(
            path,
            "`#[status]` belongs on an `impl ErrorStatus for T` block, not on an implementation of another trait",
        ),
        None => errors.error_spanned_by(
            self_ty,
            "`#[status]` belongs on an `impl ErrorStatus for T` block, not on an inherent `impl`",
        ),
    }
}
