//! The storefront's server-rendered pages: home, catalog (all, a category, a search) and product.
//! Each is the SPA shell with the page's head and a plain-HTML body that React replaces.
use std::fmt::Write;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use html_escape::{encode_double_quoted_attribute_to_string, encode_text_to_string};

use super::head::{summary, Head, DESCRIPTION_CHARS};
use super::{jsonld, Site, Storefront};
use crate::catalog::cache::Page;
use crate::catalog::{
    words, CatalogProduct, Filters, ProductIndex, SearchRequest, Sort, MAX_WORDS,
};

/// Products listed in a catalog page's plain-HTML body (the SPA's first page holds as many).
const LISTED: usize = 24;

fn html(status: StatusCode, page: impl Into<axum::body::Body>) -> Response {
    let mut res = (status, page.into()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Stock and prices move: revalidate, as the SPA's index.html.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    crate::http::headers::spa(&mut res);
    res
}

fn text(out: &mut String, s: &str) {
    encode_text_to_string(s, out);
}

fn attr(out: &mut String, s: &str) {
    encode_double_quoted_attribute_to_string(s, out);
}

/// A price as shoppers read it.
fn money(cents: i64, currency: &str) -> String {
    match currency {
        "USD" => format!("${}", jsonld::price(cents)),
        other => format!("{} {other}", jsonld::price(cents)),
    }
}

fn not_found(sf: &Storefront) -> Response {
    let site = &sf.app.site;
    let head = Head {
        title: format!("Page not found — {}", site.name),
        description: "There is no such page in this shop.".into(),
        noindex: true,
        og_type: "website",
        ..Head::default()
    };
    let body = "<h1>Page not found</h1><p><a href=\"/products\">Browse the shop</a></p>";
    html(
        StatusCode::NOT_FOUND,
        sf.shell.page(&head.render(site), &main(body)),
    )
}

/// While the catalog is being built nothing can be described: crawlers come back later.
fn unavailable(sf: &Storefront) -> Response {
    let site = &sf.app.site;
    let head = Head {
        title: site.name.clone(),
        description: sf.shell.description.clone(),
        noindex: true,
        og_type: "website",
        ..Head::default()
    };
    let mut res = html(
        StatusCode::SERVICE_UNAVAILABLE,
        sf.shell.page(&head.render(site), ""),
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

fn main(body: &str) -> String {
    format!("<main id=\"main\" class=\"container main\">{body}</main>")
}

fn image_url(sf: &Storefront, p: &CatalogProduct) -> Option<String> {
    let key = p.image_key.as_deref()?;
    Some(sf.app.site.absolute(&sf.app.media.image_url(key)))
}

/// The product page, as served (status and HTML); `None` when there is no such product.
pub fn product_page(sf: &Storefront, p: &CatalogProduct) -> String {
    let site = &sf.app.site;
    let url = site.absolute(&site.product_path(p.id, &p.slug));
    let image = image_url(sf, p);
    let category_url = site.absolute(&site.category_path(&p.category));
    let head = Head {
        title: p
            .seo_title
            .clone()
            .unwrap_or_else(|| format!("{} — {}", p.name, site.name)),
        description: p
            .seo_description
            .clone()
            .unwrap_or_else(|| summary(&p.description, DESCRIPTION_CHARS)),
        canonical: Some(url.clone()),
        noindex: false,
        og_type: "product",
        image: image.clone(),
        og_extra: vec![
            ("product:price:amount", jsonld::price(p.price_cents)),
            ("product:price:currency", p.currency.clone()),
            (
                "product:availability",
                if p.available > 0 {
                    "in stock"
                } else {
                    "out of stock"
                }
                .into(),
            ),
        ],
        json_ld: vec![
            jsonld::product(site, p, &url, image.as_deref()),
            jsonld::breadcrumbs(&[
                ("Shop", Some(site.absolute("/products"))),
                (&p.category, Some(category_url)),
                (&p.name, None),
            ]),
        ],
    };
    let mut b = String::with_capacity(1024 + p.description.len());
    b.push_str("<article class=\"product-detail\"><nav aria-label=\"Breadcrumb\" class=\"breadcrumb\"><ol><li><a href=\"/products\">Shop</a></li><li><a href=\"");
    attr(&mut b, &site.category_path(&p.category));
    b.push_str("\">");
    text(&mut b, &p.category);
    b.push_str("</a></li><li aria-current=\"page\">");
    text(&mut b, &p.name);
    b.push_str("</li></ol></nav><div class=\"product-detail-grid\">");
    if let Some(src) = &image {
        b.push_str("<img class=\"product-detail-img\" width=\"600\" height=\"600\" src=\"");
        attr(&mut b, src);
        b.push_str("\" alt=\"");
        attr(&mut b, &p.name);
        b.push_str("\" />");
    }
    b.push_str("<div class=\"product-detail-info\"><h1>");
    text(&mut b, &p.name);
    b.push_str("</h1><p class=\"price-lg\">");
    text(&mut b, &money(p.price_cents, &p.currency));
    b.push_str("</p><p>");
    b.push_str(if p.available > 0 {
        "In stock"
    } else {
        "Out of stock"
    });
    b.push_str("</p><p class=\"description\">");
    text(&mut b, &p.description);
    b.push_str("</p><p class=\"muted small\">SKU ");
    text(&mut b, &p.sku);
    b.push_str("</p></div></div></article>");
    sf.shell.page(&head.render(site), &main(&b))
}

fn product_id(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|id| *id > 0)
}

/// `/products/{id}/{slug}`: the product, or a 301 to its current URL when the slug is not its
/// own (an old name's slug, or none), or 404.
pub async fn product(
    State(sf): State<Storefront>,
    Path((id, slug)): Path<(String, String)>,
) -> Response {
    show_product(&sf, &id, Some(&slug))
}

pub async fn product_without_slug(
    State(sf): State<Storefront>,
    Path(id): Path<String>,
) -> Response {
    show_product(&sf, &id, None)
}

fn show_product(sf: &Storefront, id: &str, slug: Option<&str>) -> Response {
    let Some(index) = sf.app.catalog.index() else {
        return unavailable(sf);
    };
    let found = product_id(id).map(|id| index.by_id(id)).transpose();
    let p = match found {
        Ok(Some(Some(p))) => p,
        Ok(_) => return not_found(sf),
        Err(e) => {
            tracing::error!(error = %e, "product page: index read failed");
            return unavailable(sf);
        }
    };
    // The id names the product; the slug is for people. Any other slug (the product was renamed)
    // moves permanently to the current one, so links shared before a rename keep working.
    if slug.unwrap_or("") != p.slug {
        let to = sf.app.site.product_path(p.id, &p.slug);
        return match HeaderValue::try_from(to) {
            // 301, not 308: what crawlers and old clients know as "moved permanently" for a GET.
            Ok(to) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response(),
            Err(_) => not_found(sf),
        };
    }
    html(StatusCode::OK, product_page(sf, &p))
}

/// What a catalog URL asks for (other parameters — sort, price, page — do not change its head).
#[derive(Debug, Default)]
struct Listing {
    q: String,
    category: Option<String>,
}

impl Listing {
    fn parse(raw: Option<&str>) -> Self {
        let mut l = Listing::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "q" => l.q = v.trim().chars().take(200).collect(),
                "category" => l.category = Some(v.trim().to_owned()).filter(|c| !c.is_empty()),
                _ => {}
            }
        }
        l
    }
}

