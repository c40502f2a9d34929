//! The API test harness. A test is a plain async function run once per database:
//!
//! ```ignore
//! use crate::helpers::*;
//!
//! #[db_test]
//! async fn a_guest_can_read_the_catalog(app: TestApp) {
//!     let a = app.product("A-1", 250, 10).await;          // seed through the store
//!     let res = app.get("/api/products").await;            // requests as the default client
//!     assert_eq!(res.status(), StatusCode::OK);
//!     let admin = app.admin().await;                       // another signed-in client…
//!     let res = app.with(&admin).post("/api/admin/products", json!({..})).await; // …used here
//!     field_error(res, "sku").await;                       // problem+json assertions
//! }
//! ```
//!
//! A test that starts its own server (custom settings) takes `db: Db` instead of `app: TestApp`
//! and spawns it itself (`TestApp::spawn_secured(db, settings)` and the like).
//!
//! `#[db_test]` makes `name::on_sqlite` and `name::on_postgres` (Postgres needs
//! `ECOMM_TEST_PG_URL`; `make test` and `scripts/pg-temp.sh` provide it). Each run gets a fresh
//! database, a fresh server on a free port and a cookie-keeping client (`app.client`).
//! Requests: `app.get/post/put/patch/delete(path[, body])` as `app.client`, or
//! `app.with(&client)` for any other client. Assertions: `problem`, `field_error`, `json_of`.
use std::sync::{Arc, Once};
use std::time::Duration;

use ecomm::payments::{PaymentGateway, TestGateway};
use ecomm::security::SecuritySettings;
use ecomm::store::media::Media;
use ecomm::store::{NewProduct, Product, Store};
use ecomm::{AppState, Application};
use reqwest::RequestBuilder;
use serde::Serialize;

// What nearly every test uses, so a test file needs only `use crate::helpers::*;`.
pub use reqwest::{Client, Method, Response, StatusCode};
pub use serde_json::{json, Value};

pub use ecomm_test_macros::db_test;

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

static INIT: Once = Once::new();

fn init() {
    INIT.call_once(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        if std::env::var("TEST_LOG").is_ok() {
            let _ = ecomm::telemetry::init_tracing(false, None);
        }
    });
}

/// How long one API test may run before it counts as hung. A hang is a bug (a connection never
/// given back, a wait on a lock); failing that test with its name beats libtest's "has been
/// running for over 60 seconds" until the CI job is killed. `ECOMM_TEST_LIMIT_SECS` overrides it.
pub async fn within_test_limit<F: std::future::Future<Output = ()>>(test: F) {
    let limit = std::env::var("ECOMM_TEST_LIMIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    if tokio::time::timeout(Duration::from_secs(limit), test)
        .await
        .is_err()
    {
        panic!("still running after {limit} s: the test hung");
    }
}

pub struct TestApp {
    pub addr: String,
    /// The health port's base URL (probes only).
    pub health: String,
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub db: Db,
    pub database_url: String,
    pub storage_url: String,
}

pub fn temp_path(prefix: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()))
}

