//! Bad input and attacks: oversized uploads, forged CSRF tokens, markup in names, unknown ids,
//! login throttling, sessions, refusals of requests the app cannot read, security headers, and
//! no address of another host in any page.
#![allow(clippy::unwrap_used)]

mod common;

use common::{PASSWORD, api_json, api_token, client, csrf_of, logged_in, send_login, session_csrf};
use domain::account::Role;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_upload_is_refused_with_the_limit_named() {
    let config = web::WebConfig {
        max_upload_bytes: 1024 * 1024,
        ..web::WebConfig::default()
    };
    let app = common::spawn_with(100, &[], config).await;
    let investigator = logged_in(&app, "investigator").await;
    let csrf = session_csrf(&app, &investigator).await;
    let big = "record_id,given_name\n".to_string() + &"1,x\n".repeat(800_000);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("source", "huge")
        .part(
            "file",
            reqwest::multipart::Part::bytes(big.into_bytes()).file_name("huge.csv"),
        );
    let response = investigator
        .post(format!("{}/import", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = response.text().await.unwrap();
    assert!(body.contains("larger than the limit of 1 MB"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_csrf_tokens_change_nothing() {
    let app = common::spawn(200, &[]).await;
    let analyst = logged_in(&app, "analyst").await;
    let queue: serde_json::Value =
        api_json(&app, "/api/v1/review", &api_token(Role::Analyst)).await;
    let pair = queue[0]["id"].as_i64().unwrap();
    let real = session_csrf(&app, &analyst).await;
    for forged in ["", "0000", &real[..real.len() - 1]] {
        let response = analyst
            .post(format!("{}/review/{pair}", app.base))
            .form(&[("csrf", forged), ("decision", "same")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "token {forged:?}");
    }
    let without_token = analyst
        .post(format!("{}/review/{pair}", app.base))
        .form(&[("decision", "same")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        without_token.status(),
        StatusCode::FORBIDDEN,
        "a missing token is a wrong token"
    );
    let still: serde_json::Value =
        api_json(&app, "/api/v1/review", &api_token(Role::Analyst)).await;
    assert_eq!(
        still[0]["id"].as_i64(),
        Some(pair),
        "the pair is still undecided"
    );

    let response = analyst
        .post(format!("{}/review/{pair}", app.base))
        .form(&[("csrf", real.as_str()), ("decision", "same")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the real token works"
    );
    let after: serde_json::Value =
        api_json(&app, "/api/v1/review", &api_token(Role::Analyst)).await;
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"].as_i64() != Some(pair))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_names_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("hostile.csv");
    std::fs::write(
        &list,
        "record_id,given_name,surname,prison\n\
         h1,<script>alert(1)</script>,<img src=x onerror=alert(2)>,\"<b>Evin</b>\"\n",
    )
    .unwrap();
    let app = common::spawn(100, &[(list.as_path(), "hostile")]).await;
    let viewer = logged_in(&app, "viewer").await;
    let found: serde_json::Value =
        api_json(&app, "/api/v1/search?q=alert", &api_token(Role::Viewer)).await;
    let person = found["persons"][0]["id"]
        .as_i64()
        .expect("the hostile record is found");
    for path in [
        format!("/persons/{person}"),
        "/persons?q=alert".to_string(),
        "/persons".to_string(),
        "/sources".to_string(),
    ] {
        let page = viewer
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains("<script>alert"),
            "{path} runs the name as script"
        );
        assert!(
            !page.contains("<img src=x"),
            "{path} renders the name as markup"
        );
        assert!(
            !page.contains("<b>Evin"),
            "{path} renders the prison as markup"
        );
        if path.starts_with("/persons/") {
            assert!(
                page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
                "{path} shows the name as text"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_past_the_deepest_one_is_refused_with_what_to_do() {
    let app = common::spawn(20, &[]).await;
    let viewer = logged_in(&app, "viewer").await;
    let response = viewer
        .get(format!("{}/persons?q=a&page=4294967295", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.text().await.unwrap().contains("narrow the search"));
    let last = viewer
        .get(format!("{}/persons?page=2000", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(last.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_get_a_not_found_page() {
    let app = common::spawn(100, &[]).await;
    let viewer = logged_in(&app, "viewer").await;
    for path in [
        "/persons/999999999",
        "/persons/abc",
        "/persons/-1",
        "/records/0",
        "/sources/77777",
        "/no/such/page",
    ] {
        let response = viewer
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            response.text().await.unwrap().contains("Not found"),
            "{path}"
        );
    }
    let api = client()
        .get(format!("{}/api/v1/persons/999999999", app.base))
        .bearer_auth(api_token(Role::Viewer))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(body["error"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_lock_the_login_for_a_while() {
    let app = common::spawn(50, &[]).await;
    let browser = client();
    let attempt = async |password: &str| {
        send_login(&browser, &app.base, "viewer", password)
            .await
            .status()
    };
    for _ in 0..5 {
        assert_eq!(attempt("wrong password!!").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        attempt(PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password is refused while the login is throttled"
    );
    logged_in(&app, "analyst").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_sent_together_are_throttled_as_if_sent_in_turn() {
    let app = common::spawn(50, &[]).await;
    let attempts: Vec<_> = (0..20)
        .map(|i| {
            let base = app.base.clone();
            tokio::spawn(async move {
                let password = format!("wrong password {i}");
                send_login(&client(), &base, "viewer", &password)
                    .await
                    .status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, throttled), (5, 15), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_logins_and_bodies_are_refused_before_the_registry_is_asked() {
    let app = common::spawn(50, &[]).await;
    let browser = client();
    let long_login = "L".repeat(200);
    let refused = send_login(&browser, &app.base, &long_login, "x").await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let huge_login = "L".repeat(100_000);
    let too_large = send_login(&browser, &app.base, &huge_login, "x").await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_current_passwords_are_throttled_like_logins() {
    let app = common::spawn(50, &[]).await;
    let viewer = logged_in(&app, "viewer").await;
    let change = async |current: &str| {
        let csrf = session_csrf(&app, &viewer).await;
        let response = viewer
            .post(format!("{}/account/password", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", current),
                ("new_password", "a new password long enough"),
            ])
            .send()
            .await
            .unwrap();
        response.text().await.unwrap()
    };
    for _ in 0..5 {
        assert!(
            change("wrong password!!")
                .await
                .contains("Wrong login or password")
        );
    }
    assert!(
        change(PASSWORD).await.contains("Too many failed logins"),
        "the right password is refused while the account is throttled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_load_nothing_from_other_hosts() {
    let app = common::spawn(100, &[]).await;
    let admin = logged_in(&app, "admin").await;
    for path in [
        "/login",
        "/",
        "/persons",
        "/statistics",
        "/review",
        "/import",
        "/audit",
    ] {
        let response = admin
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        let page = response.text().await.unwrap();
        for attribute in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(http",
            "@import",
        ] {
            assert!(
                !page.contains(attribute),
                "{path} refers to another host: {attribute}"
            );
        }
        assert!(!page.contains("<script>"), "{path} has an inline script");
    }
    let css = admin
        .get(format!("{}/assets/app.css", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !css.contains("http"),
        "the stylesheet loads nothing from elsewhere"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookies_are_http_only_and_strict_and_secure_behind_tls() {
    let app = common::spawn(50, &[]).await;
    let browser = client();
    let form = browser
        .get(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&form.text().await.unwrap());
    let response = browser
        .post(format!("{}/login", app.base))
        .header("x-forwarded-proto", "https")
        .form(&[("login", "viewer"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("whereabouts_session="))
        .expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(part), "{session} lacks {part}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_again_ends_the_session_the_browser_had() {
    use reqwest::cookie::CookieStore;
    let app = common::spawn(50, &[]).await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url: reqwest::Url = app.base.parse().unwrap();
    let session = || {
        let cookies = jar.cookies(&url).unwrap();
        let cookies = cookies.to_str().unwrap();
        cookies
            .split("; ")
            .find(|c| c.starts_with("whereabouts_session="))
            .unwrap()
            .to_string()
    };
    let home_with = async |cookie: &str| {
        client()
            .get(format!("{}/", app.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .status()
    };
    let log_in = async || {
        let response = send_login(&browser, &app.base, "viewer", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        session()
    };
    let first = log_in().await;
    assert_eq!(home_with(&first).await, StatusCode::OK);
    let second = log_in().await;
    assert_ne!(first, second);
    assert_eq!(
        home_with(&first).await,
        StatusCode::SEE_OTHER,
        "the session logged in over has ended"
    );
    assert_eq!(home_with(&second).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_the_app_cannot_read_are_answered_as_its_own_errors() {
    let app = common::spawn(50, &[]).await;
    let token = api_token(Role::Investigator);
    let unreadable = [
        client().get(format!("{}/api/v1/search", app.base)),
        client().get(format!("{}/api/v1/persons/not-a-number", app.base)),
        client().get(format!("{}/api/v1/no-such-thing", app.base)),
        client().delete(format!("{}/api/v1/persons", app.base)),
        client()
            .post(format!("{}/api/v1/review/1/decision", app.base))
            .header("content-type", "application/json")
            .body("{\"decision\": "),
    ];
    for request in unreadable {
        let response = request.bearer_auth(&token).send().await.unwrap();
        let status = response.status();
        assert!(status.is_client_error(), "{status}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(
                response.headers().contains_key("allow"),
                "405 names the methods"
            );
        }
        let body: serde_json::Value = response.json().await.unwrap();
        let error = body["error"].as_str().unwrap_or_default();
        assert!(!error.is_empty(), "{status}: {body}");
    }
    let viewer = logged_in(&app, "viewer").await;
    let page = viewer
        .get(format!("{}/persons?page=first", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\">Failed to deserialize query string"),
        "the error page says what could not be read: {html}"
    );
    let not_logged_in = client()
        .post(format!("{}/logout", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(not_logged_in.status(), StatusCode::UNAUTHORIZED);
    assert!(not_logged_in.text().await.unwrap().contains("log in first"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_finds_a_persian_name_written_with_arabic_letters() {
    let app = common::spawn(300, &[]).await;
    let viewer = api_token(Role::Viewer);
    let page: serde_json::Value = api_json(&app, "/api/v1/persons", &viewer).await;
    let persian = page["persons"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["names"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |n| (p["id"].as_i64(), n.as_str().unwrap().to_string()))
        })
        .find(|(_, n)| n.contains('ی') || n.contains('ک'))
        .expect("a Persian name with ی or ک");
    let arabic = persian.1.replace('ی', "ي").replace('ک', "ك");
    let url = reqwest::Url::parse_with_params(
        &format!("{}/api/v1/search", app.base),
        &[("q", arabic.as_str())],
    )
    .unwrap();
    let mut found = Vec::new();
    let mut page_number = 1;
    loop {
        let mut url = url.clone();
        url.query_pairs_mut()
            .append_pair("page", &page_number.to_string());
        let result: serde_json::Value = client()
            .get(url)
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        found.extend(
            result["persons"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["id"].as_i64()),
        );
        if !result["has_more"].as_bool().unwrap() {
            break;
        }
        page_number += 1;
    }
    assert!(
        found.contains(&persian.0.unwrap()),
        "searching {arabic:?} finds the person named {:?}",
        persian.1
    );

    let openapi: serde_json::Value = client()
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/persons",
        "/api/v1/persons/{id}",
        "/api/v1/search",
        "/api/v1/review/{id}/decision",
    ] {
        assert!(
            openapi["paths"][path].is_object(),
            "the OpenAPI document describes {path}"
        );
    }
    assert!(openapi["components"]["securitySchemes"]["bearer"].is_object());
}
