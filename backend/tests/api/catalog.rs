use crate::helpers::*;

async fn seed(app: &TestApp) {
    app.product_named("MUG-1", "Blue Ceramic Mug", "Kitchen", 1299, 5)
        .await;
    app.product_named("MUG-2", "Red Enamel Mug", "Outdoors", 899, 0)
        .await;
    app.product_named("TENT-1", "Two Person Tent", "Outdoors", 19999, 3)
        .await;
    app.product_named("KNIFE-1", "Chef Knife", "Kitchen", 4999, 10)
        .await;
}

async fn list(app: &TestApp, query: &str) -> Value {
    let res = app
        .client
        .get(app.url(&format!("/api/products?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

fn skus(v: &Value) -> Vec<&str> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sku"].as_str().unwrap())
        .collect()
}

#[db_test]
async fn search_matches_words_in_name_and_description_with_prefixes(app: TestApp) {
    seed(&app).await;
    let v = list(&app, "q=mug").await;
    assert_eq!(v["total"], 2);
    let mut got = skus(&v);
    got.sort();
    assert_eq!(got, ["MUG-1", "MUG-2"]);
    assert_eq!(skus(&list(&app, "q=cera").await), ["MUG-1"]);
    assert_eq!(
        list(&app, "q=%22%29%28*%5E").await["total"],
        4,
        "pure punctuation is no filter, not an error"
    );
    assert_eq!(list(&app, "q=zebra").await["total"], 0);
}

#[db_test]
async fn filters_sort_and_facets_combine(app: TestApp) {
    seed(&app).await;
    let v = list(&app, "category=Outdoors&sort=price_asc").await;
    assert_eq!(skus(&v), ["MUG-2", "TENT-1"]);
    // Facets ignore the category filter so the shopper can switch.
    let facets = &v["facets"]["categories"];
    assert_eq!(
        facets,
        &serde_json::json!([{"name": "Kitchen", "count": 2}, {"name": "Outdoors", "count": 2}])
    );
    assert_eq!(
        skus(&list(&app, "in_stock=true&sort=price_desc").await),
        ["TENT-1", "KNIFE-1", "MUG-1"]
    );
    assert_eq!(
        skus(&list(&app, "min_price=1000&max_price=5000&sort=price_asc").await),
        ["MUG-1", "KNIFE-1"]
    );
    assert_eq!(skus(&list(&app, "sort=newest").await)[0], "KNIFE-1");
}

#[db_test]
async fn pages_are_bounded_and_counted(app: TestApp) {
    seed(&app).await;
    let p1 = list(&app, "per_page=3&page=1&sort=price_asc").await;
    let p2 = list(&app, "per_page=3&page=2&sort=price_asc").await;
    assert_eq!(p1["total"], 4);
    assert_eq!(skus(&p1).len(), 3);
    assert_eq!(skus(&p2), ["TENT-1"]);
    assert_eq!(p2["page"], 2);
    let item = &p1["items"][0];
    for k in [
        "id",
        "sku",
        "slug",
        "name",
        "description",
        "category",
        "price_cents",
        "currency",
        "image_url",
        "available",
    ] {
        assert!(item.get(k).is_some(), "missing {k}");
    }
}

#[db_test]
async fn bad_catalog_queries_are_400s_naming_the_parameter(app: TestApp) {
    for (q, field) in [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=abc", "per_page"),
        ("page=0", "page"),
        ("sort=cheapest", "sort"),
        ("min_price=-5", "min_price"),
        ("in_stock=maybe", "in_stock"),
        ("max_price=99999999999999999999", "max_price"),
    ] {
        field_error(app.get(&format!("/api/products?{q}")).await, field).await;
    }
}

#[db_test]
async fn a_product_is_found_by_id_and_unknown_or_malformed_ids_are_problems(app: TestApp) {
    let p = app.product("ONE-1", 500, 2).await;
    let v = json_of(app.get(&format!("/api/products/{}", p.id)).await).await;
    assert_eq!(v["sku"], "ONE-1");
    assert_eq!(v["price_cents"], 500);
    problem(app.get("/api/products/999999").await, StatusCode::NOT_FOUND).await;
    field_error(app.get("/api/products/abc").await, "path").await;
}

#[db_test]
async fn categories_list_counts(app: TestApp) {
    seed(&app).await;
    let v = json_of(app.get("/api/categories").await).await;
    assert_eq!(
        v,
        serde_json::json!([{"name": "Kitchen", "count": 2}, {"name": "Outdoors", "count": 2}])
    );
}

#[db_test]
async fn inventory_answers_by_sku_one_or_many(app: TestApp) {
    seed(&app).await;
    let one = json_of(app.get("/api/inventory/TENT-1").await).await;
    assert_eq!(one, serde_json::json!({"sku": "TENT-1", "available": 3}));
    let many = json_of(
        app.get("/api/inventory?sku=MUG-1&sku=MUG-2&sku=GHOST")
            .await,
    )
    .await;
    assert_eq!(
        many["items"],
        serde_json::json!([{"sku": "MUG-1", "available": 5}, {"sku": "MUG-2", "available": 0}])
    );
    problem(app.get("/api/inventory/GHOST").await, StatusCode::NOT_FOUND).await;
    field_error(app.get("/api/inventory/bad%20sku").await, "sku").await;
    field_error(app.get("/api/inventory").await, "sku").await;
    field_error(
        app.get("/api/inventory?sku=%27;DROP%20TABLE%20products;--")
            .await,
        "sku",
    )
    .await;
}

/// The index state in an ETag (`W/"<epoch>.<generation>.<query>.<counts>"`).
fn index_state(res: &Response) -> String {
    let etag = res.headers()["etag"].to_str().unwrap();
    etag.split('.').take(2).collect::<Vec<_>>().join(".")
}

#[db_test]
async fn a_sale_shows_in_the_catalog_without_reindexing_and_a_sellout_leaves_in_stock(
    app: TestApp,
) {
    let p = app
        .product_named("LAMP-1", "Desk Lamp", "Home", 2599, 5)
        .await;
    let path = format!("/api/products/{}", p.id);
    let before = app.get(&path).await;
    let (state, etag) = (index_state(&before), before.headers()["etag"].clone());
    assert_eq!(json_of(before).await["available"], 5);
    app.add_to_cart(&app.client, p.id, 2).await;
    let res = app
        .checkout(&app.client, "k-1", &checkout_body(APPROVE))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.sync_catalog().await;
    let after = app.get(&path).await;
    assert_eq!(index_state(&after), state, "a sale is no index change");
    assert_ne!(
        after.headers()["etag"],
        etag,
        "the count shown moved the tag"
    );
    assert_eq!(json_of(after).await["available"], 3);
    let listed = list(&app, "q=lamp&in_stock=true").await;
    assert_eq!(listed["items"][0]["available"], 3);
    assert_eq!(listed["facets"]["in_stock"], 1);
    app.add_to_cart(&app.client, p.id, 3).await;
    let res = app
        .checkout(&app.client, "k-2", &checkout_body(APPROVE))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app.sync_catalog().await;
    assert_eq!(list(&app, "q=lamp&in_stock=true").await["total"], 0);
    assert_eq!(json_of(app.get(&path).await).await["available"], 0);
}
