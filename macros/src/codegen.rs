//! Expansion pieces both macros share: spans at the user's tokens, and the code that runs head extractors.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Type};

/// A span at the user's token that resolves names like the macro's own output.
pub fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

/// Statements that run `extractors` in order on the generated caller's `__errorhandler_head`, and the
/// arguments they bind; the caller returns `None` when one rejects the request or the layer kept no head.
///
/// Each extraction is spanned at its type, so that a parameter that is not an extractor is reported there.
pub fn extract_arguments(extractors: &[&Type], state: &TokenStream) -> (TokenStream, Vec<Ident>) {
    if extractors.is_empty() {
        return (quote!(let _ = __errorhandler_head;), Vec::new());
    }
    let arguments: Vec<Ident> = (0..extractors.len())
        .map(|index| format_ident!("__errorhandler_arg_{}", index))
        .collect();
    let extractions = extractors.iter().zip(&arguments).map(|(ty, argument)| {
        let span = at(ty.span());
        let extract = quote_spanned! {span=>
            ::errorhandler::__private::extract_head::<#ty, #state>(&mut __errorhandler_parts, __errorhandler_state).await
        };
        quote!(let #argument = #extract?;)
    });
    let statements = quote! {
        let (mut __errorhandler_parts, __errorhandler_state) = __errorhandler_head?.into_parts();
        let __errorhandler_state: &#state = &__errorhandler_state;
        #(#extractions)*
    };
    (statements, arguments)
}
