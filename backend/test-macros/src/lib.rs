//! `#[db_test]` turns `async fn name(app: TestApp) { … }` into `name::on_sqlite` and
//! `name::on_postgres`, each a tokio test that spawns a fresh app on that database. The body
//! stays a plain function, so rustfmt and clippy see it.
use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, ItemFn};

#[proc_macro_attribute]
pub fn db_test(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[db_test] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let f = parse_macro_input!(item as ItemFn);
    if f.sig.asyncness.is_none() || f.sig.inputs.len() != 1 {
        return syn::Error::new_spanned(&f.sig, "expected `async fn name(app: TestApp)`")
            .to_compile_error()
            .into();
    }
    let name = &f.sig.ident;
    let attrs = &f.attrs;
    let vis = &f.vis;
    let mut body = f.clone();
    body.attrs.clear();
    body.vis = syn::Visibility::Inherited;
    body.sig.ident = syn::Ident::new("run", name.span());
    let tests = [("on_sqlite", "Sqlite"), ("on_postgres", "Postgres")].map(|(test, db)| {
        let test = syn::Ident::new(test, name.span());
        let db = syn::Ident::new(db, name.span());
        quote! {
            #(#attrs)*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn #test() {
                run(crate::helpers::TestApp::spawn(crate::helpers::Db::#db).await).await
            }
        }
    });
    quote! {
        #vis mod #name {
            #[allow(unused_imports)]
            use super::*;
            #body
            #(#tests)*
        }
    }
    .into()
}
