//! Server-rendered storefront pages as a crawler or a link preview reads them: raw HTML, no
//! JavaScript, parsed with a real HTML parser and compared with the API's product.
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::helpers::*;

const BASE: &str = "https://shop.example";

async fn page(app: &TestApp, path: &str) -> (StatusCode, Html) {
    let res = app.get(path).await;
    let status = res.status();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}: an HTML page"
    );
    (status, Html::parse_document(&res.text().await.unwrap()))
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// The `content` of the one `<meta>` whose `key` attribute is `name`.
fn meta(doc: &Html, key: &str, name: &str) -> String {
    let found = select(doc, &format!("meta[{key}=\"{name}\"]"));
    assert_eq!(found.len(), 1, "one meta {name}");
    found[0].value().attr("content").unwrap().to_owned()
}

fn title(doc: &Html) -> String {
    let t = select(doc, "title");
    assert_eq!(t.len(), 1, "one title");
    t[0].text().collect()
}

fn canonical(doc: &Html) -> String {
    let c = select(doc, "link[rel=canonical]");
    assert_eq!(c.len(), 1, "one canonical link");
    c[0].value().attr("href").unwrap().to_owned()
}

/// Every JSON-LD document of the page, by `@type`.
fn json_ld(doc: &Html, kind: &str) -> Value {
    let docs: Vec<Value> = select(doc, "script[type=\"application/ld+json\"]")
        .iter()
        .map(|s| serde_json::from_str(&s.text().collect::<String>()).unwrap())
        .filter(|d: &Value| d["@type"] == kind)
        .collect();
    assert_eq!(docs.len(), 1, "one {kind}: {docs:?}");
    docs[0].clone()
}

async fn api_product(app: &TestApp, id: i64) -> Value {
    json_of(app.get(&format!("/api/products/{id}")).await).await
}

fn price(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[db_test]
async fn a_product_page_carries_the_api_products_structured_data_and_preview_tags(db: Db) {
    let app = TestApp::storefront(db).await;
    let p = app
        .product_named("SEO-1", "Blue Ceramic Mug", "Kitchen", 1299, 7)
        .await;
    app.store
        .set_product_image(p.id, "mug.png", 0)
        .await
        .unwrap();
    app.sync_catalog().await;
    let api = api_product(&app, p.id).await;
    let url = format!("{BASE}/products/{}/blue-ceramic-mug", p.id);
    let (status, doc) = page(&app, &format!("/products/{}/blue-ceramic-mug", p.id)).await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(title(&doc), "Blue Ceramic Mug — Test Shop");
    assert_eq!(meta(&doc, "name", "description"), api["description"]);
    assert_eq!(canonical(&doc), url);
    let image = format!("{BASE}{}", api["image_url"].as_str().unwrap());
    assert_eq!(meta(&doc, "property", "og:title"), title(&doc));
    assert_eq!(meta(&doc, "property", "og:type"), "product");
    assert_eq!(meta(&doc, "property", "og:url"), url);
    assert_eq!(meta(&doc, "property", "og:image"), image);
    assert_eq!(meta(&doc, "name", "twitter:card"), "summary_large_image");
    assert_eq!(meta(&doc, "name", "twitter:image"), image);

    let ld = json_ld(&doc, "Product");
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["name"], api["name"]);
    assert_eq!(ld["description"], api["description"]);
    assert_eq!(ld["sku"], api["sku"]);
    assert_eq!(ld["image"], json!([image]));
    assert_eq!(ld["brand"]["name"], "Test Shop");
    let offer = &ld["offers"];
    assert_eq!(offer["price"], price(api["price_cents"].as_i64().unwrap()));
    assert_eq!(offer["priceCurrency"], api["currency"]);
    assert_eq!(offer["availability"], "https://schema.org/InStock");
    assert_eq!(offer["url"], url);
    let crumbs = json_ld(&doc, "BreadcrumbList");
    let names: Vec<&str> = crumbs["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Shop", "Kitchen", "Blue Ceramic Mug"]);

    let root = &select(&doc, "#root")[0];
    let h1: String = select(&doc, "#root h1")[0].text().collect();
    assert_eq!(h1, "Blue Ceramic Mug");
    let text: String = root.text().collect();
    assert!(text.contains("$12.99"), "the price in the body: {text}");
    assert!(text.contains("Blue Ceramic Mug description"), "{text}");
}

