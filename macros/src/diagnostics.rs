//! Collects every independent mistake so that one compile reports them all.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The errors found so far, combined into one `syn::Error` that emits one `compile_error!` each.
#[derive(Default)]
pub struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    pub fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn finish(self) -> Result<(), syn::Error> {
        self.combined.map_or(Ok(()), Err)
    }
}

/// Prints an expansion to stderr when `ERRORHANDLER_DEBUG` is set, for debugging the macros.
pub fn debug_expansion(name: &str, tokens: &TokenStream) {
    if std::env::var_os("ERRORHANDLER_DEBUG").is_some() {
        eprintln!("// {name} expands to:\n{tokens}");
    }
}
