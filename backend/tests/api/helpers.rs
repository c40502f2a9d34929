use std::sync::{Arc, Once};
use std::time::Duration;

use ecomm::media::Media;
use ecomm::payments::TestGateway;
use ecomm::store::{NewProduct, Product, Store};
use ecomm::{AppState, Application};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Stamps a test out once per database: `test_name::on_sqlite` and `test_name::on_postgres`.
macro_rules! db_test {
    ($(#[$m:meta])* async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $(#[$m])*
            async fn run($app: $crate::helpers::TestApp) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() { run($crate::helpers::TestApp::spawn($crate::helpers::Db::Sqlite).await).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() { run($crate::helpers::TestApp::spawn($crate::helpers::Db::Postgres).await).await }
        }
    };
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

pub struct TestApp {
    pub addr: String,
    pub client: Client,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub db: Db,
}

pub fn temp_path(prefix: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()))
}

async fn database_url(db: Db) -> String {
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
        init();
        let store = ecomm::store::connect(&database_url(db).await)
            .await
            .expect("store");
        store.migrate().await.expect("migrations");
        let media = Media::from_url(storage_url, None).expect("media");
        let state = AppState::new(store.clone(), media, Arc::new(TestGateway), false);
        let app = Application::with_state(state.clone(), "127.0.0.1:0", None, Duration::ZERO)
            .await
            .expect("bind");
        let port = app.port();
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        TestApp {
            addr: format!("http://127.0.0.1:{port}"),
            client: client(),
            store,
            state,
            db,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.addr)
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
        self.store
            .create_product(&p, ecomm::state::now_ms())
            .await
            .expect("create product")
    }

    pub async fn stock_of(&self, sku: &str) -> i64 {
        self.store.stock(&[sku.to_owned()]).await.unwrap()[0].available
    }

    /// A client signed in as a fresh customer.
    pub async fn customer(&self, email: &str) -> Client {
        let c = client();
        let res = c
            .post(self.url("/api/auth/register"))
            .json(&json!({"email": email, "password": "correct horse", "name": "Shopper"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "register {email}");
        c
    }

    pub async fn admin(&self) -> Client {
        let email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
        ecomm::routes::auth::ensure_admin(
            self.store.as_ref(),
            &email,
            "admin password".to_owned().into(),
        )
        .await
        .unwrap();
        let c = client();
        let res = c
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": "admin password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        c
    }

    pub async fn add_to_cart(&self, c: &Client, product_id: i64, quantity: i64) -> Response {
        c.post(self.url("/api/cart/items"))
            .json(&json!({"product_id": product_id, "quantity": quantity}))
            .send()
            .await
            .unwrap()
    }

    pub async fn checkout(&self, c: &Client, key: &str, body: &Value) -> Response {
        c.post(self.url("/api/checkout"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn count_orders(&self, status: &str) -> i64 {
        let status = status.parse().expect("an order status");
        self.store.orders(Some(status), 1, 0).await.unwrap().1
    }
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
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&field),
        "expected an error on {field}, got {fields:?}"
    );
    body
}
