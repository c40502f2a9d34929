//! `robots.txt`, the sitemap index and gzip'd sitemaps of at most 50,000 URLs, made from the
//! catalog index and kept per index state: an index change (the change feed's commit) makes the
//! set stale; the next request starts a rebuild in the background and is answered from the stale
//! set meanwhile, so no request waits for a rebuild but the very first.
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use html_escape::encode_text_to_string;
use serde::Deserialize;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::{Site, Storefront};
use crate::catalog::ProductIndex;
use crate::sys::clock::rfc3339;

/// The sitemaps protocol's limit per file (sitemaps.org).
pub const URLS_PER_FILE: usize = 50_000;
pub const GZIP: &str = "application/gzip";
const XMLNS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// What a sitemap needs of a product (the stored document has more: it is skipped, not copied).
#[derive(Debug, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub slug: String,
    #[serde(default)]
    pub updated_at: i64,
}

/// Every product in the index, by id.
pub fn entries(index: &ProductIndex) -> anyhow::Result<Vec<Entry>> {
    let reader = index
        .index()
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let stored = index.index().schema().get_field("doc")?;
    let mut out = Vec::with_capacity(usize::try_from(searcher.num_docs()).unwrap_or(0));
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(16)?;
        for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
            let doc = doc?;
            let bytes = doc
                .get_first(stored)
                .and_then(|v| v.as_bytes())
                .context("stored product missing")?;
            out.push(serde_json::from_slice::<Entry>(bytes)?);
        }
    }
    out.sort_unstable_by_key(|e| e.id);
    Ok(out)
}

/// One generation of the sitemaps: the index document and each gzip'd file by name.
#[derive(Debug)]
pub struct Set {
    pub tag: String,
    pub index: Bytes,
    pub files: HashMap<String, Bytes>,
}

fn url(out: &mut String, loc: &str, lastmod: Option<i64>) {
    out.push_str("<url><loc>");
    encode_text_to_string(loc, out);
    out.push_str("</loc>");
    if let Some(ms) = lastmod {
        out.push_str("<lastmod>");
        out.push_str(&rfc3339(ms));
        out.push_str("</lastmod>");
    }
    out.push_str("</url>\n");
}

fn urlset(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"{XMLNS}\">\n{body}</urlset>\n"
    )
}

fn gzip(xml: &str) -> anyhow::Result<Bytes> {
    let mut gz = GzEncoder::new(Vec::with_capacity(xml.len() / 8), Compression::default());
    gz.write_all(xml.as_bytes())?;
    Ok(gz.finish()?.into())
}

/// The file of products `chunk` (1-based), as gzip'd XML, and its newest `lastmod`.
fn products_file(site: &Site, chunk: &[Entry]) -> anyhow::Result<(Bytes, i64)> {
    let mut body = String::with_capacity(chunk.len() * 110);
    for e in chunk {
        url(
            &mut body,
            &site.absolute(&site.product_path(e.id, &e.slug)),
            Some(e.updated_at),
        );
    }
    let newest = chunk.iter().map(|e| e.updated_at).max().unwrap_or(0);
    Ok((gzip(&urlset(&body))?, newest))
}

/// Builds every file: the home page, the catalog and its categories in `pages.xml.gz`, the
/// products in `products-N.xml.gz` by id.
pub fn build(site: &Site, index: &ProductIndex, tag: String) -> anyhow::Result<Set> {
    build_with(site, index, tag, URLS_PER_FILE)
}