/// A fresh, empty database (not migrated) for this test alone.
pub async fn database_url(db: Db) -> String {
    match db {
        Db::Sqlite => format!(
            "sqlite://{}",
            temp_path("ecomm-test").with_extension("db").display()
        ),
        Db::Postgres => {
            let admin = std::env::var("ECOMM_TEST_PG_URL")
                .expect("ECOMM_TEST_PG_URL must name a Postgres superuser URL; `make test` starts a temporary cluster and sets it");
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to the test cluster");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let (base, _) = admin.rsplit_once('/').expect("URL has a database");
            format!("{base}/{name}")
        }
    }
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn spawn(db: Db) -> TestApp {
        Self::spawn_with_media(
            db,
            &format!("file://{}", temp_path("ecomm-media").display()),
        )
        .await
    }

    pub async fn spawn_with_media(db: Db, storage_url: &str) -> TestApp {
        Self::spawn_with(
            db,
            storage_url,
            Arc::new(TestGateway::new()),
            SecuritySettings::default(),
        )
        .await
    }

    /// With a payment gateway of the test's choosing (checkout's crash and disconnect tests).
    pub async fn spawn_with_gateway(db: Db, gateway: Arc<dyn PaymentGateway>) -> TestApp {
        let media = format!("file://{}", temp_path("ecomm-media").display());
        Self::spawn_with(db, &media, gateway, SecuritySettings::default()).await
    }

    /// With security settings of the test's choosing (trusted proxies, limits, timeouts).
    pub async fn spawn_secured(db: Db, security: SecuritySettings) -> TestApp {
        let media = format!("file://{}", temp_path("ecomm-media").display());
        Self::spawn_with(db, &media, Arc::new(TestGateway::new()), security).await
    }

    /// Serving the OpenAPI document and Swagger UI (`--api-docs`).
    pub async fn with_api_docs(db: Db) -> TestApp {
        let security = SecuritySettings {
            api_docs: true,
            ..SecuritySettings::default()
        };
        Self::spawn_secured(db, security).await
    }

    /// Serving the storefront (the SPA shell from frontend/index.html) as `https://shop.example`,
    /// named "Test Shop": server-rendered pages, robots.txt and sitemaps.
    pub async fn storefront(db: Db) -> TestApp {
        let media = format!("file://{}", temp_path("ecomm-media").display());
        let shell = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend");
        let url = database_url(db).await;
        let gateway = Arc::new(TestGateway::new());
        let security = SecuritySettings::default();
        Self::spawn_serving(db, &url, &media, gateway, security, None, Some(shell)).await
    }

    /// A second server (another replica) on this one's database.
    pub async fn replica(&self) -> TestApp {
        let gateway = Arc::new(TestGateway::new());
        let security = SecuritySettings::default();
        Self::spawn_on(
            self.db,
            &self.database_url,
            &self.storage_url,
            gateway,
            security,
            None,
        )
        .await
    }

    async fn spawn_with(
        db: Db,
        storage_url: &str,
        gateway: Arc<dyn PaymentGateway>,
        security: SecuritySettings,
    ) -> TestApp {
        let url = database_url(db).await;
        Self::spawn_on(db, &url, storage_url, gateway, security, None).await
    }

    /// With the card flow, its stand-in under /test-gateway delivering webhooks as `delivery`
    /// says (`off`: the test delivers them itself).
    pub async fn spawn_cards(db: Db, delivery: &str) -> TestApp {
        let setup = ecomm::payments::cards::test_setup(delivery.parse().unwrap(), "test-shop")
            .expect("card flow");
        let gateway = Arc::new(ecomm::payments::cards::Routed {
            cards: setup.stripe.clone(),
            legacy: Arc::new(TestGateway::new()),
        });
        let media = format!("file://{}", temp_path("ecomm-media").display());
        let url = database_url(db).await;
        let security = SecuritySettings::default();
        Self::spawn_on(db, &url, &media, gateway, security, Some(setup)).await
    }

    async fn spawn_on(
        db: Db,
        database_url: &str,
        storage_url: &str,
        gateway: Arc<dyn PaymentGateway>,
        security: SecuritySettings,
        cards: Option<ecomm::payments::cards::CardSetup>,
    ) -> TestApp {
        Self::spawn_serving(
            db,
            database_url,
            storage_url,
            gateway,
            security,
            cards,
            None,
        )
        .await
    }

    async fn spawn_serving(
        db: Db,
        database_url: &str,
        storage_url: &str,
        gateway: Arc<dyn PaymentGateway>,
        security: SecuritySettings,
        cards: Option<ecomm::payments::cards::CardSetup>,
        static_dir: Option<std::path::PathBuf>,
    ) -> TestApp {
        init();
        let store = ecomm::store::connect(database_url).await.expect("store");
        store.migrate().await.expect("migrations");
        let media = Media::from_url(storage_url, None).expect("media");
        let mut state = AppState::new(store.clone(), media, gateway, false)
            .with_security(security)
            .with_site(ecomm::seo::Site::new("https://shop.example", "Test Shop"));
        if let Some(cards) = cards {
            state = state.with_cards(cards, false);
        }
        let app = Application::with_state(state.clone(), "127.0.0.1:0", static_dir, Duration::ZERO)
            .await
            .and_then(|a| a.serve_health_on(([127, 0, 0, 1], 0).into()))
            .expect("bind");
        let port = app.port();
        let health = format!(
            "http://127.0.0.1:{}",
            app.health_port().expect("health port")
        );
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        // Catalog reads come from the index: build it before the first request.
        state.catalog.sync().await.expect("catalog index");
        TestApp {
            addr: format!("http://127.0.0.1:{port}"),
            health,
            client: client(),
            store,
            state,
            db,
            database_url: database_url.to_owned(),
            storage_url: storage_url.to_owned(),
        }
    }

    /// Another server on this database that is still building its catalog index (a replica
    /// starting up): no change feed runs in it, so its index stays unbuilt while the test runs.
    /// Its base URL, and its own store (to watch what it asks the database).
    pub async fn replica_still_building(&self) -> (String, Arc<dyn Store>) {
        let store = ecomm::store::connect(&self.database_url)
            .await
            .expect("store");
        let media = Media::from_url(&self.storage_url, None).expect("media");
        let state = AppState::new(store.clone(), media, Arc::new(TestGateway::new()), false);
        assert!(!state.catalog.is_ready());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, ecomm::router(state, None)).await });
        (format!("http://{addr}"), store)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
    }

    /// `host:port` for raw TCP clients (the slow-header and idle-connection attacks).
    pub fn host(&self) -> &str {
        self.addr.trim_start_matches("http://")
    }

    /// Requests as another client (a signed-in customer, an admin, a second browser).
    pub fn with<'a>(&'a self, client: &'a Client) -> Caller<'a> {
        Caller { app: self, client }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.with(&self.client).get(path).await
    }

    pub async fn post(&self, path: &str, body: impl Serialize) -> Response {
        self.with(&self.client).post(path, body).await
    }

    #[allow(dead_code)] // the harness offers every verb; no test PUTs as the default client yet
    pub async fn put(&self, path: &str, body: impl Serialize) -> Response {
        self.with(&self.client).put(path, body).await
    }

    pub async fn patch(&self, path: &str, body: impl Serialize) -> Response {
        self.with(&self.client).patch(path, body).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.with(&self.client).delete(path).await
    }

    pub async fn product(&self, sku: &str, price_cents: i64, available: i64) -> Product {
        self.product_named(
            sku,
            &format!("Product {sku}"),
            "Kitchen",
            price_cents,
            available,
        )
        .await
    }

    pub async fn product_named(
        &self,
        sku: &str,
        name: &str,
        category: &str,
        price_cents: i64,
        available: i64,
    ) -> Product {
        let p = NewProduct {
            sku: sku.into(),
            slug: ecomm::domain::slugify(name),
            name: name.into(),
            description: format!("{name} description"),
            category: category.into(),
            price_cents,
            available,
            image_key: None,
        };
        let created = self
            .store
            .create_product(&p, ecomm::sys::clock::now_ms())
            .await
            .expect("create product");
        self.sync_catalog().await;
        created
    }

    /// Applies database changes made behind the API's back (the feed would within 250 ms).
    pub async fn sync_catalog(&self) {
        self.state.catalog.sync().await.expect("catalog sync");
    }

    /// Sets a product's stock through the store, as an operator would.
    pub async fn set_stock(&self, sku: &str, available: i64) {
        let sku = ecomm::domain::Sku::parse(sku).expect("a valid SKU");
        self.store
            .set_stock(&sku, available, "ops@example.com", 0)
            .await
            .expect("set stock");
    }

    pub async fn stock_of(&self, sku: &str) -> i64 {
        self.store.stock(&[sku.to_owned()]).await.unwrap()[0].available
    }

    /// A client signed in as a fresh customer.
    pub async fn customer(&self, email: &str) -> Client {
        let c = client();
        let body = json!({"email": email, "password": "correct horse", "name": "Shopper"});
        self.sign_up(&c, &body).await;
        c
    }

    /// Registers (`body` as the register request) and signs in, as the storefront does; the
    /// sign-in's answer.
    pub async fn sign_up(&self, c: &Client, body: &Value) -> Response {
        let res = self.with(c).post("/api/auth/register", body).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED, "register {body}");
        let login = json!({"email": body["email"], "password": body["password"]});
        let res = self.with(c).post("/api/auth/login", login).await;
        assert_eq!(res.status(), StatusCode::OK, "sign in {body}");
        res
    }

    pub async fn admin(&self) -> Client {
        let email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
        ecomm::http::routes::auth::ensure_admin(
            self.store.as_ref(),
            &email,
            "admin password".to_owned().into(),
            false,
        )
        .await
        .unwrap();
        let c = client();
        let body = json!({"email": email, "password": "admin password"});
        let res = self.with(&c).post("/api/auth/login", body).await;
        assert_eq!(res.status(), StatusCode::OK);
        c
    }

    pub async fn add_to_cart(&self, c: &Client, product_id: i64, quantity: i64) -> Response {
        let body = json!({"product_id": product_id, "quantity": quantity});
        self.with(c).post("/api/cart/items", body).await
    }

    pub async fn checkout(&self, c: &Client, key: &str, body: &Value) -> Response {
        let req = self.with(c).request(Method::POST, "/api/checkout");
        send(req.header("Idempotency-Key", key).json(body)).await
    }

    pub async fn count_orders(&self, status: &str) -> i64 {
        let status = status.parse().expect("an order status");
        self.store.orders(Some(status), 1, 0).await.unwrap().1
    }
}

