//! Who may call a router's routes, said once per router (`routes::sections`): its route layer
//! enforces it before any handler runs, and the OpenAPI document describes it (`openapi::truth`).
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

use crate::domain::Role;
use crate::http::error::ApiError;
use crate::http::session::MaybeUser;
use crate::http::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// Anyone: a signed-in shopper's cart is theirs; a guest's travels in the cart cookies (a new
    /// identity is set when neither is sent).
    CartOwner,
    /// Anyone: the owner by session, a guest by the order's access token cookie (the handler
    /// answers 404 to anyone else).
    OrderOwner,
    /// A signed-in user: 401 without a session.
    SignedIn,
    /// An admin: 401 without a session, 403 for a customer.
    Admin,
}

/// A router with who may call it and the OpenAPI description of its routes.
pub struct Section {
    pub access: Access,
    pub router: Router<AppState>,
    pub doc: utoipa::openapi::OpenApi,
}

impl Section {
    pub fn of<Doc: utoipa::OpenApi>(access: Access, router: Router<AppState>) -> Section {
        Section {
            access,
            router,
            doc: Doc::openapi(),
        }
    }

    /// The router, behind the layer its access needs (none for routes anyone may call).
    pub fn guarded(self, state: &AppState) -> Router<AppState> {
        match self.access {
            Access::SignedIn | Access::Admin => self.router.route_layer(
                middleware::from_fn_with_state((self.access, state.clone()), require),
            ),
            Access::Public | Access::CartOwner | Access::OrderOwner => self.router,
        }
    }
}

/// Lets a request through only with the session `access` asks for; the user is then in the
/// request's extensions for [`crate::http::session::CurrentUser`].
async fn require(
    State((access, state)): State<(Access, AppState)>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = req.into_parts();
    let MaybeUser(user) = MaybeUser::from_request_parts(&mut parts, &state).await?;
    let user = user.ok_or(ApiError::Unauthorized)?;
    if access == Access::Admin && user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}
