//! A guest's identity cookie is the server's to issue, and a guest's order opens only with the
//! token its checkout answer gave.
use crate::helpers::*;

/// The identity a fresh browser is given by its first cart request.
async fn issued_identity(app: &TestApp, c: &Client) -> String {
    let res = app.with(c).get("/api/cart").await;
    set_cookie_value(&res, "ecomm_cart").expect("an identity for a new guest")
}

async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> Response {
    send(Client::new().get(app.url(path)).header("cookie", cookie)).await
}

/// A guest (`app.client`) buys one product; the order's id.
async fn guest_order(app: &TestApp, sku: &str, key: &str) -> String {
    let p = app.product(sku, 500, 10).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let res = app
        .checkout(&app.client, key, &checkout_body(APPROVE))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    json_of(res).await["id"].as_str().unwrap().to_owned()
}

#[db_test]
async fn a_guest_identity_the_client_chose_is_replaced_by_one_the_server_issued(app: TestApp) {
    let chosen = "ecomm_cart=chosen-by-the-client";
    let res = get_with_cookie(&app, "/api/cart", chosen).await;
    let issued = set_cookie_value(&res, "ecomm_cart").expect("a server-issued identity");
    assert_ne!(issued, "chosen-by-the-client");
    let again = get_with_cookie(&app, "/api/cart", &format!("ecomm_cart={issued}")).await;
    assert_eq!(set_cookie_value(&again, "ecomm_cart"), None, "kept");
}

#[db_test]
async fn a_guest_identity_issued_by_one_replica_is_kept_by_another(app: TestApp) {
    let issued = issued_identity(&app, &client()).await;
    let other = app.replica().await;
    let res = get_with_cookie(&other, "/api/cart", &format!("ecomm_cart={issued}")).await;
    assert_eq!(set_cookie_value(&res, "ecomm_cart"), None);
}

#[db_test]
async fn signing_in_and_signing_out_each_give_the_browser_a_new_guest_identity(app: TestApp) {
    app.customer("rotate@example.com").await;
    let c = client();
    let before = issued_identity(&app, &c).await;
    let login = json!({"email": "rotate@example.com", "password": "correct horse"});
    let res = app.with(&c).post("/api/auth/login", login).await;
    let at_sign_in = set_cookie_value(&res, "ecomm_cart").expect("a new identity at sign-in");
    let res = app.with(&c).post("/api/auth/logout", json!({})).await;
    let at_sign_out = set_cookie_value(&res, "ecomm_cart").expect("a new identity at sign-out");
    assert_ne!(at_sign_in, before);
    assert_ne!(at_sign_out, at_sign_in);
    assert_ne!(at_sign_out, before);
}

#[db_test]
async fn a_guest_order_does_not_open_with_the_guests_identity_alone(app: TestApp) {
    let identity = issued_identity(&app, &app.client).await;
    let id = guest_order(&app, "A-1", "k-1").await;
    let path = format!("/api/orders/{id}");
    let copied = get_with_cookie(&app, &path, &format!("ecomm_cart={identity}")).await;
    problem(copied, StatusCode::NOT_FOUND).await;
    assert_eq!(app.get(&path).await.status(), StatusCode::OK, "its browser");
}

#[db_test]
async fn a_guest_orders_token_opens_that_order_and_no_other(app: TestApp) {
    let first = guest_order(&app, "A-1", "k-1").await;
    let p = app.product("B-1", 500, 10).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let res = app
        .checkout(&app.client, "k-2", &checkout_body(APPROVE))
        .await;
    let orders = set_cookie_value(&res, "ecomm_orders").expect("the orders cookie");
    let second = json_of(res).await["id"].as_str().unwrap().to_owned();
    let token_of_first = orders
        .split('.')
        .find_map(|e| e.strip_prefix(&format!("{first}:")))
        .expect("the first order's token is kept")
        .to_owned();
    let swapped = format!("ecomm_orders={second}:{token_of_first}");
    let res = get_with_cookie(&app, &format!("/api/orders/{second}"), &swapped).await;
    problem(res, StatusCode::NOT_FOUND).await;
    let own = format!("ecomm_orders={first}:{token_of_first}");
    let res = get_with_cookie(&app, &format!("/api/orders/{first}"), &own).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[db_test]
async fn a_retried_guest_checkout_answers_with_a_token_that_opens_its_order(app: TestApp) {
    let p = app.product("A-1", 500, 10).await;
    let res = app.add_to_cart(&app.client, p.id, 1).await;
    let identity = set_cookie_value(&res, "ecomm_cart").unwrap();
    let lines = set_cookie_value(&res, "ecomm_cart_lines").unwrap();
    let id = json_of(
        app.checkout(&app.client, "k-retry", &checkout_body(APPROVE))
            .await,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The first answer was lost: the same browser state sends the same request again.
    let retry = send(
        Client::new()
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", "k-retry")
            .header(
                "cookie",
                format!("ecomm_cart={identity}; ecomm_cart_lines={lines}"),
            )
            .json(&checkout_body(APPROVE)),
    )
    .await;
    assert_eq!(retry.status(), StatusCode::CREATED);
    let orders = set_cookie_value(&retry, "ecomm_orders").expect("the order's token again");
    let res = get_with_cookie(
        &app,
        &format!("/api/orders/{id}"),
        &format!("ecomm_orders={orders}"),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[db_test]
async fn the_database_keeps_no_guest_identity_or_order_token_in_clear(app: TestApp) {
    let p = app.product("A-1", 500, 10).await;
    let res = app.add_to_cart(&app.client, p.id, 1).await;
    let identity = set_cookie_value(&res, "ecomm_cart").unwrap();
    let res = app
        .checkout(&app.client, "k-1", &checkout_body(APPROVE))
        .await;
    let orders = set_cookie_value(&res, "ecomm_orders").unwrap_or_default();
    let id = json_of(res).await["id"].as_str().unwrap().to_owned();
    let row = format!("{:?}", app.store.order(&id).await.unwrap().row);
    assert!(!row.contains(&identity), "{row}");
    let token = orders.rsplit(':').next().unwrap_or_default();
    assert!(token.is_empty() || !row.contains(token), "{row}");
}