#[db_test]
async fn markup_in_a_product_name_stays_text_in_the_head_the_json_ld_and_the_body(db: Db) {
    let app = TestApp::storefront(db).await;
    let name = "</script><script>alert(1)</script> \"><img src=x onerror=alert(2)>";
    let p = app.product_named("SEO-X", name, "Kitchen", 500, 1).await;
    let res = app.get(&format!("/products/{}/{}", p.id, p.slug)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let raw = res.text().await.unwrap();
    assert!(!raw.contains("<script>alert"), "{raw}");
    assert!(!raw.contains("<img src=x"), "{raw}");
    let doc = Html::parse_document(&raw);
    // The shell's one module script and the two JSON-LD documents: nothing the name opened.
    assert_eq!(select(&doc, "script").len(), 3, "{raw}");
    assert!(select(&doc, "img").is_empty());
    assert_eq!(json_ld(&doc, "Product")["name"], name);
    assert_eq!(
        meta(&doc, "property", "og:title"),
        format!("{name} — Test Shop")
    );
    let h1: String = select(&doc, "#root h1")[0].text().collect();
    assert_eq!(h1, name);
}

#[db_test]
async fn a_product_whose_stock_runs_out_shows_out_of_stock_within_a_second(db: Db) {
    let app = TestApp::storefront(db).await;
    let p = app.product("SEO-S", 900, 3).await;
    let path = format!("/products/{}/{}", p.id, p.slug);
    let (_, doc) = page(&app, &path).await;
    assert_eq!(
        json_ld(&doc, "Product")["offers"]["availability"],
        "https://schema.org/InStock"
    );
    // Behind the API's back, as a sale on another replica: only the change feed tells this one.
    app.set_stock("SEO-S", 0).await;
    let set = Instant::now();
    loop {
        let (_, doc) = page(&app, &path).await;
        let now = json_ld(&doc, "Product")["offers"]["availability"].clone();
        if now == "https://schema.org/OutOfStock" {
            break;
        }
        assert!(
            set.elapsed() < Duration::from_secs(1),
            "still {now} after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[db_test]
async fn a_renamed_products_old_url_moves_permanently_to_the_new_one(db: Db) {
    let app = TestApp::storefront(db).await;
    let p = app
        .product_named("SEO-R", "Old Name", "Kitchen", 500, 1)
        .await;
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .patch(
            &format!("/api/admin/products/{}", p.id),
            json!({ "name": "New Name" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let new = format!("/products/{}/new-name", p.id);
    for old in [
        format!("/products/{}/old-name", p.id),
        format!("/products/{}", p.id),
    ] {
        let res = app.get(&old).await;
        assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(res.headers()["location"], new.as_str(), "{old}");
    }
    let (status, doc) = page(&app, &new).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(title(&doc), "New Name — Test Shop");
}

#[db_test]
async fn unknown_products_and_categories_answer_404_with_the_shops_page(db: Db) {
    let app = TestApp::storefront(db).await;
    let p = app.product("SEO-N", 500, 1).await;
    app.store.delete_product(p.id, 0).await.unwrap();
    app.sync_catalog().await;
    for path in [
        format!("/products/{}/{}", p.id, p.slug),
        "/products/999999/nothing".to_owned(),
        "/products/not-a-number".to_owned(),
        "/products?category=Nowhere".to_owned(),
    ] {
        let (status, doc) = page(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(meta(&doc, "name", "robots"), "noindex, follow", "{path}");
        assert_eq!(select(&doc, "#root").len(), 1, "{path}: the SPA's page");
    }
}

#[db_test]
async fn a_category_page_is_canonical_and_a_search_page_is_not_indexed(db: Db) {
    let app = TestApp::storefront(db).await;
    app.product_named("SEO-C1", "Chef Knife", "Kitchen & Dining", 4999, 2)
        .await;
    let (status, doc) = page(&app, "/products?category=Kitchen+%26+Dining&sort=newest").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(title(&doc), "Kitchen & Dining — Test Shop");
    assert_eq!(
        canonical(&doc),
        format!("{BASE}/products?category=Kitchen+%26+Dining")
    );
    assert!(select(&doc, "meta[name=robots]").is_empty(), "indexable");
    let links: Vec<&str> = select(&doc, "#root a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        links.iter().any(|l| l.ends_with("/chef-knife")),
        "{links:?}"
    );

    let (status, doc) = page(&app, "/products?q=knife").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta(&doc, "name", "robots"), "noindex, follow");
}

#[db_test]
async fn the_home_page_names_the_organization_and_the_sites_search(db: Db) {
    let app = TestApp::storefront(db).await;
    app.product("SEO-H", 500, 1).await;
    let (status, doc) = page(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(canonical(&doc), format!("{BASE}/"));
    assert_eq!(json_ld(&doc, "Organization")["name"], "Test Shop");
    let site = json_ld(&doc, "WebSite");
    assert_eq!(
        site["potentialAction"]["target"]["urlTemplate"],
        format!("{BASE}/products?q={{search_term_string}}")
    );
    assert_eq!(
        site["potentialAction"]["query-input"],
        "required name=search_term_string"
    );
}

#[db_test]
async fn an_admins_seo_title_and_description_replace_the_defaults_and_blank_restores_them(db: Db) {
    let app = TestApp::storefront(db).await;
    let p = app
        .product_named("SEO-T", "Plain Mug", "Kitchen", 500, 1)
        .await;
    let admin = app.admin().await;
    let path = format!("/api/admin/products/{}", p.id);
    let body = json!({ "seo_title": "The Best Mug", "seo_description": "Hold tea." });
    let res = app.with(&admin).patch(&path, body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, doc) = page(&app, &format!("/products/{}/plain-mug", p.id)).await;
    assert_eq!(title(&doc), "The Best Mug");
    assert_eq!(meta(&doc, "name", "description"), "Hold tea.");
    let cleared = json!({ "seo_title": "", "seo_description": " " });
    let res = app.with(&admin).patch(&path, cleared).await;
    assert_eq!(json_of(res).await["seo_title"], Value::Null);
    let (_, doc) = page(&app, &format!("/products/{}/plain-mug", p.id)).await;
    assert_eq!(title(&doc), "Plain Mug — Test Shop");
}

#[db_test]
async fn an_seo_title_past_its_limit_is_a_400_naming_the_field(app: TestApp) {
    let p = app.product("SEO-L", 500, 1).await;
    let admin = app.admin().await;
    let res = app
        .with(&admin)
        .patch(
            &format!("/api/admin/products/{}", p.id),
            json!({ "seo_title": "x".repeat(71) }),
        )
        .await;
    field_error(res, "seo_title").await;
}

/// The sitemaps.org schema's rules, checked with an XML parser (the XSD itself is not vendored):
/// the root element in the sitemap namespace, entries of one kind, each with one absolute `loc` of
/// at most 2,048 characters under the site, an optional W3C-datetime `lastmod` and nothing but the
/// schema's optional `changefreq` and `priority`; at most 50,000 entries and 50 MB. Returns the
/// entries as (loc, lastmod).
fn sitemap_entries(xml: &str, root: &str, entry: &str) -> Vec<(String, Option<String>)> {
    use quick_xml::events::Event;
    assert!(xml.len() <= 50 * 1024 * 1024, "at most 50 MB uncompressed");
    let w3c = regex::Regex::new(
        r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$",
    )
    .unwrap();
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut path: Vec<String> = vec![];
    let mut entries: Vec<(String, Option<String>)> = vec![];
    let mut fields: Vec<(String, String)> = vec![];
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Decl(_) => {}
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                match path.len() {
                    0 => {
                        assert_eq!(name, root);
                        let ns = e.try_get_attribute("xmlns").unwrap().unwrap();
                        assert_eq!(
                            ns.unescape_value().unwrap(),
                            "http://www.sitemaps.org/schemas/sitemap/0.9"
                        );
                    }
                    1 => assert_eq!(name, entry),
                    2 => assert!(
                        ["loc", "lastmod", "changefreq", "priority"].contains(&name.as_str()),
                        "no <{name}> in a sitemap entry"
                    ),
                    _ => panic!("no elements inside <{name}>"),
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => text.push(match r.decode().unwrap().as_ref() {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                other => panic!("unknown entity &{other};"),
            }),
            Event::End(_) => {
                let name = path.pop().unwrap();
                match path.len() {
                    2 => fields.push((name, std::mem::take(&mut text))),
                    1 => {
                        let count = |f: &str| fields.iter().filter(|(n, _)| n == f).count();
                        assert_eq!(count("loc"), 1, "one loc per entry");
                        assert!(count("lastmod") <= 1);
                        let get =
                            |f: &str| fields.iter().find(|(n, _)| n == f).map(|x| x.1.clone());
                        let loc = get("loc").unwrap();
                        assert!(loc.starts_with(BASE) && loc.len() <= 2048, "{loc}");
                        let lastmod = get("lastmod");
                        if let Some(m) = &lastmod {
                            assert!(w3c.is_match(m), "lastmod {m} is a W3C datetime");
                        }
                        entries.push((loc, lastmod));
                        fields.clear();
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(path.is_empty(), "every element closed");
    assert!(entries.len() <= 50_000, "at most 50,000 entries");
    entries
}

/// Every product URL in the sitemaps, after checking each file.
async fn sitemap_product_urls(app: &TestApp) -> Vec<String> {
    let res = app.get("/sitemap.xml").await;
    assert_eq!(res.status(), StatusCode::OK);
    let index = sitemap_entries(&res.text().await.unwrap(), "sitemapindex", "sitemap");
    let mut urls = vec![];
    for (loc, _) in index {
        let path = loc.strip_prefix(BASE).unwrap();
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], "application/gzip");
        let gz = res.bytes().await.unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut xml)
            .unwrap();
        for (url, lastmod) in sitemap_entries(&xml, "urlset", "url") {
            if url.starts_with(&format!("{BASE}/products/")) {
                assert!(lastmod.is_some(), "{url} has a lastmod");
                urls.push(url);
            }
        }
    }
    urls
}

#[db_test]
async fn robots_txt_names_the_sitemap_index(db: Db) {
    let app = TestApp::storefront(db).await;
    let res = app.get("/robots.txt").await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(&format!("Sitemap: {BASE}/sitemap.xml\n")),
        "{text}"
    );
    assert!(text.contains("User-agent: *\n"), "{text}");
}

#[db_test]
async fn the_sitemaps_follow_the_protocol_and_list_every_product_exactly_once(db: Db) {
    let app = TestApp::storefront(db).await;
    let mut expected = vec![];
    for i in 0..5 {
        let p = app.product(&format!("MAP-{i}"), 500, i).await;
        expected.push(format!("{BASE}/products/{}/{}", p.id, p.slug));
    }
    let gone = app.product("MAP-GONE", 500, 1).await;
    app.store.delete_product(gone.id, 0).await.unwrap();
    app.sync_catalog().await;
    let mut urls = sitemap_product_urls(&app).await;
    urls.sort();
    expected.sort();
    assert_eq!(
        urls, expected,
        "each product once, the deleted one not at all"
    );
}

#[db_test]
async fn a_new_product_reaches_the_sitemaps_through_the_change_feed(db: Db) {
    let app = TestApp::storefront(db).await;
    app.product("MAP-A", 500, 1).await;
    assert_eq!(sitemap_product_urls(&app).await.len(), 1);
    // Behind the API's back: only the change feed tells the replica.
    let p = ecomm::store::NewProduct {
        sku: "MAP-B".into(),
        slug: "map-b".into(),
        name: "Map B".into(),
        description: "B".into(),
        category: "Kitchen".into(),
        price_cents: 500,
        available: 1,
        image_key: None,
    };
    let b = app.store.create_product(&p, 0).await.unwrap();
    let url = format!("{BASE}/products/{}/map-b", b.id);
    let start = Instant::now();
    while !sitemap_product_urls(&app).await.contains(&url) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not listed after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
