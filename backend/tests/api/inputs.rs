//! Inputs the OpenAPI document allows are accepted, and the document states the parsers' limits
//! (issue 10, `make fuzz`'s positive/negative data checks). Each test is one input a serious shop
//! takes, or one limit the document must show.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[db_test]
async fn unicode_names_plus_addresses_and_surrounding_whitespace_are_accepted(app: TestApp) {
    let body = json!({
        "email": "  Zoë.Ōkubo+shop@Example.COM\n",
        "password": "long enough",
        "name": " Zoë Ōkubo 李小龍 🙂\t"
    });
    app.sign_up(&app.client, &body).await;
    let me = json_of(app.get("/api/me").await).await;
    assert_eq!(me["email"], "zoë.ōkubo+shop@example.com");
    assert_eq!(me["name"], "Zoë Ōkubo 李小龍 🙂");
}

#[db_test]
async fn text_is_measured_as_sent_and_control_characters_inside_are_refused(app: TestApp) {
    let register =
        |name: String| json!({"email": "len@example.com", "password": "long enough", "name": name});
    let res = app
        .post(
            "/api/auth/register",
            &register(format!("{} ", "x".repeat(100))),
        )
        .await;
    field_error(res, "name").await;
    let res = app
        .post(
            "/api/auth/register",
            &register("Ada\u{0007}Lovelace".into()),
        )
        .await;
    field_error(res, "name").await;
    let res = app
        .post(
            "/api/auth/register",
            &register(format!("{}\r", "x".repeat(99))),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

#[db_test]
async fn whole_numbers_written_with_a_decimal_point_are_accepted_and_fractions_are_not(
    app: TestApp,
) {
    let p = app.product("WHOLE-1", 300, 10).await;
    let res = app
        .post(
            "/api/cart/items",
            &json!({"product_id": p.id, "quantity": 2.0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(json_of(res).await["items"][0]["quantity"], 2);
    let res = app
        .post(
            "/api/cart/items",
            &json!({"product_id": p.id, "quantity": 1.5}),
        )
        .await;
    field_error(res, "quantity").await;
}

#[db_test]
async fn an_inverted_price_range_is_a_valid_search_that_finds_nothing(app: TestApp) {
    app.product("PRICE-1", 700, 1).await;
    app.sync_catalog().await;
    let res = app.get("/api/products?min_price=1000&max_price=500").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = json_of(res).await;
    assert_eq!(page["total"], 0);
    assert_eq!(page["items"], json!([]));
}

#[db_test]
async fn card_details_with_surrounding_whitespace_are_accepted(app: TestApp) {
    let p = app.product("SPACE-1", 500, 5).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let mut body = checkout_body(" 4242 4242 4242 4242\n");
    body["payment"]["cvc"] = json!(" 123 ");
    body["shipping_address"]["country"] = json!(" gb ");
    let res = app.checkout(&app.client, "spaces", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json_of(res).await["shipping_address"]["country"], "GB");
}

#[db_test]
async fn an_expired_card_is_a_402_naming_its_month_and_places_no_order(app: TestApp) {
    let p = app.product("EXPIRED-1", 500, 5).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    let mut body = checkout_body(APPROVE);
    body["payment"]["exp_year"] = json!(2001);
    let res = app.checkout(&app.client, "expired", &body).await;
    let problem = problem(res, StatusCode::PAYMENT_REQUIRED).await;
    assert!(problem["type"].as_str().unwrap().ends_with("/card-expired"));
    assert_eq!(fields_of(&problem), ["payment.exp_month"]);
    assert_eq!(app.count_orders("paid").await, 0);
    assert_eq!(app.stock_of("EXPIRED-1").await, 5);
}

/// The schema of `name` in the served document.
fn property<'a>(doc: &'a Value, schema: &str, name: &str) -> &'a Value {
    &doc["components"]["schemas"][schema]["properties"][name]
}

#[db_test]
async fn the_document_states_the_limits_the_parsers_enforce(db: Db) {
    let app = TestApp::with_api_docs(db).await;
    let doc = json_of(app.get("/api/openapi.json").await).await;
    assert_eq!(property(&doc, "AddItem", "quantity")["maximum"], 99);
    assert_eq!(property(&doc, "AddItem", "quantity")["minimum"], 1);
    assert_eq!(property(&doc, "CreateProduct", "price_cents")["minimum"], 0);
    assert_eq!(
        property(&doc, "StartCheckout", "expected_total_cents")["maximum"],
        ecomm::domain::Money::MAX_CENTS
    );
    assert_eq!(property(&doc, "RegisterRequest", "name")["maxLength"], 100);
    assert!(property(&doc, "RegisterRequest", "email")["pattern"].is_string());
    // The checkout takes no card: the card goes from the browser to the payment provider.
    assert!(property(&doc, "StartCheckout", "payment").is_null());
    assert!(doc["components"]["schemas"]["PaymentRequest"].is_null());
    let page = doc["paths"]["/api/products"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap();
    // The window itself (page × per_page ≤ 10,000) is a product no schema can bound: it is stated in
    // words, and the largest page a per_page of 1 can reach is the bound.
    assert_eq!(page["schema"]["maximum"], ecomm::catalog::RESULT_WINDOW);
    let upload = &doc["paths"]["/api/admin/products/{id}/image"]["post"]["requestBody"]["content"]
        ["multipart/form-data"];
    assert!(upload["encoding"]["image"]["contentType"]
        .as_str()
        .unwrap()
        .contains("image/png"));
}

#[db_test]
async fn the_document_lets_a_client_carry_a_guest_cart_on_cart_and_checkout_operations(db: Db) {
    let app = TestApp::with_api_docs(db).await;
    let doc = json_of(app.get("/api/openapi.json").await).await;
    let scheme = &doc["components"]["securitySchemes"]["cart_lines"];
    assert_eq!(scheme["in"], "cookie");
    assert_eq!(scheme["name"], "ecomm_cart_lines");
    let carries_lines = |path: &str, method: &str| {
        doc["paths"][path][method]["security"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.get("cart").is_some() && r.get("cart_lines").is_some())
    };
    for (path, method) in [
        ("/api/cart", "get"),
        ("/api/cart/items", "post"),
        ("/api/cart/items/{product_id}", "patch"),
        ("/api/cart/items/{product_id}", "delete"),
        ("/api/checkout", "post"),
    ] {
        assert!(carries_lines(path, method), "{method} {path}");
    }
    assert!(!carries_lines("/api/orders/{id}", "get"));
}

#[db_test]
async fn the_document_lists_401_only_where_a_caller_without_a_session_gets_it(db: Db) {
    let app = TestApp::with_api_docs(db).await;
    let doc = json_of(app.get("/api/openapi.json").await).await;
    let anon = client();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        // Its 401 is the answer to wrong credentials, not to a missing session.
        if path == "/api/auth/login" {
            continue;
        }
        let url: String = path
            .split('/')
            .map(|part| match part.starts_with('{') {
                true => "00000000-0000-4000-8000-000000000000",
                false => part,
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            if op["responses"].get("401").is_none() {
                continue;
            }
            let caller = app.with(&anon);
            let res = match method.as_str() {
                "get" => caller.get(&url).await,
                "post" => caller.post(&url, json!({})).await,
                "put" => caller.put(&url, json!({})).await,
                "patch" => caller.patch(&url, json!({})).await,
                "delete" => caller.delete(&url).await,
                other => panic!("unexpected method {other}"),
            };
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} operations list 401");
}