/// One client's view of a [`TestApp`]: the same request helpers, sent with its cookies.
pub struct Caller<'a> {
    app: &'a TestApp,
    client: &'a Client,
}

impl Caller<'_> {
    /// A request to build further (headers, multipart); finish with [`send`].
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.app.url(path))
    }

    pub async fn get(&self, path: &str) -> Response {
        send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: impl Serialize) -> Response {
        send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn put(&self, path: &str, body: impl Serialize) -> Response {
        send(self.request(Method::PUT, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: impl Serialize) -> Response {
        send(self.request(Method::PATCH, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        send(self.request(Method::DELETE, path)).await
    }
}

/// Sends a request; a transport error fails the test.
pub async fn send(req: RequestBuilder) -> Response {
    req.send().await.expect("request reaches the test server")
}

/// The value a response sets for a cookie, if it sets one.
pub fn set_cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The JSON body of any response.
pub async fn json_of(res: Response) -> Value {
    res.json().await.expect("a JSON body")
}

pub fn checkout_body(card: &str) -> Value {
    json!({
        "email": "guest@example.com",
        "shipping_address": {"name": "Ada Lovelace", "line1": "1 Analytical Way", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
        "payment": {"card_number": card, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
    })
}

pub const APPROVE: &str = "4242 4242 4242 4242";
pub const DECLINE: &str = "4000 0000 0000 0002";

/// Asserts an RFC 9457 problem with the given status, returning its body.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["type"].as_str().unwrap().starts_with("https://"));
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

/// Asserts a 400 naming `field` among its errors.
pub async fn field_error(res: Response, field: &str) -> Value {
    let body = problem(res, StatusCode::BAD_REQUEST).await;
    let fields = fields_of(&body);
    assert!(
        fields.contains(&field),
        "expected an error on {field}, got {fields:?}"
    );
    body
}

/// The fields a validation problem names, in its order.
pub fn fields_of(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("a field name"))
        .collect()
}

/// An order as the checkout would place it: a guest's, paid by `reference`, placed a second ago.
pub fn test_order<'a>(
    key: &'a str,
    reference: &'a str,
    lines: &'a [ecomm::store::TakeLine],
    total: i64,
) -> ecomm::store::PlaceOrder<'a> {
    ecomm::store::PlaceOrder {
        id: uuid::Uuid::new_v4().to_string(),
        key,
        fingerprint: "fp",
        cart_key: "a:nobody",
        user_id: None,
        email: "guest@example.com",
        shipping_address: "{}",
        payment_brand: "visa",
        payment_last4: "4242",
        total_cents: total,
        payment_reference: reference,
        lines,
        now: ecomm::sys::clock::now_ms() - 1000,
    }
}
