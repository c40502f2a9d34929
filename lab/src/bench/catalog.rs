//! The catalog part: a catalog page and a product by id vs nginx serving the same bytes, the
//! query mix, every letter on SQLite, the index build and memory; and the 1,000,000-product run.
use std::time::Instant;

use http_body_util::Full;
use hyper::Request;

use super::mix::{self, Mix};
use super::server::{Ecomm, Server};
use super::wrk::{StaticNginx, Wrk};
use super::Bench;
use crate::load::http::Client;

const PAGE: &str = "/api/products?category=Kitchen&sort=price_asc&page=3&per_page=24";
const PRODUCT: &str = "/api/products/17";

pub struct Catalog {
    pub page: (Wrk, Wrk),
    pub product: (Wrk, Wrk),
    pub mix: Mix,
    pub letters_max_ms: f64,
    pub index_ms: Option<u64>,
    pub rss_mib: u64,
}

/// Everything on the 10,000-product server, then the letters on a SQLite copy of the catalog.
pub async fn run(b: &Bench, server: &Server) -> anyhow::Result<Catalog> {
    let www = b.work.join("www");
    std::fs::create_dir_all(&www)?;
    std::fs::write(www.join("page.json"), get(&server.url, PAGE).await?)?;
    std::fs::write(www.join("product.json"), get(&server.url, PRODUCT).await?)?;
    let nginx = StaticNginx::start(&b.work, &www).await?;
    let secs = b.o.seconds;

    println!("== catalog page: wrk -t2 -c100 -d{secs}s ==");
    let page = (
        Wrk::run(&format!("{}/page.json", nginx.url), secs).await?,
        Wrk::run(&format!("{}{PAGE}", server.url), secs).await?,
    );
    println!("== product by id ==");
    let product = (
        Wrk::run(&format!("{}/product.json", nginx.url), secs).await?,
        Wrk::run(&format!("{}{PRODUCT}", server.url), secs).await?,
    );
    nginx.stop().await;
    println!("== query mix (10k products, Postgres): cold, then 16 connections {secs}s ==");
    let mix = mix::run(&server.url, 16, secs).await?;
    println!("{mix}");
    let rss_mib = server.rss_mib()?;
    let index_ms = server.index_built_ms();

    println!("== every letter a–z on SQLite (10k products, the make run default) ==");
    let media = format!("file://{}", b.work.join("media").display());
    let lite = Ecomm::new(
        &b.bin,
        &format!("sqlite://{}", b.work.join("lite.db").display()),
        &media,
    );
    lite.run(&["seed", "--products", "10000", "--images", "none"], true)
        .await?;
    let s = lite.serve(&[], &b.work.join("lite.log")).await?;
    let letters = mix::run(&s.url, 1, 0).await?;
    s.stop().await;
    Ok(Catalog {
        page,
        product,
        mix,
        letters_max_ms: letters.letters_max_ms,
        index_ms,
        rss_mib,
    })
}

async fn get(base: &str, path: &str) -> anyhow::Result<bytes::Bytes> {
    let c = Client::new(
        base,
        std::time::Duration::from_secs(30),
        std::time::Duration::from_secs(3),
    )?;
    let a = c
        .send(Request::get(path).body(Full::default())?, true, false)
        .await
        .map_err(|f| anyhow::anyhow!("GET {path}: {f:?}"))?;
    anyhow::ensure!(a.status.is_success(), "GET {path}: {}", a.status);
    Ok(a.body)
}

pub struct Million {
    /// Seconds to seed (None: a database seeded beforehand).
    pub seed_s: Option<u64>,
    pub ready_ms: u128,
    pub index_ms: Option<u64>,
    pub mix: Mix,
    pub rss_ready_mib: u64,
    pub rss_mib: u64,
}

/// 1,000,000 products on Postgres with the index on disk: seeded here (`--images none`) unless
/// `--million-db` names a database seeded beforehand.
pub async fn million(b: &Bench) -> anyhow::Result<Million> {
    println!("== 1,000,000 products (Postgres, index on disk) ==");
    let media = format!("file://{}", b.work.join("media").display());
    let (db, seed_s) = million_seeded(b, &media).await?;
    let index_dir = b.work.join("index1m").display().to_string();
    let e = Ecomm::new(&b.bin, &db, &media);
    let s = e
        .serve(&["--index-dir", &index_dir], &b.work.join("big.log"))
        .await?;
    let rss_ready_mib = s.rss_mib()?;
    let mix = mix::run(&s.url, 16, b.o.seconds).await?;
    println!("{mix}");
    let m = Million {
        seed_s,
        ready_ms: s.ready_ms,
        index_ms: s.index_built_ms(),
        mix,
        rss_ready_mib,
        rss_mib: s.rss_mib()?,
    };
    s.stop().await;
    Ok(m)
}

/// The 1,000,000-product database (seeded on first use in this run, or `--million-db`) and the
/// media URL, for the storefront part.
pub async fn million_db(b: &Bench) -> anyhow::Result<(String, String)> {
    let media = format!("file://{}", b.work.join("media").display());
    let (db, _) = million_seeded(b, &media).await?;
    Ok((db, media))
}

/// `--million-db`, else the bench's own `shop1m`, seeded unless an earlier part did; and the
/// seconds the seeding took, when it happened here.
async fn million_seeded(b: &Bench, media: &str) -> anyhow::Result<(String, Option<u64>)> {
    if let Some(url) = &b.o.million_db {
        return Ok((url.clone(), None));
    }
    if let Some(url) = b.million_url.get() {
        return Ok((url.clone(), None));
    }
    let url = b.create_db("shop1m").await?;
    let e = Ecomm::new(&b.bin, &url, media);
    e.run(&["migrate"], false).await?;
    let t = Instant::now();
    e.run(
        &["seed", "--products", "1000000", "--images", "none"],
        false,
    )
    .await?;
    let _ = b.million_url.set(url.clone());
    Ok((url, Some(t.elapsed().as_secs())))
}
