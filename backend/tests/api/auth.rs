use crate::helpers::*;

#[db_test]
async fn a_new_account_signs_in_with_a_safe_cookie(app: TestApp) {
    let body = json!({"email": "Ann@Example.com", "password": "long enough", "name": "Ann"});
    let res = app.sign_up(&app.client, &body).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("ecomm_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain HTTP gets no Secure flag");
    let me = json_of(app.get("/api/me").await).await;
    assert_eq!(me["email"], "ann@example.com");
    assert_eq!(me["role"], "customer");
}

#[db_test]
async fn registering_a_known_email_answers_as_for_a_new_one_and_signs_nobody_in(app: TestApp) {
    app.customer("taken@example.com").await;
    let register = |c: &Client, email: &str| {
        let body = json!({"email": email, "password": "attacker's pick", "name": "Eve"});
        send(c.post(app.url("/api/auth/register")).json(&body))
    };
    let new = register(&client(), "FRESH@example.com").await;
    let prober = client();
    let known = register(&prober, "TAKEN@example.com").await;
    assert_eq!(known.status(), new.status());
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    for res in [&new, &known] {
        assert!(!res.headers().contains_key("set-cookie"), "{res:?}");
    }
    assert_eq!(json_of(new).await, json!({"email": "fresh@example.com"}));
    assert_eq!(json_of(known).await, json!({"email": "taken@example.com"}));
    problem(
        app.with(&prober).get("/api/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The account is untouched: its own password still opens it, the prober's does not.
    let login = |password: &str| json!({"email": "taken@example.com", "password": password});
    let theirs = app
        .with(&client())
        .post("/api/auth/login", login("attacker's pick"))
        .await;
    problem(theirs, StatusCode::UNAUTHORIZED).await;
    let owners = app
        .with(&client())
        .post("/api/auth/login", login("correct horse"))
        .await;
    assert_eq!(owners.status(), StatusCode::OK);
}

#[db_test]
async fn registration_rejects_bad_fields_and_non_json(app: TestApp) {
    let res = app
        .post(
            "/api/auth/register",
            &json!({"email": "nope", "password": "short", "name": " "}),
        )
        .await;
    let body = field_error(res, "email").await;
    let fields = fields_of(&body);
    assert_eq!(fields, ["email", "password", "name"]);
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
    let body = json!({"email": "x@example.com", "password": "long enough", "name": name});
    app.sign_up(&app.client, &body).await;
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
