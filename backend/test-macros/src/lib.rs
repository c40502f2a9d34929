//! `#[db_test]` turns `async fn name(app: TestApp) { … }` into `name::on_sqlite` and
//! `name::on_postgres`, each a tokio test that spawns a fresh app on that database. A test that
//! starts its own server (custom settings) takes `db: Db` instead and is given the database.
//! The body stays a plain function, so rustfmt and clippy see it. Each runs within the helpers'
//! time limit, so a hang fails its own test instead of the whole CI run.
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
        return syn::Error::new_spanned(
            &f.sig,
            "expected `async fn name(app: TestApp)` or `async fn name(db: Db)`",
        )
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
    let wants_db = match f.sig.inputs.first() {
        Some(syn::FnArg::Typed(arg)) => matches!(&*arg.ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "Db")),
        _ => false,
    };
    let tests = [("on_sqlite", "Sqlite"), ("on_postgres", "Postgres")].map(|(test, db)| {
        let test = syn::Ident::new(test, name.span());
        let db = syn::Ident::new(db, name.span());
        let arg = if wants_db {
            quote! { crate::helpers::Db::#db }
        } else {
            quote! { crate::helpers::TestApp::spawn(crate::helpers::Db::#db).await }
        };
        quote! {
            #(#attrs)*
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn #test() {
                crate::helpers::within_test_limit(async { run(#arg).await }).await
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
