//! The storefront's server-rendered part: a product page's HTML (one connection, so its p99 is the
//! render and the loopback, beside the catalog API page measured the same way), and the sitemap
//! index plus one products sitemap vs nginx serving the same bytes; at 10,000 products, and with
//! `--million` at 1,000,000 (where the products sitemap holds its full 50,000 URLs and the first
//! request times a full regeneration).
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::Request;

use super::server::{Ecomm, Server};
use super::table::row5;
use super::wrk::{StaticNginx, Wrk};
use super::Bench;
use crate::load::http::Client;

const CATALOG_PAGE: &str = "/api/products?category=Kitchen&sort=price_asc&page=3&per_page=24";
const SITEMAP: &str = "/sitemap.xml";
const PRODUCTS_SITEMAP: &str = "/sitemaps/products-1.xml.gz";

pub async fn run(b: &Bench, shop: &Ecomm) -> anyhow::Result<()> {
    let dist = super::vitals::dist().await?;
    let dir = dist.display().to_string();
    let s = shop
        .serve(&["--static-dir", &dir], &b.work.join("seo.log"))
        .await?;
    measure(b, &s, "10k").await?;
    s.stop().await;
    if b.o.million {
        let (db, media) = super::catalog::million_db(b).await?;
        let index_dir = b.work.join("index1m-seo").display().to_string();
        let s = Ecomm::new(&b.bin, &db, &media)
            .serve(
                &["--index-dir", &index_dir, "--static-dir", &dir],
                &b.work.join("seo1m.log"),
            )
            .await?;
        measure(b, &s, "1M").await?;
        s.stop().await;
    }
    Ok(())
}

/// GET `path` as the bench's client: status, `location` and body.
async fn get(base: &str, path: &str) -> anyhow::Result<(u16, Option<String>, bytes::Bytes)> {
    let c = Client::new(base, Duration::from_secs(120), Duration::from_secs(3))?;
    let a = c
        .send(Request::get(path).body(Full::default())?, true, false)
        .await
        .map_err(|f| anyhow::anyhow!("GET {path}: {f:?}"))?;
    let location = a
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok((a.status.as_u16(), location, a.body))
}

async fn measure(b: &Bench, s: &Server, size: &str) -> anyhow::Result<()> {
    let secs = b.o.seconds;
    // The product's canonical URL: `/products/{id}` answers 301 to it.
    let (_, location, _) = get(&s.url, "/products/17").await?;
    let product = location.ok_or_else(|| anyhow::anyhow!("/products/17 did not redirect"))?;
    println!("== storefront HTML ({size}): {product}, wrk -t1 -c1 -d{secs}s ==");
    let html = Wrk::run_with(&format!("{}{product}", s.url), secs, 1, 1).await?;
    println!("== catalog API page ({size}), the same way ==");
    let api = Wrk::run_with(&format!("{}{CATALOG_PAGE}", s.url), secs, 1, 1).await?;

    let t = Instant::now();
    let (status, _, index) = get(&s.url, SITEMAP).await?;
    anyhow::ensure!(status == 200, "GET {SITEMAP}: {status}");
    let generated = t.elapsed();
    let (status, _, products) = get(&s.url, PRODUCTS_SITEMAP).await?;
    anyhow::ensure!(status == 200, "GET {PRODUCTS_SITEMAP}: {status}");
    let www = b.work.join(format!("www-seo-{size}"));
    std::fs::create_dir_all(www.join("sitemaps"))?;
    std::fs::write(www.join("sitemap.xml"), &index)?;
    std::fs::write(www.join("sitemaps/products-1.xml.gz"), &products)?;
    let nginx = StaticNginx::start(&b.work, &www).await?;
    println!(
        "== sitemap index and products-1 ({size}, {} bytes gzip'd): wrk -t2 -c100 ==",
        products.len()
    );
    let index_ab = (
        Wrk::run(&format!("{}{SITEMAP}", nginx.url), secs).await?,
        Wrk::run(&format!("{}{SITEMAP}", s.url), secs).await?,
    );
    let file_ab = (
        Wrk::run(&format!("{}{PRODUCTS_SITEMAP}", nginx.url), secs).await?,
        Wrk::run(&format!("{}{PRODUCTS_SITEMAP}", s.url), secs).await?,
    );
    nginx.stop().await;
    let urls = count_urls(&products)?;

    super::table::machine();
    println!(
        "{:<42} {:>12} {:>12} {:>14} {:>8}",
        format!("storefront ({size} products)"),
        "ecomm",
        "target",
        "baseline",
        "ratio"
    );
    row5(
        "product page HTML p99 ms, 1 conn (vs API page)",
        html.p99_ms(),
        "≤ 2",
        api.p99_ms(),
    );
    row5(
        "product page HTML req/s, 1 conn (vs API page)",
        html.rps(),
        "",
        api.rps(),
    );
    row5(
        "sitemap index req/s (vs nginx file)",
        index_ab.1.rps(),
        "≥ 0.5x",
        index_ab.0.rps(),
    );
    row5(
        &format!("products sitemap, {urls} URLs, req/s (vs nginx)"),
        file_ab.1.rps(),
        "≥ 0.5x",
        file_ab.0.rps(),
    );
    println!(
        "{:<42} {:>12}",
        "sitemaps generated (first request), ms",
        generated.as_millis()
    );
    for w in [&html, &api, &index_ab.1, &file_ab.1] {
        for e in w.errors() {
            println!("  wrk: {e}");
        }
    }
    Ok(())
}

/// URLs in a gzip'd sitemap.
fn count_urls(gz: &[u8]) -> anyhow::Result<usize> {
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut xml)?;
    Ok(xml.matches("<url>").count())
}
