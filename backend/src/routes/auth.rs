use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{password, text, Checks, Email, Invalid, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiJson;
use crate::session::{
    self, cookie, set_cookie, token_hash, CartOwner, RequireUser, CART_COOKIE, SESSION_COOKIE,
    SESSION_TTL_MS,
};
use crate::state::{now_ms, AppState};
use crate::store::{Store, User};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/me", get(me))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        UserDto {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub email: String,
    #[schema(value_type = String)]
    pub password: SecretString,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    #[schema(value_type = String)]
    pub password: SecretString,
}

/// A registration that passed every check.
pub struct NewAccount {
    pub email: Email,
    pub name: String,
    pub password: SecretString,
}

impl RegisterRequest {
    pub fn parse(self) -> Result<NewAccount, Invalid> {
        let mut c = Checks::default();
        let email = c.check("email", Email::parse(&self.email));
        c.check("password", password(self.password.expose_secret()));
        let name = c.check("name", text(&self.name, 100));
        c.finish_with(|| {
            Some(NewAccount {
                email: email?,
                name: name?,
                password: self.password,
            })
        })
    }
}

/// argon2id is deliberately slow: keep it off the async workers.
#[tracing::instrument(skip_all)]
pub async fn hash_password(pw: SecretString) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(pw.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))
    })
    .await?
}

/// With no stored hash it checks against a throwaway one, so unknown accounts cost the same time.
async fn verify_password(pw: SecretString, hash: Option<String>) -> anyhow::Result<bool> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| {
                    Argon2::default()
                        .hash_password(b"not-a-password", &SaltString::generate(&mut OsRng))
                        .map_or_else(
                            |e| {
                                // Then every unknown-account login fails loudly below.
                                tracing::error!(error = %e, "could not hash the dummy password");
                                String::new()
                            },
                            |h| h.to_string(),
                        )
                })
                .clone()
        });
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok(Argon2::default()
            .verify_password(pw.expose_secret().as_bytes(), &parsed)
            .is_ok()
            && known)
    })
    .await?
}

/// Creates an admin, or promotes and resets an existing account (used by `ecomm admin create`).
pub async fn ensure_admin(
    store: &dyn Store,
    email: &str,
    pw: SecretString,
) -> anyhow::Result<User> {
    let email = Email::parse(email).map_err(|m| anyhow::anyhow!("email {m}"))?;
    password(pw.expose_secret()).map_err(|m| anyhow::anyhow!("password {m}"))?;
    let hash = hash_password(pw).await?;
    if let Some((user, _)) = store.user_credentials(&email).await? {
        store.set_password(user.id, &hash, Role::Admin).await?;
        return Ok(User {
            role: Role::Admin,
            ..user
        });
    }
    Ok(store
        .create_user(&email, "Store admin", &hash, Role::Admin, now_ms())
        .await?)
}

/// Starts a session and folds the guest cart into the user's.
async fn sign_in(
    state: &AppState,
    headers: &HeaderMap,
    user: User,
    status: StatusCode,
) -> ApiResult<Response> {
    let token = session::new_token();
    state
        .store
        .create_session(&token_hash(&token), user.id, now_ms() + SESSION_TTL_MS)
        .await?;
    if let Some(guest) = cookie(headers, CART_COOKIE) {
        state
            .store
            .merge_carts(
                &CartOwner::guest_key(guest),
                &CartOwner::user_key(user.id),
                crate::domain::Quantity::MAX,
            )
            .await?;
    }
    let secure = session::secure(state, headers);
    let mut res = (status, Json(UserDto::from(user))).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, SESSION_TTL_MS / 1000, secure),
    );
    Ok(res)
}

#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = UserDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let account = req.parse()?;
    let hash = hash_password(account.password).await?;
    let user = state
        .store
        .create_user(
            &account.email,
            &account.name,
            &hash,
            Role::Customer,
            now_ms(),
        )
        .await?;
    sign_in(&state, &headers, user, StatusCode::CREATED).await
}

const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_CLIENT: i64 = 20;

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = UserDto), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(client = %client.0))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let email = Email::parse(&req.email).map_err(|m| Invalid::field("email", m))?;
    let now = now_ms();
    // Counted in the database so every replica enforces the same limit.
    let (by_account, by_client) = state
        .store
        .login_failures(email.as_str(), &client.0, now - FAILURE_WINDOW_MS)
        .await?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_client >= MAX_FAILURES_PER_CLIENT {
        return Err(ApiError::TooManyRequests((FAILURE_WINDOW_MS / 1000) as u64));
    }
    let found = state.store.user_credentials(&email).await?;
    let ok = verify_password(req.password, found.as_ref().map(|(_, h)| h.clone())).await?;
    match (ok, found) {
        (true, Some((user, _))) => {
            state.store.clear_login_failures(email.as_str()).await?;
            sign_in(&state, &headers, user, StatusCode::OK).await
        }
        _ => {
            state
                .store
                .record_login_failure(email.as_str(), &client.0, now)
                .await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    let secure = session::secure(&state, &headers);
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, secure),
    );
    Ok(res)
}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = UserDto), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(RequireUser(user): RequireUser) -> Json<UserDto> {
    Json(user.into())
}

/// The caller's address, as seen through our proxy.
pub struct ClientAddr(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(session::client_addr(parts)))
    }
}
