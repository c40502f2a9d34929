//! Who is calling: session and cart cookies, and the extractors that name the caller.
use std::net::IpAddr;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::http::error::ApiError;
use crate::http::headers::HSTS;
use crate::security::guest;
use crate::security::token::token_hash;
use crate::security::Security;
use crate::store::{Store, User};
use crate::sys::clock::now_ms;

pub const SESSION_COOKIE: &str = "ecomm_session";
/// A guest's identity, issued by the server (`security::guest`).
pub const CART_COOKIE: &str = "ecomm_cart";
/// A guest cart's lines (`cart::cookie::GuestCart`); `ecomm_cart` stays the guest's identity.
pub const CART_LINES_COOKIE: &str = "ecomm_cart_lines";
/// The access tokens of a browser's last guest orders (`security::guest::GuestOrders`).
pub const GUEST_ORDERS_COOKIE: &str = "ecomm_orders";
/// 50 lines of `<id>x<qty>` fit well within it (a browser keeps 4 kB per cookie).
pub const CART_LINES_MAX_LEN: usize = 1536;
/// Both guest cookies last as long as a cart is worth keeping.
pub const CART_MAX_AGE: i64 = 90 * 24 * 3600;
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    cookie_up_to(headers, name, 128)
}

pub fn cookie_up_to<'a>(headers: &'a HeaderMap, name: &str, max_len: usize) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= max_len)
}

/// `__Host-` names when Secure: the browser then refuses the cookie unless it was set by this exact
/// host over TLS with `Path=/` and no Domain, so a sibling subdomain cannot plant a session or cart.
pub fn cookie_name(base: &'static str, secure: bool) -> &'static str {
    match (base, secure) {
        (SESSION_COOKIE, true) => "__Host-ecomm_session",
        (CART_COOKIE, true) => "__Host-ecomm_cart",
        (CART_LINES_COOKIE, true) => "__Host-ecomm_cart_lines",
        (GUEST_ORDERS_COOKIE, true) => "__Host-ecomm_orders",
        (other, _) => other,
    }
}

#[allow(
    clippy::expect_used,
    reason = "names are our constants and values URL-safe base64 tokens: always valid header text"
)]
pub fn set_cookie(base: &'static str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let name = cookie_name(base, secure);
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie header is ASCII")
}

/// The caller as the security layer sees it: the client address (through trusted proxies only)
/// and whether the request reached us over TLS.
#[derive(Debug, Clone, Copy)]
pub struct ClientInfo {
    pub ip: IpAddr,
    pub https: bool,
}

impl ClientInfo {
    pub fn of(parts: &Parts, security: &Security) -> ClientInfo {
        if let Some(info) = parts.extensions.get::<ClientInfo>() {
            return *info;
        }
        Self::resolve(
            security,
            crate::security::client::peer(parts),
            &parts.headers,
        )
    }

    pub fn resolve(sec: &Security, peer: IpAddr, headers: &HeaderMap) -> ClientInfo {
        ClientInfo {
            ip: sec.proxies.client_ip(peer, headers),
            https: sec.behind_tls || sec.proxies.forwarded_https(peer, headers),
        }
    }

    /// The session or cart cookie of this request, under the name its scheme allows.
    pub fn cookie<'a>(&self, headers: &'a HeaderMap, base: &'static str) -> Option<&'a str> {
        cookie(headers, cookie_name(base, self.https))
    }

    /// [`Self::cookie`] for a value longer than a token.
    pub fn cookie_up_to<'a>(
        &self,
        headers: &'a HeaderMap,
        base: &'static str,
        max_len: usize,
    ) -> Option<&'a str> {
        cookie_up_to(headers, cookie_name(base, self.https), max_len)
    }
}

/// Resolves who the client is once per request and adds HSTS when the request came over TLS.
pub async fn identify(
    State(security): State<Arc<Security>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let info = ClientInfo::resolve(&security, peer, req.headers());
    req.extensions_mut().insert(info);
    let mut res = next.run(req).await;
    if info.https {
        res.headers_mut().insert(
            HeaderName::from_static("strict-transport-security"),
            HeaderValue::from_static(HSTS),
        );
    }
    res
}

// The extractors need only the store and the security settings, taken from any state that
// offers them (`FromRef`), so this module does not depend on `AppState`.

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo
where
    Arc<Security>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let info = ClientInfo::of(parts, &Arc::<Security>::from_ref(state));
        parts.extensions.insert(info);
        Ok(info)
    }
}

fn idle_ms(security: &Security) -> i64 {
    i64::try_from(security.admin_idle().as_millis()).unwrap_or(i64::MAX)
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<User>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser
where
    Arc<Security>: FromRef<S>,
    Arc<dyn Store>: FromRef<S>,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<User>() {
            return Ok(MaybeUser(Some(user.clone())));
        }
        let security = Arc::<Security>::from_ref(state);
        let client = ClientInfo::of(parts, &security);
        let Some(token) = client.cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(MaybeUser(None));
        };
        let user = Arc::<dyn Store>::from_ref(state)
            .session_user(&token_hash(token), now_ms(), idle_ms(&security))
            .await?;
        if let Some(u) = &user {
            parts.extensions.insert(u.clone());
        }
        Ok(MaybeUser(user))
    }
}

/// The user a router's access layer let in (`access::Access::SignedIn` or `Admin`). Only on
/// such routes: elsewhere there is none to take, and the answer is 401.
pub struct CurrentUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<User>()
            .cloned()
            .map(CurrentUser)
            .ok_or(ApiError::Unauthorized)
    }
}

/// Whose cart: a signed-in user's, or an anonymous one named by the cart cookie.
pub struct CartOwner {
    pub key: String,
    pub user: Option<User>,
    /// A guest's identity (`security::guest`): the one sent, if this server issued it, else a
    /// new one. `None` for a signed-in user.
    pub guest_token: Option<String>,
    /// A guest whose identity is new: the response must set it.
    pub fresh: bool,
    /// Whether cookies set for this request must be Secure (and `__Host-` named).
    pub secure: bool,
    /// A guest's cart cookie as sent (`cart::cookie::GuestCart::parse`); `None` for a user, or a
    /// guest without one.
    pub guest_cart_cookie: Option<String>,
}

impl CartOwner {
    pub fn user_key(id: i64) -> String {
        format!("u:{id}")
    }
    /// Only the identity's hash is ever written down.
    pub fn guest_key(token: &str) -> String {
        format!("a:{}", token_hash(token))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CartOwner
where
    Arc<Security>: FromRef<S>,
    Arc<dyn Store>: FromRef<S>,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let security = Arc::<Security>::from_ref(state);
        let client = ClientInfo::of(parts, &security);
        let (key, guest_token, fresh, guest_cart_cookie) = match &user {
            Some(u) => (Self::user_key(u.id), None, false, None),
            None => {
                let store = Arc::<dyn Store>::from_ref(state);
                let signer = guest::key(&security, store.as_ref()).await?;
                let sent = client.cookie(&parts.headers, CART_COOKIE);
                let (token, fresh) = match sent.filter(|t| signer.issued(t)) {
                    Some(t) => (t.to_owned(), false),
                    None => (signer.issue(), true),
                };
                let lines = client
                    .cookie_up_to(&parts.headers, CART_LINES_COOKIE, CART_LINES_MAX_LEN)
                    .map(str::to_owned);
                (Self::guest_key(&token), Some(token), fresh, lines)
            }
        };
        Ok(CartOwner {
            key,
            user,
            guest_token,
            fresh,
            secure: client.https,
            guest_cart_cookie,
        })
    }
}
