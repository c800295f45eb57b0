//! Logging in and out, changing one's password, and the language switch.

use crate::auth::{
    LOGIN_CSRF_COOKIE, MAX_FAILED_LOGINS, SESSION_COOKIE, THROTTLE_MINUTES, check_new_password,
    cookie, credentials_fit, hash_password, password_work, random_token, same_secret, set_cookie,
    token_hash, verify_password,
};
use crate::error::WebError;
use crate::i18n::{LANG_COOKIE, Lang};
use crate::pages::{CsrfForm, Ctx, local_path};
use crate::state::AppState;
use crate::views::{LoginPage, PasswordPage, page};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::UserChange;

#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Whether cookies must be `Secure`: configured, or the request came through TLS.
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

fn login_page(
    ctx: &Ctx,
    state: &AppState,
    headers: &HeaderMap,
    next: &str,
    error: Option<String>,
) -> Response {
    let token = random_token();
    let mut response = page(&LoginPage {
        chrome: ctx.chrome(),
        error,
        next: local_path(next),
        login_csrf: token.clone(),
    });
    if let Ok(value) = set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, secure(state, headers)).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) async fn login_form(
    ctx: Ctx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    login_page(
        &ctx,
        &state,
        &headers,
        query.next.as_deref().unwrap_or("/"),
        None,
    )
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
    /// Missing, it is refused as a wrong token (403), not as a malformed form.
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

pub(crate) async fn login(
    ctx: Ctx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(&expected, &form.csrf) {
        return Err(WebError::Csrf);
    }
    let next = form.next.as_deref().unwrap_or("/");
    let w = ctx.lang.words();
    let refuse = |status: StatusCode, message: &str| {
        let mut response = login_page(&ctx, &state, &headers, next, Some(message.to_string()));
        *response.status_mut() = status;
        response
    };
    if !credentials_fit(&form.login, &form.password) {
        return Ok(refuse(StatusCode::UNAUTHORIZED, w.bad_login));
    }
    if over_attempts(&state, &form.login).await? {
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, w.throttled));
    }
    let user = state.store.user_by_login(&form.login).await?;
    let password = form.password.clone();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // Verify even for unknown logins, so timing does not reveal which logins exist.
    let matches = password_work(&state.password_checks, move || {
        let phc = hash.unwrap_or_else(|| crate::auth::DUMMY_HASH.to_string());
        verify_password(&password, &phc)
    })
    .await?;
    let user = match user {
        Some(user) if matches && !user.disabled => user,
        _ => return Ok(refuse(StatusCode::UNAUTHORIZED, w.bad_login)),
    };
    state.store.clear_login_failures(&form.login).await?;
    let token = random_token();
    let expires = chrono::Utc::now() + chrono::Duration::hours(state.config.session_hours);
    // The session the browser had before this login ends with it.
    let replaced = cookie(&headers, SESSION_COOKIE).map(|old| token_hash(&old));
    state
        .store
        .create_session(
            user.id,
            &token_hash(&token),
            &random_token(),
            &expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            replaced.as_deref(),
        )
        .await?;
    tracing::info!(login = %user.login, "logged in");
    let target = if user.must_change_password {
        "/account/password".to_string()
    } else {
        local_path(next)
    };
    let max_age = state.config.session_hours * 3600;
    let session = set_cookie(SESSION_COOKIE, &token, max_age, secure(&state, &headers));
    let clear = set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure(&state, &headers));
    Ok((
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, clear)]),
        Redirect::to(&target),
    )
        .into_response())
}

/// Writes down an attempt to use `login`'s password and says whether it is one too many:
/// more than [`MAX_FAILED_LOGINS`] within [`THROTTLE_MINUTES`] (one too many is not kept).
/// The attempt is written before the password is checked (and the attempts cleared when it
/// matches), so requests arriving together each count the others: a hundred at once had all
/// been checked while the first were still being verified.
async fn over_attempts(state: &AppState, login: &str) -> Result<bool, WebError> {
    let since = (chrono::Utc::now() - chrono::Duration::minutes(THROTTLE_MINUTES))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Ok(!state
        .store
        .record_login_attempt(login, &since, MAX_FAILED_LOGINS)
        .await?)
}

pub(crate) async fn logout(
    ctx: Ctx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    user.check_csrf(&form.csrf)?;
    if let Some(hash) = &user.session_hash {
        state.store.end_session(hash).await?;
    }
    let clear = set_cookie(SESSION_COOKIE, "", 0, secure(&state, &headers));
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

pub(crate) async fn password_form(ctx: Ctx) -> Result<Response, WebError> {
    let must_change = ctx.user()?.user.must_change_password;
    Ok(page(&PasswordPage {
        chrome: ctx.chrome(),
        must_change,
        done: false,
        error: None,
    }))
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    /// Missing, it is refused as a wrong token (403), not as a malformed form.
    #[serde(default)]
    csrf: String,
    current: String,
    new_password: String,
}

pub(crate) async fn change_password(
    ctx: Ctx,
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?.clone();
    user.check_csrf(&form.csrf)?;
    let w = ctx.lang.words();
    let refuse = |error: String| {
        let mut response = page(&PasswordPage {
            chrome: ctx.chrome(),
            must_change: user.user.must_change_password,
            done: false,
            error: Some(error),
        });
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        response
    };
    if !credentials_fit(&user.user.login, &form.current) {
        return Ok(refuse(w.bad_login.to_string()));
    }
    if over_attempts(&state, &user.user.login).await? {
        return Ok(refuse(w.throttled.to_string()));
    }
    let (current, stored) = (form.current.clone(), user.user.password_hash.clone());
    if !password_work(&state.password_checks, move || {
        verify_password(&current, &stored)
    })
    .await?
    {
        return Ok(refuse(w.bad_login.to_string()));
    }
    state.store.clear_login_failures(&user.user.login).await?;
    if let Err(reason) = check_new_password(&form.new_password) {
        return Ok(refuse(reason));
    }
    let new_password = form.new_password.clone();
    let hash =
        password_work(&state.password_checks, move || hash_password(&new_password)).await??;
    let change = UserChange::Password {
        hash: &hash,
        must_change: false,
    };
    state
        .store
        .change_user(&user.user.login, change, &user.actor())
        .await?;
    // Changing the password ended every session; this one starts again at the login page.
    let clear = set_cookie(SESSION_COOKIE, "", 0, secure(&state, &headers));
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct BackQuery {
    back: Option<String>,
}

/// Remembers the chosen language in a cookie and goes back to the page the switch was on.
pub(crate) async fn language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<BackQuery>,
) -> Result<Response, WebError> {
    let lang = Lang::parse(&code).ok_or(WebError::NotFound)?;
    let cookie = set_cookie(
        LANG_COOKIE,
        lang.code(),
        365 * 24 * 3600,
        secure(&state, &headers),
    );
    let back = local_path(query.back.as_deref().unwrap_or("/"));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response())
}
