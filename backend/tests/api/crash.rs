//! Crash safety with the real binary: a child `ecomm serve` aborts at each fault point of a
//! checkout (ECOMM_FAULT), a second one starts on the same database and gateway ledger, and its
//! reconciler settles the payment. Then: no charge without an order, no paid order without a
//! capture, stock conserved, and a retry with the key gets the real answer.
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecomm::domain::{OrderStatus, PaymentState};
use ecomm::payments::{GatewayState, PaymentGateway, TestGateway};
use ecomm::store::NewProduct;

use crate::helpers::*;

const STOCK: i64 = 5;

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(database_url: &str, ledger: &std::path::Path, port: u16, fault: Option<&str>) -> Server {
    let log = std::fs::File::create(temp_path("ecomm-crash").with_extension("log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecomm"));
    cmd.args([
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--payments",
        "test",
    ])
    .args(["--reconcile-after", "1", "--drain-seconds", "0"])
    .arg("--test-gateway-ledger")
    .arg(ledger)
    .env("ECOMM_DATABASE_URL", database_url)
    .env(
        "ECOMM_STORAGE_URL",
        format!("file://{}", temp_path("ecomm-media").display()),
    )
    .env("RUST_LOG", "warn")
    // These drills exercise the card-number checkout's fault points.
    .env("ECOMM_LEGACY_CARD_CHECKOUT", "true")
    .env_remove("ECOMM_FAULT")
    .stdout(Stdio::null())
    .stderr(log);
    if let Some(f) = fault {
        cmd.env("ECOMM_FAULT", f);
    }
    Server {
        child: cmd.spawn().expect("start ecomm"),
        port,
    }
}

async fn ready(s: &Server) {
    let url = format!("http://127.0.0.1:{}/health/ready", s.port);
    for _ in 0..300 {
        if let Ok(r) = client().get(&url).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn crash_at(db: Db, fault: &str) {
    let database_url = database_url(db).await;
    let store = ecomm::store::connect(&database_url).await.unwrap();
    store.migrate().await.unwrap();
    let product = store
        .create_product(
            &NewProduct {
                sku: "CRASH-1".into(),
                slug: "crash".into(),
                name: "Crash test dummy".into(),
                description: "d".into(),
                category: "Kitchen".into(),
                price_cents: 700,
                available: STOCK,
                image_key: None,
            },
            0,
        )
        .await
        .unwrap();
    let ledger = temp_path("ecomm-ledger").with_extension("jsonl");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let shopper = client();

    let mut first = start(&database_url, &ledger, port, Some(fault));
    ready(&first).await;
    let add = json!({"product_id": product.id, "quantity": 2});
    let res = shopper
        .post(format!("{base}/api/cart/items"))
        .json(&add)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let checkout = || {
        shopper
            .post(format!("{base}/api/checkout"))
            .header("Idempotency-Key", "crash-key")
            .json(&checkout_body(APPROVE))
            .send()
    };
    let _ = checkout().await; // the process dies during this request (or right after answering)
    let died = tokio::task::spawn_blocking(move || first.child.wait().unwrap())
        .await
        .unwrap();
    assert!(!died.success(), "{fault}: the process aborted");

    let second = start(&database_url, &ledger, port, None);
    ready(&second).await;
    let gateway = TestGateway::with_ledger(&ledger).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let settled = gateway.lookup("crash-key").await.unwrap().map(|p| p.state);
        let in_doubt = store.in_doubt_orders(i64::MAX, 10).await.unwrap();
        if settled != Some(GatewayState::Authorized) && in_doubt.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "{fault}: not reconciled in time");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let retry = checkout().await.unwrap();
    let payment = gateway
        .lookup("crash-key")
        .await
        .unwrap()
        .expect("authorized once");
    let (orders, _) = store.orders(None, 10, 0).await.unwrap();
    if fault == "after_authorize" {
        let body = problem(retry, StatusCode::CONFLICT).await;
        assert!(body["type"]
            .as_str()
            .unwrap()
            .ends_with("/checkout-interrupted"));
        assert_eq!(
            payment.state,
            GatewayState::Voided,
            "no charge without an order"
        );
        assert!(orders.is_empty());
    } else {
        assert_eq!(
            retry.status(),
            StatusCode::CREATED,
            "{fault}: the retry gets the order"
        );
        assert_eq!(
            payment.state,
            GatewayState::Captured,
            "no paid order without a capture"
        );
        assert_eq!(orders.len(), 1);
        let o = &orders[0].row;
        assert_eq!(
            (o.status, o.payment_state),
            (OrderStatus::Paid, PaymentState::Captured)
        );
        assert_eq!(
            o.payment_reference.as_deref(),
            Some(payment.reference.as_str())
        );
    }
    let sold: i64 = orders
        .iter()
        .filter(|o| o.row.status == OrderStatus::Paid)
        .flat_map(|o| o.items.iter().map(|i| i.quantity))
        .sum();
    let on_shelf = store.stock(&["CRASH-1".to_owned()]).await.unwrap()[0].available;
    assert_eq!(on_shelf + sold, STOCK, "{fault}: stock conserved");
    drop(second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_authorize_is_voided_on_sqlite() {
    crash_at(Db::Sqlite, "after_authorize").await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_authorize_is_voided_on_postgres() {
    crash_at(Db::Postgres, "after_authorize").await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_commit_is_captured_on_sqlite() {
    crash_at(Db::Sqlite, "after_commit").await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_commit_is_captured_on_postgres() {
    crash_at(Db::Postgres, "after_commit").await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_capture_is_captured_on_sqlite() {
    crash_at(Db::Sqlite, "before_capture").await
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_capture_is_captured_on_postgres() {
    crash_at(Db::Postgres, "before_capture").await
}
