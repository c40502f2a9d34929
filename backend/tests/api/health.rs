use std::sync::atomic::Ordering;

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
async fn openapi_document_and_swagger_ui_are_served(app: TestApp) {
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/checkout"]["post"].is_object());
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[test]
fn committed_openapi_snapshot_matches_the_code() {
    let committed: serde_json::Value =
        serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    let live = serde_json::to_value(ecomm::openapi::document()).unwrap();
    assert!(
        committed == live,
        "backend/openapi.json is stale: run `cargo run -p ecomm -- openapi > backend/openapi.json`"
    );
}

#[db_test]
async fn a_lost_database_answers_503_with_retry_after_not_500(app: TestApp) {
    app.store.close().await;
    // The cart read goes to the database: a load balancer may retry a 503 elsewhere, not a 500.
    let res = app.get("/api/cart").await;
    assert!(res.headers().contains_key("retry-after"));
    let body = problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(body["type"]
        .as_str()
        .unwrap_or_default()
        .ends_with("unavailable"));
}
