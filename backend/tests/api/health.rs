use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::helpers::*;

#[db_test]
async fn liveness_and_readiness_answer_and_readiness_fails_while_draining(app: TestApp) {
    let live = app.get("/health").await;
    assert_eq!(live.status(), StatusCode::OK);
    let ready: serde_json::Value = app.get("/health/ready").await.json().await.unwrap();
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["storage"], "ok");
    app.state.draining.store(true, Ordering::Relaxed);
    let draining = app.get("/health/ready").await;
    assert_eq!(draining.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Liveness must not follow readiness down, or Kubernetes would kill a draining pod.
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);
}

#[db_test]
async fn the_health_port_answers_liveness_and_readiness_and_nothing_else(app: TestApp) {
    let get = |path: &str| client().get(format!("{}{path}", app.health)).send();
    assert_eq!(get("/health").await.unwrap().status(), StatusCode::OK);
    let ready = get("/health/ready").await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "ok");
    // A management port: no shop, no metrics.
    assert_eq!(
        get("/api/products").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[db_test]
async fn on_shutdown_the_health_port_reports_503_while_draining_then_closes(app: TestApp) {
    let server = ecomm::Application::with_state(
        app.state.clone(),
        "127.0.0.1:0",
        None,
        Duration::from_millis(1500),
    )
    .await
    .and_then(|a| a.serve_health_on(([127, 0, 0, 1], 0).into()))
    .unwrap();
    let ready = format!(
        "http://127.0.0.1:{}/health/ready",
        server.health_port().unwrap()
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until_stopped(async {
        let _ = stopped.await;
    }));
    assert_eq!(
        client().get(&ready).send().await.unwrap().status(),
        StatusCode::OK
    );
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let draining = client().get(&ready).send().await.unwrap();
    assert_eq!(draining.status(), StatusCode::SERVICE_UNAVAILABLE);
    running.await.unwrap().unwrap();
    assert!(
        client().get(&ready).send().await.is_err(),
        "still listening"
    );
}

/// `ecomm serve` with the given extra environment, on a fresh SQLite database.
fn serve(env: &[(&str, String)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ecomm"));
    cmd.args(["serve", "--payments", "test", "--migrate"])
        .env("ECOMM_ADDR", "127.0.0.1:0")
        .env("ECOMM_DRAIN_SECONDS", "0")
        .env(
            "ECOMM_DATABASE_URL",
            format!(
                "sqlite://{}",
                temp_path("ecomm-hp").with_extension("db").display()
            ),
        )
        .env(
            "ECOMM_STORAGE_URL",
            format!("file://{}", temp_path("ecomm-media").display()),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port()
}

#[tokio::test]
async fn ecomm_health_port_in_the_environment_serves_the_probes_there() {
    let port = free_port();
    let mut child = serve(&[("ECOMM_HEALTH_PORT", port.to_string())])
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/health");
    let mut live = None;
    for _ in 0..100 {
        if let Ok(res) = client().get(&url).send().await {
            live = Some(res.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(live, Some(StatusCode::OK));
}

#[test]
fn a_health_port_that_is_not_a_port_or_is_the_main_port_stops_the_start() {
    // Both are refused before anything binds.
    let main = free_port().to_string();
    for (port, says) in [("http", "--health-port"), (main.as_str(), "must differ")] {
        let out = serve(&[
            ("ECOMM_HEALTH_PORT", port.into()),
            ("ECOMM_ADDR", format!("127.0.0.1:{main}")),
        ])
        .output()
        .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
}

#[db_test]
async fn readiness_reports_a_closed_database(app: TestApp) {
    app.store.close().await;
    let res = app.get("/health/ready").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["database"], "down");
}

#[db_test]
async fn metrics_count_requests_by_matched_route(app: TestApp) {
    let p = app.product("MET-1", 100, 1).await;
    app.get(&format!("/api/products/{}", p.id)).await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(text.contains(r#"route="/api/products/{id}""#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains("ecomm_db_pool_connections"));
}

#[db_test]
async fn unknown_api_paths_are_problem_json_404s_and_responses_carry_a_request_id(app: TestApp) {
    let res = app.get("/api/nope").await;
    assert!(res.headers().contains_key("x-request-id"));
    problem(res, StatusCode::NOT_FOUND).await;
}

#[db_test]
async fn openapi_document_and_swagger_ui_are_served_when_enabled(db: Db) {
    let app = TestApp::with_api_docs(db).await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/checkout"]["post"].is_object());
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[db_test]
async fn the_api_documents_are_not_served_unless_enabled(app: TestApp) {
    for path in ["/api/openapi.json", "/api/docs/", "/api/docs"] {
        problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

#[test]
fn committed_openapi_snapshot_matches_the_code() {
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    let live = serde_json::to_value(ecomm::http::openapi::document()).unwrap();
    assert!(
        committed == live,
        "backend/openapi.json is stale: run `cargo run -p ecomm -- openapi > backend/openapi.json`"
    );
}

#[db_test]
async fn a_lost_database_answers_503_with_retry_after_not_500(app: TestApp) {
    app.store.close().await;
    // An order lookup goes to the database: a load balancer may retry a 503 elsewhere, not a 500.
    let res = app
        .get("/api/orders/00000000-0000-0000-0000-000000000000")
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let body = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(body["type"]
        .as_str()
        .unwrap_or_default()
        .ends_with("unavailable"));
}
