//! Attack tests (issue 10): each performs an attack from the security review and sees it refused.
//! SECURITY.md lists them next to the control they prove.
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::helpers::*;
use ecomm::security::SecuritySettings;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server that believes forwarding headers from loopback peers (the tests play the proxy).
async fn behind_proxy(db: Db, tweak: impl FnOnce(&mut SecuritySettings)) -> TestApp {
    let mut s = SecuritySettings {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..SecuritySettings::default()
    };
    tweak(&mut s);
    TestApp::spawn_secured(db, s).await
}

async fn with_settings(db: Db, tweak: impl FnOnce(&mut SecuritySettings)) -> TestApp {
    let mut s = SecuritySettings::default();
    tweak(&mut s);
    TestApp::spawn_secured(db, s).await
}

fn register_body(i: usize) -> serde_json::Value {
    json!({"email": format!("flood{i}@example.com"), "password": "long enough", "name": "F"})
}

async fn login(
    app: &TestApp,
    c: &reqwest::Client,
    email: &str,
    pw: &str,
    xff: Option<&str>,
) -> StatusCode {
    let mut req = c
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": email, "password": pw}));
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    req.send().await.unwrap().status()
}

// ---- 1. password hashing cannot exhaust a pod ----

#[db_test]
async fn sixty_parallel_registrations_are_bounded_and_the_excess_told_to_retry(db: Db) {
    let app = Arc::new(
        with_settings(db, |s| {
            s.hash_concurrency = Some(1);
            s.hash_queue_ms = 150;
            s.auth_per_minute = 0;
        })
        .await,
    );
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                client()
                    .post(app.url("/api/auth/register"))
                    .json(&register_body(i))
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let health_started = Instant::now();
    let health = client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(
        health_started.elapsed() < Duration::from_secs(5),
        "liveness answers while hashing is saturated"
    );
    let (mut created, mut shed) = (0, 0);
    for t in tasks {
        let res = t.await.unwrap();
        match res.status() {
            StatusCode::ACCEPTED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(res.headers().contains_key("retry-after"));
                problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
                shed += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(created >= 1 && shed >= 1, "created {created}, shed {shed}");
}

#[db_test]
async fn registrations_from_one_client_are_rate_limited_before_any_hashing(db: Db) {
    let app = with_settings(db, |s| s.auth_per_minute = 3).await;
    for i in 0..3 {
        let res = client()
            .post(app.url("/api/auth/register"))
            .json(&register_body(i))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    let res = client()
        .post(app.url("/api/auth/register"))
        .json(&register_body(9))
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    let login = client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": "flood0@example.com", "password": "long enough"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "login shares the budget"
    );
}

// ---- 2. `ecomm admin create` cannot hand admin to whoever registered first ----

#[db_test]
async fn admin_create_refuses_to_promote_a_registered_customer(app: TestApp) {
    let squatter = app.customer("boss@example.com").await;
    let err = ecomm::http::routes::auth::ensure_admin(
        app.store.as_ref(),
        "boss@example.com",
        "new admin password".to_owned().into(),
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("--force"), "{err}");
    let res = squatter
        .get(app.url("/api/admin/orders"))
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let me: serde_json::Value = squatter
        .get(app.url("/api/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "customer");
}

#[db_test]
async fn a_forced_promotion_ends_every_session_the_account_had(app: TestApp) {
    let squatter = app.customer("boss@example.com").await;
    ecomm::http::routes::auth::ensure_admin(
        app.store.as_ref(),
        "boss@example.com",
        "new admin password".to_owned().into(),
        true,
    )
    .await
    .unwrap();
    let res = app.with(&squatter).get("/api/admin/orders").await;
    problem(res, StatusCode::UNAUTHORIZED).await;
    let owner = client();
    let res = app
        .with(&owner)
        .post(
            "/api/auth/login",
            &json!({"email": "boss@example.com", "password": "new admin password"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.with(&owner).get("/api/admin/orders").await.status(),
        StatusCode::OK
    );
}

#[db_test]
async fn a_password_change_revokes_all_sessions_of_that_user(app: TestApp) {
    let phone = app.customer("ann@example.com").await;
    let laptop = client();
    app.with(&laptop)
        .post(
            "/api/auth/login",
            &json!({"email": "ann@example.com", "password": "correct horse"}),
        )
        .await;
    let (user, _) = app
        .store
        .user_credentials(&ecomm::domain::Email::parse("ann@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store
        .set_password(user.id, "$argon2id$v=19$m=19456,t=2,p=1$x$y", user.role)
        .await
        .unwrap();
    for c in [&phone, &laptop] {
        problem(app.with(c).get("/api/me").await, StatusCode::UNAUTHORIZED).await;
    }
}

#[db_test]
async fn an_idle_admin_session_ends_while_a_customer_session_lives_on(db: Db) {
    let app = with_settings(db, |s| s.admin_idle_secs = 2).await;
    let admin = app.admin().await;
    let shopper = app.customer("ann@example.com").await;
    assert_eq!(
        app.with(&admin).get("/api/me").await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    problem(
        app.with(&admin).get("/api/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        app.with(&shopper).get("/api/me").await.status(),
        StatusCode::OK
    );
}

// ---- 3. login limiter ----

#[db_test]
async fn spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(app: TestApp) {
    app.customer("victim@example.com").await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        let xff = format!("198.51.100.{i}");
        statuses.push(
            login(
                &app,
                &client(),
                "victim@example.com",
                "guess guess",
                Some(&xff),
            )
            .await,
        );
    }
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        limited >= 20,
        "30 spoofed addresses, {limited} limited: {statuses:?}"
    );
}

#[db_test]
async fn a_client_behind_our_proxy_cannot_pick_its_own_address(db: Db) {
    let app = behind_proxy(db, |_| {}).await;
    app.customer("victim@example.com").await;
    let mut limited = 0;
    for i in 0..10 {
        // The client wrote the left hop; our proxy appended the address it saw.
        let xff = format!("10.9.9.{i}, 198.51.100.7");
        if login(
            &app,
            &client(),
            "victim@example.com",
            "guess guess",
            Some(&xff),
        )
        .await
            == StatusCode::TOO_MANY_REQUESTS
        {
            limited += 1;
        }
    }
    assert!(limited >= 5, "limited {limited} of 10");
}

#[db_test]
async fn parallel_guesses_count_each_other(app: TestApp) {
    app.customer("victim@example.com").await;
    let app = Arc::new(app);
    let guesses: Vec<_> = (0..20)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let pw = format!("guess {i}");
                login(&app, &client(), "victim@example.com", &pw, None).await
            })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        checked <= 5,
        "{checked} of 20 parallel guesses had their password checked"
    );
}

#[db_test]
async fn failures_from_one_address_do_not_lock_the_owner_out_from_another(db: Db) {
    let app = behind_proxy(db, |_| {}).await;
    app.customer("owner@example.com").await;
    for _ in 0..8 {
        login(
            &app,
            &client(),
            "owner@example.com",
            "guess guess",
            Some("198.51.100.66"),
        )
        .await;
    }
    let attacker = login(
        &app,
        &client(),
        "owner@example.com",
        "correct horse",
        Some("198.51.100.66"),
    )
    .await;
    assert_eq!(
        attacker,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address stays limited"
    );
    let owner = login(
        &app,
        &client(),
        "owner@example.com",
        "correct horse",
        Some("203.0.113.5"),
    )
    .await;
    assert_eq!(owner, StatusCode::OK, "the owner signs in from elsewhere");
}

#[db_test]
async fn the_purge_removes_expired_sessions_old_attempts_and_finished_idempotency_keys(
    app: TestApp,
) {
    let now = ecomm::sys::clock::now_ms();
    let c = app.customer("ann@example.com").await;
    login(&app, &client(), "ann@example.com", "wrong one", None).await;
    let p = app.product("PURGE-1", 500, 5).await;
    app.add_to_cart(&c, p.id, 1).await;
    // A refused checkout's key (a placed order's key is kept as long as its order).
    assert_eq!(
        app.checkout(&c, "purge-key", &checkout_body(DECLINE))
            .await
            .status(),
        StatusCode::PAYMENT_REQUIRED
    );
    // Nothing is old yet: the purge keeps everything.
    let kept = app
        .store
        .purge_expired(now, now - 3_600_000, now - 3_600_000)
        .await
        .unwrap();
    assert_eq!(kept, 0);
    assert_eq!(app.with(&c).get("/api/me").await.status(), StatusCode::OK);
    // A month later every one of them has expired.
    let later = now + 31 * 24 * 3_600_000;
    let purged = app.store.purge_expired(later, later, later).await.unwrap();
    assert!(purged >= 3, "purged {purged}");
    problem(app.with(&c).get("/api/me").await, StatusCode::UNAUTHORIZED).await;
    assert!(app
        .store
        .idempotency_record("purge-key")
        .await
        .unwrap()
        .is_none());
}

// ---- 4. timeouts and the connection cap (no database involved: SQLite only) ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slowloris_connection_is_closed_within_the_header_timeout() {
    let app = with_settings(Db::Sqlite, |s| s.header_timeout_secs = 1).await;
    let mut conn = TcpStream::connect(app.host()).await.unwrap();
    conn.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let mut closed = false;
    for i in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if conn
            .write_all(format!("X-Slow-{i}: y\r\n").as_bytes())
            .await
            .is_err()
        {
            closed = true;
            break;
        }
        let mut buf = [0u8; 512];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), conn.read(&mut buf)).await
        {
            // 408 or EOF: either way the server gave up on us.
            let _ = n;
            closed = true;
            break;
        }
    }
    assert!(closed, "still open after {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_millis(3500),
        "closed after {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idle_connections_beyond_the_cap_do_not_stop_health_from_answering() {
    let app = with_settings(Db::Sqlite, |s| {
        s.header_timeout_secs = 1;
        s.max_connections = Some(8);
    })
    .await;
    let addr = app.host().to_owned();
    let mut idle = Vec::new();
    for _ in 0..40 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    let started = Instant::now();
    let res = client().get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "answered after {:?}",
        started.elapsed()
    );
    drop(idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_that_outlives_the_request_timeout_gets_a_503_problem() {
    let app = with_settings(Db::Sqlite, |s| s.request_timeout_secs = 1).await;
    let mut conn = TcpStream::connect(app.host()).await.unwrap();
    // Headers promise a body that never comes: the handler waits on it until the timeout.
    conn.write_all(b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
        .await
        .expect("answered")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 503"), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
}

// ---- 5. cross-site requests ----

#[db_test]
async fn a_cross_site_checkout_is_refused_and_places_no_order(app: TestApp) {
    let p = app.product("CSRF-1", 1000, 5).await;
    let c = client();
    app.add_to_cart(&c, p.id, 1).await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("origin", "null"),
    ] {
        let res = c
            .post(app.url("/api/checkout"))
            .header("Idempotency-Key", format!("csrf-{name}-{value}"))
            .header(name, value)
            .json(&checkout_body(APPROVE))
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::FORBIDDEN).await;
    }
    assert_eq!(app.count_orders("paid").await, 0);
    let host = app.host().to_owned();
    let ours = c
        .post(app.url("/api/checkout"))
        .header("Idempotency-Key", "csrf-ok")
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .json(&checkout_body(APPROVE))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ours.status(),
        StatusCode::CREATED,
        "the SPA's own requests pass"
    );
}

#[db_test]
async fn a_cross_site_form_cannot_upload_images_or_log_out(app: TestApp) {
    let admin = app.admin().await;
    let p = app.product("CSRF-2", 1000, 5).await;
    let form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(vec![0u8; 16]).file_name("x.png"),
    );
    let res = admin
        .post(app.url(&format!("/api/admin/products/{}/image", p.id)))
        .header("origin", "https://evil.example")
        .multipart(form)
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::FORBIDDEN).await;
    let res = admin
        .post(app.url("/api/auth/logout"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(
        admin.get(app.url("/api/me")).send().await.unwrap().status(),
        StatusCode::OK,
        "still signed in"
    );
    let res = admin
        .post(app.url("/api/auth/logout"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[db_test]
async fn behind_tls_cookies_are_host_prefixed_and_planted_plain_cookies_are_ignored(db: Db) {
    let app = behind_proxy(db, |_| {}).await;
    app.customer("tls@example.com").await;
    let c = client();
    let res = c
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "tls@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-ecomm_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    // A sibling subdomain can plant `ecomm_session`, never `__Host-ecomm_session`.
    let planted = client()
        .get(app.url("/api/me"))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("ecomm_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(planted.status(), StatusCode::UNAUTHORIZED);
    let real = client()
        .get(app.url("/api/me"))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("__Host-ecomm_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(real.status(), StatusCode::OK);
}

#[db_test]
async fn forwarded_proto_from_an_untrusted_peer_is_ignored(app: TestApp) {
    app.customer("tls@example.com").await;
    let res = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-proto", "https")
        .json(&json!({"email": "tls@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("ecomm_session=") && !cookie.contains("Secure"),
        "{cookie}"
    );
}

// ---- 7. the SPA gets the storefront's browser policy ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_spa_served_by_the_backend_carries_the_nginx_security_headers() {
    let dir = temp_path("ecomm-spa");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>shop</title>").unwrap();
    let base = TestApp::spawn(Db::Sqlite).await;
    let app = ecomm::Application::with_state(
        base.state.clone(),
        "127.0.0.1:0",
        Some(dir),
        Duration::ZERO,
    )
    .await
    .unwrap();
    let url = format!("http://127.0.0.1:{}/products/42", app.port());
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    let res = client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let nginx = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../frontend/nginx.conf"
    ))
    .unwrap();
    assert!(
        nginx.contains(ecomm::http::headers::CSP),
        "backend CSP matches frontend/nginx.conf"
    );
    assert_eq!(
        res.headers()["content-security-policy"],
        ecomm::http::headers::CSP
    );
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(
        res.headers()["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
}

// ---- 6. database credentials ----

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_with_reserved_characters_still_reaches_the_real_database() {
    let Ok(admin) = std::env::var("ECOMM_TEST_PG_URL") else {
        panic!("ECOMM_TEST_PG_URL must name the test cluster");
    };
    let server = url::Url::parse(&admin).unwrap();
    let parts = ecomm::store::dburl::DbParts {
        host: server.host_str().unwrap().to_owned(),
        port: server.port().unwrap(),
        database: "postgres".into(),
        user: "postgres".into(),
        password: "p#?%@/:x y&sslmode=disable".to_owned().into(),
        sslmode: "disable".into(),
        root_cert: None,
    };
    let store = ecomm::store::connect(&parts.url().unwrap())
        .await
        .expect("connect");
    store.ping().await.expect("the database answers");
}

// ---- 7. low: invisible Unicode, card testing ----

#[db_test]
async fn bidi_overrides_and_zero_width_characters_are_refused_and_text_is_nfc(app: TestApp) {
    let res = app
        .post(
            "/api/auth/register",
            &json!({"email": "ad\u{200B}min@example.com", "password": "long enough", "name": "Ada\u{202E}ecnalevoL"}),
        )
        .await;
    let body = field_error(res, "email").await;
    assert!(body.to_string().contains("\"name\""), "{body}");
    let body =
        json!({"email": "cafe@example.com", "password": "long enough", "name": "Cafe\u{0301}"});
    app.sign_up(&app.client, &body).await;
    assert_eq!(
        json_of(app.get("/api/me").await).await["name"],
        "Caf\u{00E9}"
    );
}

#[db_test]
async fn card_testing_is_cut_off_after_a_few_declines_with_no_reason_given(app: TestApp) {
    let p = app.product("CARD-1", 500, 50).await;
    app.add_to_cart(&app.client, p.id, 1).await;
    for i in 0..5 {
        let res = app
            .checkout(&app.client, &format!("test-{i}"), &checkout_body(DECLINE))
            .await;
        let body = problem(res, StatusCode::PAYMENT_REQUIRED).await;
        assert_eq!(body["detail"], "the card was declined");
    }
    let res = app
        .checkout(&app.client, "test-6", &checkout_body(APPROVE))
        .await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // The same email from another client is refused too (per-email budget).
    let other = client();
    app.add_to_cart(&other, p.id, 1).await;
    let res = app
        .checkout(&other, "test-7", &checkout_body(APPROVE))
        .await;
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_application_role_can_use_the_tables_but_not_change_the_schema() {
    use sqlx::{Connection, Executor};
    let Ok(admin) = std::env::var("ECOMM_TEST_PG_URL") else {
        panic!("ECOMM_TEST_PG_URL must name the test cluster");
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let owner = format!("{base}/{name}");
    ecomm::store::connect(&owner)
        .await
        .unwrap()
        .migrate()
        .await
        .unwrap();
    let role = format!("app_{}", &name[2..12]);
    let password = "a-long-random-app-password".to_owned().into();
    ecomm::store::dbrole::grant(
        &owner,
        &role,
        &password,
        &ecomm::store::DbOptions::default(),
    )
    .await
    .unwrap();
    // Twice: a re-run of the migration Job updates the role instead of failing.
    ecomm::store::dbrole::grant(
        &owner,
        &role,
        &password,
        &ecomm::store::DbOptions::default(),
    )
    .await
    .unwrap();
    let app_url = owner.replacen("postgres://postgres@", &format!("postgres://{role}@"), 1);
    let mut app = sqlx::PgConnection::connect(&app_url).await.unwrap();
    // A plain connection, no startup options: what a session through RDS Proxy or PgBouncer gets.
    for (setting, expected) in [
        ("idle_in_transaction_session_timeout", "10s"),
        ("statement_timeout", "5s"),
        ("lock_timeout", "2s"),
    ] {
        let value: String = sqlx::query_scalar(&format!("SHOW {setting}"))
            .fetch_one(&mut app)
            .await
            .unwrap();
        assert_eq!(value, expected, "the application role carries {setting}");
    }
    app.execute(
        "INSERT INTO login_failures (email, client, at_ms) VALUES ('a@b.co', '1.2.3.4', 1)",
    )
    .await
    .expect("DML is allowed");
    app.execute("DELETE FROM login_failures")
        .await
        .expect("DML is allowed");
    for ddl in [
        "CREATE TABLE loot (x int)",
        "DROP TABLE users",
        "ALTER TABLE users ADD COLUMN pwned int",
        "DELETE FROM _sqlx_migrations",
    ] {
        assert!(app.execute(ddl).await.is_err(), "{ddl} must be refused");
    }
}