fn build_with(
    site: &Site,
    index: &ProductIndex,
    tag: String,
    per_file: usize,
) -> anyhow::Result<Set> {
    let entries = entries(index)?;
    let chunks: Vec<&[Entry]> = entries.chunks(per_file).collect();
    // Compressing is most of the work: share the chunks out over the cores.
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(chunks.len().max(1));
    let made: Vec<anyhow::Result<(Bytes, i64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let chunks = &chunks;
                s.spawn(move || {
                    chunks
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % workers == w)
                        .map(|(i, c)| (i, products_file(site, c)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<_> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut pages = String::new();
    url(&mut pages, &site.absolute("/"), None);
    url(&mut pages, &site.absolute("/products"), None);
    for (name, _) in index.categories()? {
        url(&mut pages, &site.absolute(&site.category_path(&name)), None);
    }
    let mut files = HashMap::new();
    files.insert("pages.xml.gz".to_owned(), gzip(&urlset(&pages))?);
    let mut idx =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"{XMLNS}\">\n");
    let mut entry = |name: &str, lastmod: Option<i64>| {
        idx.push_str("<sitemap><loc>");
        encode_text_to_string(site.absolute(&format!("/sitemaps/{name}")), &mut idx);
        idx.push_str("</loc>");
        if let Some(ms) = lastmod {
            idx.push_str("<lastmod>");
            idx.push_str(&rfc3339(ms));
            idx.push_str("</lastmod>");
        }
        idx.push_str("</sitemap>\n");
    };
    entry("pages.xml.gz", None);
    for (i, file) in made.into_iter().enumerate() {
        let (bytes, newest) = file?;
        let name = format!("products-{}.xml.gz", i + 1);
        entry(&name, Some(newest));
        files.insert(name, bytes);
    }
    idx.push_str("</sitemapindex>\n");
    Ok(Set {
        tag,
        index: idx.into(),
        files,
    })
}

#[derive(Default)]
pub struct Sitemaps {
    current: RwLock<Option<Arc<Set>>>,
    building: Arc<tokio::sync::Mutex<()>>,
}

impl Sitemaps {
    fn current(&self) -> Option<Arc<Set>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    fn store(&self, set: Set) -> Arc<Set> {
        let set = Arc::new(set);
        if let Ok(mut c) = self.current.write() {
            *c = Some(set.clone());
        }
        set
    }
}

async fn rebuild(sf: &Storefront) -> anyhow::Result<Arc<Set>> {
    let tag = sf.app.catalog.tag();
    let app = sf.app.clone();
    let set = tokio::task::spawn_blocking(move || {
        let index = app.catalog.index().context("catalog not ready")?;
        build(&app.site, index, tag)
    })
    .await??;
    Ok(sf.sitemaps.store(set))
}

/// The sitemaps of the current index state, or of an older one while a rebuild runs.
pub async fn sitemaps(sf: &Storefront) -> anyhow::Result<Arc<Set>> {
    let tag = sf.app.catalog.tag();
    if let Some(set) = sf.sitemaps.current() {
        if set.tag != tag {
            if let Ok(guard) = sf.sitemaps.building.clone().try_lock_owned() {
                let sf = sf.clone();
                tokio::spawn(async move {
                    if let Err(e) = rebuild(&sf).await {
                        tracing::warn!(error = %e, "sitemaps: rebuild failed");
                    }
                    drop(guard);
                });
            }
        }
        return Ok(set);
    }
    let _guard = sf.sitemaps.building.lock().await;
    match sf.sitemaps.current() {
        Some(set) => Ok(set),
        None => rebuild(sf).await,
    }
}

fn respond(content_type: &'static str, body: Bytes) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

fn failed(e: &anyhow::Error) -> Response {
    tracing::warn!(error = %e, "sitemaps unavailable");
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        "sitemaps are being built\n",
    )
        .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    res
}

pub async fn robots(State(sf): State<Storefront>) -> Response {
    let site = &sf.app.site;
    let body = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /admin\nDisallow: /cart\nDisallow: /checkout\n\
         Disallow: /account/\n\nSitemap: {}\n",
        site.absolute("/sitemap.xml")
    );
    respond("text/plain; charset=utf-8", body.into())
}

pub async fn index(State(sf): State<Storefront>) -> Response {
    if sf.app.catalog.index().is_none() {
        return failed(&anyhow::anyhow!("catalog not ready"));
    }
    match sitemaps(&sf).await {
        Ok(set) => respond("application/xml; charset=utf-8", set.index.clone()),
        Err(e) => failed(&e),
    }
}

pub async fn file(State(sf): State<Storefront>, Path(name): Path<String>) -> Response {
    if sf.app.catalog.index().is_none() {
        return failed(&anyhow::anyhow!("catalog not ready"));
    }
    match sitemaps(&sf).await {
        Ok(set) => match set.files.get(&name) {
            Some(bytes) => respond(GZIP, bytes.clone()),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        Err(e) => failed(&e),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;
    use crate::catalog::Change;

    fn index_of(n: i64) -> ProductIndex {
        let index = ProductIndex::create(None).unwrap();
        let changes: Vec<Change> = (1..=n)
            .map(|id| {
                let product = crate::store::Product {
                    id,
                    sku: format!("SKU-{id}"),
                    slug: format!("p-{id}"),
                    name: format!("P {id}"),
                    description: String::new(),
                    category: "Kitchen".into(),
                    price_cents: 100,
                    currency: "USD".into(),
                    image_key: None,
                    available: 1,
                    created_at: 0,
                    updated_at: 1_700_000_000_000 + id,
                    seo_title: None,
                    seo_description: None,
                };
                Change {
                    product,
                    version: id,
                    deleted: false,
                }
            })
            .collect();
        let staged = index.stage(&changes, 0).unwrap();
        index.commit().unwrap();
        index.hold(&staged);
        index
    }

    fn gunzip(b: &[u8]) -> String {
        let mut s = String::new();
        flate2::read::GzDecoder::new(b)
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn products_are_split_into_files_of_at_most_the_limit_in_id_order() {
        let site = Site::new("https://shop.example", "S");
        let set = build_with(&site, &index_of(5), "t".into(), 2).unwrap();
        let index = std::str::from_utf8(&set.index).unwrap();
        for name in ["pages", "products-1", "products-2", "products-3"] {
            let loc = format!("<loc>https://shop.example/sitemaps/{name}.xml.gz</loc>");
            assert!(index.contains(&loc), "{index}");
        }
        assert!(!index.contains("products-4"), "{index}");
        assert_eq!(set.files.len(), 4);
        let last = gunzip(&set.files["products-3.xml.gz"]);
        assert_eq!(last.matches("<url>").count(), 1, "{last}");
        assert!(
            last.contains("<loc>https://shop.example/products/5/p-5</loc>"),
            "{last}"
        );
        let first = gunzip(&set.files["products-1.xml.gz"]);
        assert!(first.contains("/products/1/p-1<") && first.contains("/products/2/p-2<"));
        assert!(
            first.contains("<lastmod>2023-11-14T22:13:20.002Z</lastmod>"),
            "{first}"
        );
    }
}
