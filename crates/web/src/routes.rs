//! Every route of the app, each with the access it needs, in one table. The router is built
//! from the table and the guard in front of each route enforces its rule, so a route cannot
//! exist without one; the authorization tests read the same table.

use crate::auth::{CurrentUser, SESSION_COOKIE, bearer_token, cookie, token_hash};
use crate::error::{ApiError, Audience, WebError, failure_answer};
use crate::state::AppState;
use crate::{api, assets, pages, security};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use domain::account::Role;
use std::collections::BTreeMap;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (login page, assets, the OpenAPI document).
    Public,
    /// Any logged-in account, family accounts included (log out, change password).
    Account,
    /// Roles that read the registry (everyone but family accounts).
    Read,
    /// Roles that import lists and run linkage.
    Import,
    /// Roles that decide review pairs.
    Review,
    /// Roles that see statistics and estimates.
    Statistics,
    /// Administrators.
    Admin,
}

impl Access {
    /// Whether an account with `role` passes.
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Account => true,
            Access::Read => role.may_read_registry(),
            Access::Import => role.may_import(),
            Access::Review => role.may_review(),
            Access::Statistics => role.may_see_statistics(),
            Access::Admin => role.is_admin(),
        }
    }
}

/// One route and its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path pattern, as axum writes it (`/persons/{id}`).
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

type Entry = (Rule, MethodRouter<AppState>);

fn rule(method: &'static str, path: &'static str, access: Access) -> Rule {
    Rule {
        method,
        path,
        access,
    }
}

fn entries() -> Vec<Entry> {
    use Access::*;
    vec![
        (rule("GET", "/assets/{name}", Public), get(assets::serve)),
        (
            rule("GET", "/login", Public),
            get(pages::account::login_form),
        ),
        (rule("POST", "/login", Public), post(pages::account::login)),
        (
            rule("GET", "/language/{code}", Public),
            get(pages::account::language),
        ),
        (
            rule("POST", "/logout", Account),
            post(pages::account::logout),
        ),
        (
            rule("GET", "/account/password", Account),
            get(pages::account::password_form),
        ),
        (
            rule("POST", "/account/password", Account),
            post(pages::account::change_password),
        ),
        (rule("GET", "/", Read), get(pages::dashboard::show)),
        (rule("GET", "/persons", Read), get(pages::persons::list)),
        (
            rule("GET", "/persons/{id}", Read),
            get(pages::persons::show),
        ),
        (rule("GET", "/sources", Read), get(pages::sources::list)),
        (
            rule("GET", "/sources/{id}", Read),
            get(pages::sources::show),
        ),
        (
            rule("GET", "/records/{id}", Read),
            get(pages::sources::record),
        ),
        (rule("GET", "/import", Import), get(pages::import::form)),
        (
            rule("POST", "/import", Import),
            post(pages::import::preview),
        ),
        (
            rule("POST", "/import/confirm", Import),
            post(pages::import::confirm),
        ),
        (rule("POST", "/link", Import), post(pages::review::link_now)),
        (rule("GET", "/review", Review), get(pages::review::queue)),
        (
            rule("GET", "/review/{id}", Review),
            get(pages::review::show),
        ),
        (
            rule("POST", "/review/{id}", Review),
            post(pages::review::decide),
        ),
        (
            rule("GET", "/statistics", Statistics),
            get(pages::statistics::show),
        ),
        (
            rule("GET", "/statistics/estimate.svg", Statistics),
            get(pages::statistics::plot),
        ),
        (rule("GET", "/audit", Admin), get(pages::audit::log)),
        (
            rule("POST", "/audit/verify", Admin),
            post(pages::audit::verify),
        ),
        (rule("GET", "/api/openapi.json", Public), get(api::openapi)),
        (rule("GET", "/api/v1/persons", Read), get(api::persons)),
        (rule("GET", "/api/v1/persons/{id}", Read), get(api::person)),
        (rule("GET", "/api/v1/search", Read), get(api::search)),
        (rule("GET", "/api/v1/sources", Read), get(api::sources)),
        (
            rule("GET", "/api/v1/sources/{id}/records", Read),
            get(api::source_records),
        ),
        (rule("GET", "/api/v1/records/{id}", Read), get(api::record)),
        (
            rule("GET", "/api/v1/review", Review),
            get(api::review_queue),
        ),
        (
            rule("POST", "/api/v1/review/{id}/decision", Review),
            post(api::decide),
        ),
    ]
}

/// The largest body any request but the import's upload may send: forms and JSON of a few
/// fields (a review note, a password). An anonymous login of 30 MB had been read and its name
/// written to the registry.
const FORM_BODY_LIMIT: usize = 64 * 1024;

