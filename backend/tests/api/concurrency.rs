//! Overselling and double-charging under load: the two bugs a shop cannot have.
use std::sync::Arc;

use crate::helpers::*;

const SHOPPERS: usize = 200;
const UNITS: i64 = 50;

#[db_test]
async fn two_hundred_concurrent_checkouts_for_fifty_units_sell_exactly_fifty(app: TestApp) {
    let app = Arc::new(app);
    let p = app.product("HOT-1", 1999, UNITS).await;
    let mut shoppers = Vec::new();
    for _ in 0..SHOPPERS {
        let c = client();
        assert_eq!(app.add_to_cart(&c, p.id, 1).await.status(), StatusCode::OK);
        shoppers.push(c);
    }
    let started = std::time::Instant::now();
    let tasks: Vec<_> = shoppers
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let app = app.clone();
            tokio::spawn(async move {
                let res = app
                    .checkout(&c, &format!("race-{i}"), &checkout_body(APPROVE))
                    .await;
                let status = res.status();
                let body = json_of(res).await;
                (status, body)
            })
        })
        .collect();
    let mut ok_ids = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => ok_ids.push(body["id"].as_str().unwrap().to_owned()),
            StatusCode::CONFLICT => {
                assert_eq!(body["lines"][0]["sku"], "HOT-1");
                conflicts += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    eprintln!(
        "race on {:?}: {} sold, {} refused in {:?}",
        app.db,
        ok_ids.len(),
        conflicts,
        started.elapsed()
    );
    assert_eq!(ok_ids.len(), UNITS as usize);
    assert_eq!(conflicts, SHOPPERS - UNITS as usize);
    assert_eq!(app.stock_of("HOT-1").await, 0);
    ok_ids.sort();
    ok_ids.dedup();
    assert_eq!(
        ok_ids.len(),
        UNITS as usize,
        "every success has its own order"
    );
    assert_eq!(app.count_orders("paid").await, UNITS);
    assert_eq!(
        app.store.orders(None, 1, 0).await.unwrap().1,
        UNITS,
        "no stray pending or cancelled orders"
    );
}

#[db_test]
async fn the_same_idempotency_key_sent_twenty_times_at_once_makes_one_order(app: TestApp) {
    let app = Arc::new(app);
    let p = app.product("IDEM-1", 500, 10).await;
    app.add_to_cart(&app.client, p.id, 2).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                let res = app
                    .checkout(&app.client, "one-key", &checkout_body(APPROVE))
                    .await;
                (res.status(), res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "all twenty answers name the same order");
    assert_eq!(app.store.orders(None, 1, 0).await.unwrap().1, 1);
    assert_eq!(app.stock_of("IDEM-1").await, 8);
}
