use crate::helpers::*;

#[db_test]
async fn registering_signs_the_user_in_with_a_safe_cookie(app: TestApp) {
    let res = app
        .post(
            "/api/auth/register",
            &json!({"email": "Ann@Example.com", "password": "long enough", "name": "Ann"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure flag");
    let me = json_of(app.get("/api/me").await).await;
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["role"], "customer");
}

#[db_test]
async fn registration_rejects_bad_fields_duplicates_and_non_json(app: TestApp) {
    let res = app
        .post(
            "/api/auth/register",
            &json!({"email": "nope", "password": "short", "name": " "}),
        )
        .await;
    let body = field_error(res, "email").await;
    let fields = fields_of(&body);
    assert_eq!(fields, ["email", "password", "name"]);
    app.customer("dup@example.com").await;
    let again = app
        .post(
            "/api/auth/register",
            &json!({"email": "DUP@example.com", "password": "long enough", "name": "D"}),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;
    let malformed = send(
        app.client
            .post(app.url("/api/auth/register"))
            .header("content-type", "application/json")
            .body("{\"email\":"),
    )
    .await;
    field_error(malformed, "body").await;
    let wrong_type = app
        .post(
            "/api/auth/register",
            &json!({"email": 5, "password": "x", "name": "y"}),
        )
        .await;
    field_error(wrong_type, "email").await;
    let form = send(
        app.client
            .post(app.url("/api/auth/register"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("email=a"),
    )
    .await;
    problem(form, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let huge = app
        .post(
            "/api/auth/register",
            &json!({"email": "a@b.co", "password": "p".repeat(100_000), "name": "n"}),
        )
        .await;
    problem(huge, StatusCode::PAYLOAD_TOO_LARGE).await;
}

#[db_test]
async fn html_and_sql_in_names_are_stored_verbatim(app: TestApp) {
    let name = "<script>alert(1)</script>'); DROP TABLE users;--";
    let res = app
        .post(
            "/api/auth/register",
            &json!({"email": "x@example.com", "password": "long enough", "name": name}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.get("/api/me").await;
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let me = json_of(res).await;
    assert_eq!(me["name"], name);
}

#[db_test]
async fn login_logout_and_wrong_passwords(app: TestApp) {
    app.customer("bob@example.com").await;
    let c = client();
    let wrong = app
        .with(&c)
        .post(
            "/api/auth/login",
            &json!({"email": "bob@example.com", "password": "wrong password"}),
        )
        .await;
    problem(wrong, StatusCode::UNAUTHORIZED).await;
    let unknown = app
        .with(&c)
        .post(
            "/api/auth/login",
            &json!({"email": "ghost@example.com", "password": "wrong password"}),
        )
        .await;
    problem(unknown, StatusCode::UNAUTHORIZED).await;
    let ok = app
        .with(&c)
        .post(
            "/api/auth/login",
            &json!({"email": "bob@example.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(app.with(&c).get("/api/me").await.status(), StatusCode::OK);
    assert_eq!(
        send(c.post(app.url("/api/auth/logout")).json(&json!({})))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    problem(app.with(&c).get("/api/me").await, StatusCode::UNAUTHORIZED).await;
}

#[db_test]
async fn repeated_failures_lock_the_account_for_a_while(app: TestApp) {
    app.customer("target@example.com").await;
    for _ in 0..5 {
        let r = app
            .with(&client())
            .post(
                "/api/auth/login",
                &json!({"email": "target@example.com", "password": "guess guess"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused until the window passes.
    let r = app
        .with(&client())
        .post(
            "/api/auth/login",
            &json!({"email": "target@example.com", "password": "correct horse"}),
        )
        .await;
    assert!(r.headers().contains_key("retry-after"));
    problem(r, StatusCode::TOO_MANY_REQUESTS).await;
}