/// Every route with its rule.
pub fn table() -> Vec<Rule> {
    entries().into_iter().map(|(rule, _)| rule).collect()
}

/// The app's router: every route behind its guard, security headers on every response, and
/// a 404 page for anything else.
pub(crate) fn router(state: AppState) -> Router {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    // Four times the upload limit for the import's upload: one over the limit is read to its
    // end (and dropped) up to here, so the browser sees the answer (`pages::import`). Every
    // other request is a form or a JSON body of a few fields.
    let upload_limit = state.config.max_upload_bytes.saturating_mul(4) + 64 * 1024;
    for (rule, handler) in entries() {
        let body_limit = if rule.path == "/import" {
            upload_limit
        } else {
            FORM_BODY_LIMIT
        };
        let guarded = handler
            .layer(axum::extract::DefaultBodyLimit::max(body_limit))
            .layer(from_fn_with_state((state.clone(), rule), guard));
        let merged = match by_path.remove(rule.path) {
            Some(existing) => existing.merge(guarded),
            None => guarded,
        };
        by_path.insert(rule.path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    router
        .fallback(not_found)
        .layer(from_fn(security::headers))
        .with_state(state)
}

/// Resolves the account behind the request and enforces the route's rule.
async fn guard(
    State((state, rule)): State<(AppState, Rule)>,
    mut request: Request,
    next: Next,
) -> Response {
    let audience = Audience::of_path(rule.path);
    let is_api = audience == Audience::Api;
    let current = match resolve(&state, request.headers(), is_api).await {
        Ok(current) => current,
        Err(error) if is_api => return ApiError(error).into_response(),
        Err(error) => return error.into_response(),
    };
    match (&current, rule.access) {
        (_, Access::Public) => {}
        (None, _) if is_api => {
            let body = serde_json::json!({
                "error": "send an API token: Authorization: Bearer <token> (whereabouts user token LOGIN)"
            });
            return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        }
        (None, _) => return login_redirect(&request),
        (Some(current), access) => {
            let changing_password = matches!(rule.path, "/account/password" | "/logout");
            if current.user.must_change_password && !changing_password && !is_api {
                return Redirect::to("/account/password").into_response();
            }
            if !access.allows(current.user.role) {
                return if is_api {
                    ApiError(WebError::Forbidden).into_response()
                } else {
                    WebError::Forbidden.into_response()
                };
            }
        }
    }
    if let Some(current) = current {
        request.extensions_mut().insert(current);
    }
    plain_refusal_answered(next.run(request).await, audience).await
}

/// The answer to a path no route has: the not-found page, or JSON under `/api/`.
async fn not_found(uri: axum::http::Uri) -> Response {
    if Audience::of_path(uri.path()) == Audience::Api {
        let message = "no such API path; /api/openapi.json lists them";
        return failure_answer(StatusCode::NOT_FOUND, message, Audience::Api);
    }
    WebError::NotFound.into_response()
}

/// The most of a plain-text refusal's text that is read to answer it again.
const REFUSAL_TEXT_LIMIT: usize = 4096;

/// axum refuses a request its extractors cannot read (a malformed query, form or JSON body, a
/// body over the limit, a path id that is not a number) with a plain-text 4xx, and a method a
/// path does not take with an empty 405. Such an answer becomes the app's own, with the same
/// status, text and `Allow` header: the error page, or `{"error": …}` under `/api/`, as the
/// API's documentation promises for every error.
async fn plain_refusal_answered(response: Response, audience: Audience) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_none_or(|value| value.starts_with("text/plain"));
    if !(plain && response.status().is_client_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, REFUSAL_TEXT_LIMIT).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => parts
            .status
            .canonical_reason()
            .unwrap_or("refused")
            .to_string(),
    };
    let mut answer = failure_answer(parts.status, &text, audience);
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

async fn resolve(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    is_api: bool,
) -> Result<Option<CurrentUser>, WebError> {
    if is_api {
        let Some(token) = bearer_token(headers) else {
            return Ok(None);
        };
        let user = state.store.api_token_user(&token_hash(&token)).await?;
        return Ok(user.map(|user| CurrentUser {
            user,
            csrf: None,
            session_hash: None,
        }));
    }
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let session = state.store.live_session(&hash).await?;
    Ok(session.map(|session| CurrentUser {
        user: session.user,
        csrf: Some(session.csrf_token),
        session_hash: Some(hash),
    }))
}

fn login_redirect(request: &Request) -> Response {
    if request.method() != Method::GET {
        return failure_answer(StatusCode::UNAUTHORIZED, "log in first", Audience::People);
    }
    let next = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let target = format!("/login?next={}", pages::url_encode(next));
    Redirect::to(&target).into_response()
}
