use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

db_test! {
    async fn registering_signs_the_user_in_with_a_safe_cookie(app) {
        let res = app.client.post(app.url("/api/auth/register")).json(&json!({"email": "Ann@Example.com", "password": "long enough", "name": "Ann"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure flag");
        let me: Value = app.client.get(app.url("/api/me")).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["email"], "ann@example.com");
        assert_eq!(me["role"], "customer");
    }
}

db_test! {
    async fn cookies_are_secure_behind_a_tls_proxy(app) {
        let res = app.client.post(app.url("/api/auth/register")).header("x-forwarded-proto", "https")
            .json(&json!({"email": "tls@example.com", "password": "long enough", "name": "T"})).send().await.unwrap();
        assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Secure"));
    }
}

db_test! {
    async fn registration_rejects_bad_fields_duplicates_and_non_json(app) {
        let res = app.client.post(app.url("/api/auth/register")).json(&json!({"email": "nope", "password": "short", "name": " "})).send().await.unwrap();
        let body = field_error(res, "email").await;
        let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "password", "name"]);
        app.customer("dup@example.com").await;
        let again = app.client.post(app.url("/api/auth/register")).json(&json!({"email": "DUP@example.com", "password": "long enough", "name": "D"})).send().await.unwrap();
        problem(again, StatusCode::CONFLICT).await;
        let malformed = app.client.post(app.url("/api/auth/register")).header("content-type", "application/json").body("{\"email\":").send().await.unwrap();
        field_error(malformed, "body").await;
        let wrong_type = app.client.post(app.url("/api/auth/register")).json(&json!({"email": 5, "password": "x", "name": "y"})).send().await.unwrap();
        field_error(wrong_type, "email").await;
        let form = app.client.post(app.url("/api/auth/register")).header("content-type", "application/x-www-form-urlencoded").body("email=a").send().await.unwrap();
        problem(form, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
        let huge = app.client.post(app.url("/api/auth/register")).json(&json!({"email": "a@b.co", "password": "p".repeat(100_000), "name": "n"})).send().await.unwrap();
        problem(huge, StatusCode::PAYLOAD_TOO_LARGE).await;
    }
}

db_test! {
    async fn html_and_sql_in_names_are_stored_verbatim(app) {
        let name = "<script>alert(1)</script>'); DROP TABLE users;--";
        let res = app.client.post(app.url("/api/auth/register")).json(&json!({"email": "x@example.com", "password": "long enough", "name": name})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = app.client.get(app.url("/api/me")).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "application/json");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let me: Value = res.json().await.unwrap();
        assert_eq!(me["name"], name);
    }
}

db_test! {
    async fn login_logout_and_wrong_passwords(app) {
        app.customer("bob@example.com").await;
        let c = client();
        let wrong = c.post(app.url("/api/auth/login")).json(&json!({"email": "bob@example.com", "password": "wrong password"})).send().await.unwrap();
        problem(wrong, StatusCode::UNAUTHORIZED).await;
        let unknown = c.post(app.url("/api/auth/login")).json(&json!({"email": "ghost@example.com", "password": "wrong password"})).send().await.unwrap();
        problem(unknown, StatusCode::UNAUTHORIZED).await;
        let ok = c.post(app.url("/api/auth/login")).json(&json!({"email": "bob@example.com", "password": "correct horse"})).send().await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(c.get(app.url("/api/me")).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(c.post(app.url("/api/auth/logout")).send().await.unwrap().status(), StatusCode::NO_CONTENT);
        problem(c.get(app.url("/api/me")).send().await.unwrap(), StatusCode::UNAUTHORIZED).await;
    }
}

db_test! {
    async fn repeated_failures_lock_the_account_for_a_while(app) {
        app.customer("target@example.com").await;
        for _ in 0..5 {
            let r = client().post(app.url("/api/auth/login")).json(&json!({"email": "target@example.com", "password": "guess guess"})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        }
        // Even the right password is refused until the window passes.
        let r = client().post(app.url("/api/auth/login")).json(&json!({"email": "target@example.com", "password": "correct horse"})).send().await.unwrap();
        assert!(r.headers().contains_key("retry-after"));
        problem(r, StatusCode::TOO_MANY_REQUESTS).await;
    }
}
