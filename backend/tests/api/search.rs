//! The catalog read model over HTTP: suggestions, caching headers, compression, bounds, the same
//! answers on both databases, and freshness across replicas.
use std::time::{Duration, Instant};

use crate::helpers::*;

async fn seed(app: &TestApp) {
    app.product_named("MUG-1", "Blue Ceramic Mug", "Kitchen", 1299, 5)
        .await;
    app.product_named("MUG-2", "Red Enamel Mug", "Outdoors", 899, 0)
        .await;
    app.product_named("TENT-1", "Two Person Tent", "Outdoors", 19999, 3)
        .await;
}

#[db_test]
async fn suggestions_name_products_for_what_is_being_typed(app: TestApp) {
    seed(&app).await;
    let v = json_of(app.get("/api/search/suggest?q=Mu").await).await;
    let mut names: Vec<&str> = v["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Blue Ceramic Mug", "Red Enamel Mug"]);
    assert!(v["suggestions"][0]["id"].is_i64() && v["suggestions"][0]["slug"].is_string());
    let empty = json_of(app.get("/api/search/suggest?q=").await).await;
    assert_eq!(empty, json!({"suggestions": []}));
    let long = "a".repeat(201);
    field_error(app.get(&format!("/api/search/suggest?q={long}")).await, "q").await;
}

#[db_test]
async fn catalog_reads_carry_an_etag_and_unchanged_ones_answer_304(app: TestApp) {
    seed(&app).await;
    let res = app.get("/api/products?q=mug").await;
    assert_eq!(res.status(), StatusCode::OK);
    let cache = res.headers()["cache-control"].to_str().unwrap().to_owned();
    assert_eq!(cache, "public, max-age=5, stale-while-revalidate=30");
    let etag = res.headers()["etag"].clone();
    let again = send(
        app.client
            .get(app.url("/api/products?q=mug"))
            .header("if-none-match", etag.clone()),
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let other = send(
        app.client
            .get(app.url("/api/products?q=tent"))
            .header("if-none-match", etag.clone()),
    )
    .await;
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "another query has another tag"
    );
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .put("/api/admin/inventory/MUG-1", json!({"available": 0}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after = send(
        app.client
            .get(app.url("/api/products?q=mug"))
            .header("if-none-match", etag),
    )
    .await;
    assert_eq!(
        after.status(),
        StatusCode::OK,
        "a stock change moves the tag"
    );
}

#[db_test]
async fn json_is_compressed_for_clients_that_accept_it(app: TestApp) {
    seed(&app).await;
    let res = send(
        app.client
            .get(app.url("/api/products"))
            .header("accept-encoding", "br, gzip"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    let plain = app.get("/api/products").await;
    assert!(plain.headers().get("content-encoding").is_none());
}

#[db_test]
async fn deep_pages_and_long_queries_are_400s_naming_the_parameter(app: TestApp) {
    seed(&app).await;
    assert_eq!(
        app.get("/api/products?page=100&per_page=100")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/products?page=416&per_page=24").await.status(),
        StatusCode::OK
    );
    field_error(app.get("/api/products?page=101&per_page=100").await, "page").await;
    field_error(app.get("/api/products?page=417&per_page=24").await, "page").await;
    field_error(
        app.get(&format!("/api/products?q={}", "x".repeat(201)))
            .await,
        "q",
    )
    .await;
    let syntax = app
        .get("/api/products?q=name%3Amug%20AND%20%22blue%22%20OR%20(*)%5E2")
        .await;
    assert_eq!(syntax.status(), StatusCode::OK, "query syntax is just text");
}

#[db_test]
async fn a_product_is_found_by_slug(app: TestApp) {
    seed(&app).await;
    let v = json_of(app.get("/api/products/slug/two-person-tent").await).await;
    assert_eq!(v["sku"], "TENT-1");
    problem(
        app.get("/api/products/slug/no-such-thing").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[db_test]
async fn price_and_stock_facets_respect_the_other_filters(app: TestApp) {
    seed(&app).await;
    let v = json_of(
        app.get("/api/products?category=Outdoors&min_price=10000")
            .await,
    )
    .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["facets"]["in_stock"], 1);
    let ranges = v["facets"]["price_ranges"].as_array().unwrap();
    let counts: Vec<i64> = ranges
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .collect();
    assert_eq!(
        counts,
        [1, 0, 0, 0, 1, 0],
        "Outdoors across all prices: 8.99 and 199.99"
    );
    assert_eq!(
        ranges[0],
        json!({"min_cents": 0, "max_cents": 1000, "count": 1})
    );
    assert_eq!(ranges[5]["max_cents"], Value::Null);
}

/// Serves the seed's first products, the same on a fresh SQLite and a fresh Postgres.
async fn seeded(db: Db) -> TestApp {
    let app = TestApp::spawn(db).await;
    let products: Vec<_> = (1..=400).map(ecomm::catalog::seed::product).collect();
    app.store
        .seed_products(&products, 1_700_000_000_000)
        .await
        .unwrap();
    app.sync_catalog().await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_and_postgres_give_the_same_totals_and_first_pages() {
    let (lite, pg) = tokio::join!(seeded(Db::Sqlite), seeded(Db::Postgres));
    let words = [
        "",
        "a",
        "s",
        "t",
        "mug",
        "mugs",
        "ceramic mug",
        "ceramc",
        "kettlebel",
        "the mug",
        "oak no",
        "deluxe steel",
        "yo-yo",
        "t-shirt",
        "cozy w",
        "zz",
        "12",
        "\"*():^",
    ];
    let filters = [
        "",
        "&category=Kitchen",
        "&in_stock=true&sort=price_asc",
        "&min_price=1000&max_price=5000&sort=newest",
        "&sort=price_desc&page=2&per_page=10",
    ];
    let mut nonempty = 0;
    for w in words {
        for f in filters {
            let path = format!("/api/products?q={}{f}", urlencode(w));
            let (a, b) = tokio::join!(lite.get(&path), pg.get(&path));
            let (a, b) = (json_of(a).await, json_of(b).await);
            assert_eq!(a["total"], b["total"], "{path}");
            assert_eq!(a["facets"], b["facets"], "{path}");
            let skus = |v: &Value| -> Vec<String> {
                v["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["sku"].as_str().unwrap().to_owned())
                    .collect()
            };
            assert_eq!(skus(&a), skus(&b), "{path}");
            nonempty += usize::from(a["total"].as_i64().unwrap() > 0);
        }
    }
    assert!(
        nonempty > 60,
        "the query set finds things ({nonempty} of 90 do)"
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn listed_stock(app: &TestApp) -> Value {
    let page = json_of(app.get("/api/products?q=lamp&category=Home").await).await;
    page["items"][0]["available"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stock_change_through_one_replica_shows_in_another_within_a_second() {
    let a = TestApp::spawn(Db::Postgres).await;
    let p = a
        .product_named("LAMP-1", "Desk Lamp", "Home", 2599, 7)
        .await;
    let b = a.replica().await;
    assert_eq!(listed_stock(&b).await, 7);
    let admin = a.admin().await;
    let changed = Instant::now();
    let res = a
        .with(&admin)
        .put("/api/admin/inventory/LAMP-1", json!({"available": 2}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    while listed_stock(&b).await != 2 {
        assert!(
            changed.elapsed() < Duration::from_secs(1),
            "replica B still shows the old stock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let by_id = json_of(b.get(&format!("/api/products/{}", p.id)).await).await;
    assert_eq!(by_id["available"], 2);
}
