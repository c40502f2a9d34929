//! What search engines and link previews read: server-rendered heads (title, description,
//! canonical, Open Graph, JSON-LD) and bodies for the storefront's URLs, `robots.txt` and the
//! sitemaps — all from the catalog read model, never from the database.
use std::path::Path;
use std::sync::Arc;

use axum::routing::get;
use axum::Router;

use crate::http::AppState;

pub mod head;
pub mod jsonld;
mod pages;
pub mod shell;
pub mod sitemap;

pub use shell::Shell;

/// The shop as the outside world addresses it.
#[derive(Debug, Clone)]
pub struct Site {
    /// Scheme and host (and path prefix, if any) with no trailing slash: `https://shop.example`.
    pub base: String,
    pub name: String,
}

impl Default for Site {
    fn default() -> Self {
        Site::new("http://localhost:8080", "ecomm")
    }
}

impl Site {
    pub fn new(base: &str, name: &str) -> Self {
        Site {
            base: base.trim_end_matches('/').to_owned(),
            name: name.to_owned(),
        }
    }

    /// `path` (starting with `/`) as an absolute URL; an absolute URL (a CDN's) stays as it is.
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub fn product_path(&self, id: i64, slug: &str) -> String {
        if slug.is_empty() {
            format!("/products/{id}")
        } else {
            format!("/products/{id}/{slug}")
        }
    }

    pub fn category_path(&self, category: &str) -> String {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("category", category)
            .finish();
        format!("/products?{q}")
    }
}

/// What the storefront's handlers share.
#[derive(Clone)]
pub struct Storefront {
    pub app: AppState,
    pub shell: Arc<Shell>,
    pub sitemaps: Arc<sitemap::Sitemaps>,
}

/// The storefront's server-rendered routes, when `static_dir` holds the built SPA's
/// `index.html` (its shell around every page). Without one there is no storefront to describe.
pub fn router(app: AppState, static_dir: &Path) -> Option<Router> {
    let shell = match Shell::load(&static_dir.join("index.html")) {
        Ok(shell) => shell,
        Err(e) => {
            tracing::warn!(error = %e, "no server-rendered pages: the SPA shell is unusable");
            return None;
        }
    };
    let sf = Storefront {
        app,
        shell: Arc::new(shell),
        sitemaps: Arc::new(sitemap::Sitemaps::default()),
    };
    Some(
        Router::new()
            .route("/", get(pages::home))
            .route("/products", get(pages::catalog))
            .route("/products/{id}", get(pages::product_without_slug))
            .route("/products/{id}/{slug}", get(pages::product))
            .route("/robots.txt", get(sitemap::robots))
            .route("/sitemap.xml", get(sitemap::index))
            .route("/sitemaps/{file}", get(sitemap::file))
            .with_state(sf),
    )
}
