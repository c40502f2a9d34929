use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cart::cookie::GuestCart;
use crate::domain::{password, schema, text, CartLimits, Checks, Email, Invalid, Role};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::ApiJson;
use crate::http::session::{
    set_cookie, CartOwner, ClientInfo, CART_COOKIE, CART_LINES_COOKIE, CART_LINES_MAX_LEN,
    CART_MAX_AGE, SESSION_COOKIE, SESSION_TTL_MS,
};
use crate::http::AppState;
use crate::security::guest;
use crate::security::token::{new_token, token_hash};
use crate::store::{Store, StoreError, User};
use crate::sys::clock::now_ms;

/// The OpenAPI description of [`router`]'s routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(register, login, logout))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
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
    #[schema(schema_with = schema::email)]
    pub email: String,
    #[schema(value_type = String, schema_with = schema::password)]
    pub password: SecretString,
    #[schema(schema_with = schema::name)]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(schema_with = schema::email)]
    pub email: String,
    /// Any string: a wrong one is a 401 like a wrong address.
    #[schema(value_type = String, format = Password)]
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

/// Creates an admin (`ecomm admin create`). An existing customer is promoted only with `force`
/// (an attacker may have registered the address first); promoting or resetting a password ends
/// every session of that account.
pub async fn ensure_admin(
    store: &dyn Store,
    email: &str,
    pw: SecretString,
    force: bool,
) -> anyhow::Result<User> {
    let email = Email::parse(email).map_err(|m| anyhow::anyhow!("email {m}"))?;
    password(pw.expose_secret()).map_err(|m| anyhow::anyhow!("password {m}"))?;
    let existing = store.user_credentials(&email).await?;
    if let Some((user, _)) = &existing {
        if user.role != Role::Admin && !force {
            anyhow::bail!(
                "{} is an existing customer account; pass --force to promote it (its sessions end \
                 and its password is replaced)",
                email.as_str()
            );
        }
    }
    let hash =
        tokio::task::spawn_blocking(move || crate::security::hashing::hash_now(&pw)).await??;
    if let Some((user, _)) = existing {
        // Also ends every session the account had (set_password revokes them).
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

/// A new guest identity for this browser, at sign-in and at sign-out: whoever learnt or planted the
/// one before cannot follow the browser across.
async fn new_guest_identity(
    state: &AppState,
    res: &mut Response,
    client: ClientInfo,
) -> ApiResult<()> {
    let identity = guest::key(&state.security, state.store.as_ref())
        .await?
        .issue();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(CART_COOKIE, &identity, CART_MAX_AGE, client.https),
    );
    Ok(())
}

/// Starts a session and folds the guest cart into the user's.
async fn sign_in(
    state: &AppState,
    client: ClientInfo,
    headers: &HeaderMap,
    user: User,
    status: StatusCode,
) -> ApiResult<Response> {
    let token = new_token();
    let now = now_ms();
    state
        .store
        .create_session(&token_hash(&token), user.id, now, now + SESSION_TTL_MS)
        .await?;
    let into = CartOwner::user_key(user.id);
    let limits = CartLimits::SHOP;
    let guest_lines = client.cookie_up_to(headers, CART_LINES_COOKIE, CART_LINES_MAX_LEN);
    if let Some(raw) = guest_lines {
        let cart = GuestCart::parse(raw, limits);
        state
            .store
            .merge_lines(&into, cart.items(), limits, now)
            .await?;
    }
    let mut res = (status, Json(UserDto::from(user))).into_response();
    if guest_lines.is_some() {
        // Folded into the user's cart: the guest's is empty now (as the stored one was).
        let empty = GuestCart::default().encode();
        let cookie = set_cookie(CART_LINES_COOKIE, &empty, CART_MAX_AGE, client.https);
        res.headers_mut().append(header::SET_COOKIE, cookie);
    }
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, SESSION_TTL_MS / 1000, client.https),
    );
    new_guest_identity(state, &mut res, client).await?;
    Ok(res)
}

/// The answer to every valid registration, whether the address was free or had an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The address as it is stored; sign in with it and the password to continue.
    pub email: String,
}

/// Registration never tells whether an address has an account: a new address gets its account,
/// a known one is left as it was, and both get the same 202 after the same work (the password is
/// hashed either way), with no session. Signing in with the new password is what follows — and
/// what a prober must then do, one guess under the login limits at a time.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 202, description = "The same for a new and a known address: sign in next", body = Registered), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    // Budget first: hashing is the expensive part an attacker is after.
    state
        .security
        .auth_limiter
        .check(client.ip)
        .map_err(ApiError::TooManyRequests)?;
    let account = req.parse()?;
    let hash = state.security.hasher.hash(account.password).await?;
    let created = state
        .store
        .create_user(
            &account.email,
            &account.name,
            &hash,
            Role::Customer,
            now_ms(),
        )
        .await;
    match created {
        Ok(_) | Err(StoreError::EmailTaken) => {}
        Err(e) => return Err(e.into()),
    }
    let email = account.email.as_str().to_owned();
    Ok((StatusCode::ACCEPTED, Json(Registered { email })))
}

const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Guesses at one account from one client; the owner elsewhere is not affected.
const MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT: i64 = 5;
/// Guesses from one client over all accounts (credential stuffing).
const MAX_ATTEMPTS_PER_CLIENT: i64 = 20;

#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = UserDto), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(client = %client.ip))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    state
        .security
        .auth_limiter
        .check(client.ip)
        .map_err(ApiError::TooManyRequests)?;
    let email = Email::parse(&req.email).map_err(|m| Invalid::field("email", m))?;
    let now = now_ms();
    let ip = client.ip.to_string();
    // The attempt is written before the password is checked, so parallel guesses count each
    // other; it is counted in the database so every replica enforces the same limit.
    let (by_pair, by_client) = state
        .store
        .record_login_attempt(email.as_str(), &ip, now, now - FAILURE_WINDOW_MS)
        .await?;
    if by_pair > MAX_ATTEMPTS_PER_ACCOUNT_AND_CLIENT || by_client > MAX_ATTEMPTS_PER_CLIENT {
        return Err(ApiError::TooManyRequests((FAILURE_WINDOW_MS / 1000) as u64));
    }
    let found = state.store.user_credentials(&email).await?;
    let stored = found.as_ref().map(|(_, h)| h.clone());
    let ok = state.security.hasher.verify(req.password, stored).await?;
    match (ok, found) {
        (true, Some((user, _))) => {
            state
                .store
                .clear_login_attempts(email.as_str(), &ip)
                .await?;
            sign_in(&state, client, &headers, user, StatusCode::OK).await
        }
        _ => Err(ApiError::InvalidCredentials),
    }
}

/// Logout takes a JSON object (usually `{}`): a cross-site HTML form cannot send that type.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    request_body(content = Object, content_type = "application/json", description = "`{}`"),
    responses((status = 204), (status = 415, body = Problem, content_type = "application/problem+json")))]
pub async fn logout(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    _: ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Response> {
    if let Some(token) = client.cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, client.https),
    );
    new_guest_identity(&state, &mut res, client).await?;
    Ok(res)
}