fn search(
    index: &ProductIndex,
    q: &str,
    category: Option<&str>,
) -> anyhow::Result<(Vec<CatalogProduct>, u64)> {
    let r = index.search(&SearchRequest {
        words: words(q, MAX_WORDS),
        filters: Filters {
            category: category.map(str::to_owned),
            ..Filters::default()
        },
        sort: if q.is_empty() {
            Sort::Newest
        } else {
            Sort::Relevance
        },
        offset: 0,
        limit: LISTED,
    })?;
    Ok((r.items, r.total))
}

fn product_list(b: &mut String, site: &Site, items: &[CatalogProduct]) {
    b.push_str("<ul class=\"product-grid\">");
    for p in items {
        b.push_str("<li><a href=\"");
        attr(b, &site.product_path(p.id, &p.slug));
        b.push_str("\">");
        text(b, &p.name);
        b.push_str("</a> ");
        text(b, &money(p.price_cents, &p.currency));
        b.push_str("</li>");
    }
    b.push_str("</ul>");
}

/// A catalog page's HTML; `None` for a category with no products (unknown).
fn catalog_page(
    sf: &Storefront,
    index: &ProductIndex,
    l: &Listing,
) -> anyhow::Result<Option<String>> {
    let site = &sf.app.site;
    let category = l.category.as_deref();
    let (items, total) = search(index, &l.q, category)?;
    if let (Some(c), true) = (category, total == 0) {
        // A search may find nothing in a category that exists; only an empty category is unknown.
        if l.q.is_empty() || search(index, "", Some(c))?.1 == 0 {
            return Ok(None);
        }
    }
    let mut crumbs = vec![("Shop", Some(site.absolute("/products")))];
    let (title, description, path) = match (category, l.q.is_empty()) {
        (_, false) => (
            format!("Search results for “{}”", l.q),
            format!("Products matching “{}” at {}.", l.q, site.name),
            format!(
                "/products?{}",
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", &l.q)
                    .finish()
            ),
        ),
        (Some(c), true) => {
            crumbs.push((c, None));
            (
                c.to_owned(),
                format!("{total} products in {c} at {}.", site.name),
                site.category_path(c),
            )
        }
        (None, true) => (
            "All products".to_owned(),
            format!("Browse all {total} products at {}.", site.name),
            "/products".to_owned(),
        ),
    };
    let head = Head {
        title: format!("{title} — {}", site.name),
        description,
        canonical: Some(site.absolute(&path)),
        // Search result pages are endless and thin: crawlers follow them but do not index them.
        noindex: !l.q.is_empty(),
        og_type: "website",
        json_ld: vec![jsonld::breadcrumbs(&crumbs)],
        ..Head::default()
    };
    let mut b = String::with_capacity(4096);
    b.push_str("<h1>");
    text(&mut b, &title);
    let _ = write!(b, "</h1><p>{total} products</p>");
    product_list(&mut b, site, &items);
    Ok(Some(sf.shell.page(&head.render(site), &main(&b))))
}

