use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::{Code, Input, Target};
use super::valid::Declaration;
use crate::codegen::at;

pub fn declaration(input: &Input, declaration: &Option<Declaration>) -> TokenStream {
    let item = &input.tokens;
    let registration = match (declaration, &input.item) {
        (Some(Declaration::Fixed(code)), Target::Type { ident, .. }) => {
            let span = at(ident.span());
            let status = quote_spanned! {span=>
                impl ::errorhandler::ErrorStatus for #ident {
                    fn status(&self) -> ::errorhandler::__private::StatusCode {
                        ::errorhandler::__private::declared_status(#code)
                    }
                }
            };
            let registered = register(&quote!(#ident), span);
            quote!(#status #registered)
        }
        (Some(Declaration::Impl), Target::Impl { self_ty, .. }) => {
            register(&quote!(#self_ty), at(self_ty.span()))
        }
        _ => TokenStream::new(),
    };
    quote! {
        #item
        const _: () = {
            #registration
        };
    }
}

/// The user's item and the errors; an `impl ErrorStatus` block is still marked declared, so that the one
/// mistake reported is not followed by rustc's error about the missing declaration.
pub fn fallback(input: &Input, errors: &syn::Error) -> TokenStream {
    let item = &input.tokens;
    let errors = errors.to_compile_error();
    let declared = match &input.item {
        Target::Impl {
            generics,
            trait_path: Some(_),
            self_ty,
        } => {
            let (impl_generics, _, where_clause) = generics.split_for_impl();
            Some(quote! {
                impl #impl_generics ::errorhandler::__private::Declared for #self_ty #where_clause {}
            })
        }
        _ => None,
    };
    // The constant is already reported; naming it keeps its import from being reported unused too.
    let constant = match &input.code {
        Code::Constant(path, _) => Some(quote!(const _: () = { let _ = #path; };)),
        _ => None,
    };
    quote! {
        #item
        #errors
        #declared
        #constant
    }
}

/// Marks `ty` declared and registers it, spanned at the user's type so that a type that is not an error is
/// reported under it.
fn register(ty: &TokenStream, span: proc_macro2::Span) -> TokenStream {
    quote_spanned! {span=>
        impl ::errorhandler::__private::Declared for #ty {}
        ::errorhandler::__private::inventory::submit!(
            ::errorhandler::__private::Declaration::of::<#ty>()
        );
    }
}
