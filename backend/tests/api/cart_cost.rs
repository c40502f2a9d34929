//! What a guest's cart costs the database: its lines are product ids a client may choose freely.
use crate::helpers::*;

/// A fifty-line cart cookie: `known` first, then ids no product has.
fn fifty_lines(known: &[i64]) -> String {
    let unknown = (1..).map(|i| 1_000_000 + i);
    let lines: Vec<String> = known
        .iter()
        .copied()
        .chain(unknown)
        .take(50)
        .map(|id| format!("{id}x1"))
        .collect();
    format!("ecomm_cart_lines=c{}", lines.join("."))
}

#[db_test]
async fn a_ready_replica_shows_a_guest_cart_of_unknown_products_without_reading_the_database(
    app: TestApp,
) {
    let a = app.product("A-1", 250, 10).await;
    let before = app.store.product_reads();
    for _ in 0..5 {
        let req = Client::new()
            .get(app.url("/api/cart"))
            .header("cookie", fifty_lines(&[a.id]));
        let cart = json_of(send(req).await).await;
        assert_eq!(cart["items"].as_array().unwrap().len(), 1, "{cart}");
        assert_eq!(cart["items"][0]["sku"], "A-1");
    }
    assert_eq!(app.store.product_reads() - before, 0);
}

#[db_test]
async fn a_replica_still_building_its_index_reads_a_guest_carts_products_in_one_query(
    app: TestApp,
) {
    let a = app.product("A-1", 250, 10).await;
    let b = app.product("B-1", 300, 10).await;
    let (base, store) = app.replica_still_building().await;
    let req = Client::new()
        .get(format!("{base}/api/cart"))
        .header("cookie", fifty_lines(&[b.id, a.id]));
    let cart = json_of(send(req).await).await;
    assert_eq!(store.product_reads(), 1);
    let skus: Vec<&str> = cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["sku"].as_str().unwrap())
        .collect();
    assert_eq!(skus, ["B-1", "A-1"], "the cookie's order");
}