/// Cached per index state: a catalog page shows no stock counts, so only an index change moves it.
fn cached(
    sf: &Storefront,
    key: &str,
    make: impl FnOnce() -> anyhow::Result<Option<String>>,
) -> Response {
    enum Miss {
        NotFound,
        Failed(anyhow::Error),
    }
    let key = format!("seo|{}|{key}", sf.app.catalog.tag());
    let page = sf
        .app
        .catalog
        .cache
        .get_or_try_insert(key, || match make() {
            Ok(Some(html)) => Ok(Page::fixed(html.into())),
            Ok(None) => Err(Miss::NotFound),
            Err(e) => Err(Miss::Failed(e)),
        });
    match page {
        Ok(page) => html(StatusCode::OK, page.render(None)),
        Err(Miss::NotFound) => not_found(sf),
        Err(Miss::Failed(e)) => {
            tracing::error!(error = %e, "storefront page: index read failed");
            unavailable(sf)
        }
    }
}

pub async fn catalog(State(sf): State<Storefront>, RawQuery(raw): RawQuery) -> Response {
    let Some(index) = sf.app.catalog.index() else {
        return unavailable(&sf);
    };
    let l = Listing::parse(raw.as_deref());
    let key = format!(
        "catalog|c={}|q={}",
        l.category.as_deref().unwrap_or(""),
        words(&l.q, MAX_WORDS)
            .iter()
            .map(|w| w.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    );
    // The query text shows in the page: pages for differently spelled queries differ.
    let key = if l.q.is_empty() {
        key
    } else {
        format!("{key}|{}", l.q)
    };
    cached(&sf, &key, || catalog_page(&sf, index, &l))
}

fn home_page(sf: &Storefront, index: &ProductIndex) -> anyhow::Result<Option<String>> {
    let site = &sf.app.site;
    let head = Head {
        // The SPA's description usually names the shop already ("ecomm — everyday goods…").
        title: match sf.shell.description.trim_end_matches('.') {
            d if d.contains(&site.name) => d.to_owned(),
            d => format!("{} — {d}", site.name),
        },
        description: sf.shell.description.clone(),
        canonical: Some(site.absolute("/")),
        og_type: "website",
        json_ld: vec![jsonld::organization(site), jsonld::website(site)],
        ..Head::default()
    };
    let (newest, _) = search(index, "", None)?;
    let mut b = String::with_capacity(4096);
    b.push_str("<h1>");
    text(&mut b, &site.name);
    b.push_str("</h1><p>");
    text(&mut b, &sf.shell.description);
    b.push_str("</p><nav aria-label=\"Categories\"><ul>");
    for (name, _) in index.categories()? {
        b.push_str("<li><a href=\"");
        attr(&mut b, &site.category_path(&name));
        b.push_str("\">");
        text(&mut b, &name);
        b.push_str("</a></li>");
    }
    b.push_str("</ul></nav><h2>New arrivals</h2>");
    product_list(&mut b, site, &newest);
    Ok(Some(sf.shell.page(&head.render(site), &main(&b))))
}

pub async fn home(State(sf): State<Storefront>) -> Response {
    let Some(index) = sf.app.catalog.index() else {
        return unavailable(&sf);
    };
    cached(&sf, "home", || home_page(&sf, index))
}
