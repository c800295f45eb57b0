//! Every route × every role (and no login): each answers what the role may see. The
//! expectations are written out here, independently of the app's rules, and the test fails
//! when the app has a route this table does not know.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestApp, api_json, api_token, client, logged_in};
use domain::account::Role;
use reqwest::StatusCode;

/// Who may use a route, as this test expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anyone,
    AnyAccount,
    Readers,
    Importers,
    Reviewers,
    StatisticsReaders,
    Admins,
}

impl Who {
    fn allows(self, role: Role) -> bool {
        use Role::*;
        match self {
            Who::Anyone | Who::AnyAccount => true,
            Who::Readers => matches!(role, Admin | Investigator | Analyst | Viewer),
            Who::Importers => matches!(role, Admin | Investigator),
            Who::Reviewers => matches!(role, Admin | Investigator | Analyst),
            Who::StatisticsReaders => matches!(role, Admin | Investigator | Analyst | Viewer),
            Who::Admins => matches!(role, Admin),
        }
    }
}

fn expected(method: &str, path: &str) -> Option<Who> {
    use Who::*;
    Some(match (method, path) {
        ("GET", "/assets/{name}") | ("GET", "/login") | ("POST", "/login") => Anyone,
        ("GET", "/language/{code}") | ("GET", "/api/openapi.json") => Anyone,
        ("POST", "/logout") | ("GET", "/account/password") | ("POST", "/account/password") => {
            AnyAccount
        }
        ("GET", "/") | ("GET", "/persons") | ("GET", "/persons/{id}") => Readers,
        ("GET", "/sources") | ("GET", "/sources/{id}") | ("GET", "/records/{id}") => Readers,
        ("GET", "/import") | ("POST", "/import") | ("POST", "/import/confirm") => Importers,
        ("POST", "/link") => Importers,
        ("GET", "/review") | ("GET", "/review/{id}") | ("POST", "/review/{id}") => Reviewers,
        ("GET", "/statistics") | ("GET", "/statistics/estimate.svg") => StatisticsReaders,
        ("GET", "/audit") | ("POST", "/audit/verify") => Admins,
        ("GET", "/api/v1/persons") | ("GET", "/api/v1/persons/{id}") => Readers,
        ("GET", "/api/v1/search") | ("GET", "/api/v1/sources") => Readers,
        ("GET", "/api/v1/sources/{id}/records") | ("GET", "/api/v1/records/{id}") => Readers,
        ("GET", "/api/v1/review") | ("POST", "/api/v1/review/{id}/decision") => Reviewers,
        _ => return None,
    })
}

/// Real ids of things in the registry, to fill the path patterns.
struct Ids {
    person: String,
    review: String,
}

async fn ids(app: &TestApp) -> Ids {
    let token = api_token(Role::Admin);
    let persons: serde_json::Value = api_json(app, "/api/v1/persons", &token).await;
    let review: serde_json::Value = api_json(app, "/api/v1/review", &token).await;
    Ids {
        person: persons["persons"][0]["id"].to_string(),
        review: review[0]["id"].to_string(),
    }
}

fn concrete(path: &str, ids: &Ids) -> String {
    let path = path
        .replace("/assets/{name}", "/assets/app.css")
        .replace("/language/{code}", "/language/fa?back=/persons")
        .replace("/persons/{id}", &format!("/persons/{}", ids.person))
        .replace("/review/{id}", &format!("/review/{}", ids.review))
        .replace("{id}", "1");
    if path == "/api/v1/search" {
        return "/api/v1/search?q=a".to_string();
    }
    path
}

const FORGED: &str = "forged-token";

/// Sends the route's request as a logged-in page client (forms carry a forged CSRF token, so
/// a request that passes the guard is stopped by the CSRF check and changes nothing).
async fn page_request(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
) -> reqwest::Response {
    let url = format!("{base}{path}");
    match (method, path) {
        ("GET", _) => client.get(url).send().await.unwrap(),
        ("POST", "/import") => {
            let form = reqwest::multipart::Form::new()
                .text("csrf", FORGED)
                .text("source", "x")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(b"a,b\n1,2\n".to_vec()).file_name("x.csv"),
                );
            client.post(url).multipart(form).send().await.unwrap()
        }
        ("POST", "/import/confirm") => client
            .post(url)
            .form(&[
                ("csrf", FORGED),
                ("upload", "x"),
                ("source", "x"),
                ("map", ""),
            ])
            .send()
            .await
            .unwrap(),
        ("POST", review) if review.starts_with("/review/") => client
            .post(url)
            .form(&[("csrf", FORGED), ("decision", "same")])
            .send()
            .await
            .unwrap(),
        ("POST", "/account/password") => client
            .post(url)
            .form(&[("csrf", FORGED), ("current", "x"), ("new_password", "y")])
            .send()
            .await
            .unwrap(),
        ("POST", "/login") => client
            .post(url)
            .form(&[("csrf", FORGED), ("login", "admin"), ("password", "x")])
            .send()
            .await
            .unwrap(),
        _ => client
            .post(url)
            .form(&[("csrf", FORGED)])
            .send()
            .await
            .unwrap(),
    }
}

async fn api_request(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
) -> reqwest::Response {
    let client = client();
    let request = match method {
        "GET" => client.get(format!("{base}{path}")),
        _ => client
            .post(format!("{base}{path}"))
            .json(&serde_json::json!({ "decision": "maybe" })),
    };
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap()
}

/// What an allowed request must answer.
fn assert_allowed(method: &str, path: &str, status: StatusCode, body: &str, who: &str) {
    let what = format!("{who}: {method} {path} → {status}");
    if path.starts_with("/api/") {
        match method {
            "GET" => assert_eq!(status, StatusCode::OK, "{what}: {body}"),
            _ => assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}"),
        }
        return;
    }
    match method {
        "GET" if path.starts_with("/language/") => {
            assert_eq!(status, StatusCode::SEE_OTHER, "{what}")
        }
        "GET" => assert_eq!(status, StatusCode::OK, "{what}"),
        _ => {
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
            assert!(
                body.contains("did not come from this site"),
                "{what}: the CSRF check, not the role, must stop it: {body}"
            );
        }
    }
}

fn assert_refused(method: &str, path: &str, status: StatusCode, body: &str, who: &str) {
    let what = format!("{who}: {method} {path} → {status}");
    assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
    if !path.starts_with("/api/") {
        assert!(body.contains("may not see this page"), "{what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_its_rule_says() {
    let app = common::spawn(300, &[]).await;
    let ids = ids(&app).await;
    let rules = web::routes::table();
    let unknown: Vec<String> = rules
        .iter()
        .filter(|r| expected(r.method, r.path).is_none())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        unknown.is_empty(),
        "routes without an expectation in this test: {unknown:?}"
    );

    for role in Role::ALL {
        let pages = logged_in(&app, role.as_str()).await;
        for rule in &rules {
            let who = expected(rule.method, rule.path).unwrap();
            let path = concrete(rule.path, &ids);
            let response = if path.starts_with("/api/") {
                api_request(&app.base, rule.method, &path, Some(&api_token(*role))).await
            } else {
                page_request(&pages, &app.base, rule.method, &path).await
            };
            let status = response.status();
            let body = response.text().await.unwrap();
            if who.allows(*role) {
                assert_allowed(rule.method, &path, status, &body, role.as_str());
            } else {
                assert_refused(rule.method, &path, status, &body, role.as_str());
            }
        }
    }

    let anonymous = client();
    for rule in &rules {
        let who = expected(rule.method, rule.path).unwrap();
        let path = concrete(rule.path, &ids);
        let response = if path.starts_with("/api/") {
            api_request(&app.base, rule.method, &path, None).await
        } else {
            page_request(&anonymous, &app.base, rule.method, &path).await
        };
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let body = response.text().await.unwrap();
        let what = format!("no login: {} {path} → {status}", rule.method);
        match (who, rule.method) {
            (Who::Anyone, _) => assert_allowed(rule.method, &path, status, &body, "no login"),
            _ if path.starts_with("/api/") => {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}")
            }
            (_, "GET") => {
                assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
                assert!(
                    location.unwrap_or_default().starts_with("/login?next="),
                    "{what}"
                );
            }
            _ => assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_page_warns_while_pairs_await_review() {
    let app = common::spawn(300, &[]).await;
    let store = store::Store::open(&app.dir.path().join("registry"))
        .await
        .unwrap();
    let pending = store.pending_review_pairs().await.unwrap();
    store.close().await;
    assert!(
        pending > 0,
        "the test registry should leave pairs to review"
    );
    let analyst = logged_in(&app, "analyst").await;
    let page = common::page_text(&app, &analyst, "/statistics").await;
    assert!(
        page.contains(&format!("{pending} pairs of records still await review")),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistics_page_names_records_imported_since_the_last_link() {
    let app = common::spawn(300, &[]).await;
    let analyst = logged_in(&app, "analyst").await;
    let before = common::page_text(&app, &analyst, "/statistics").await;
    assert!(!before.contains("not yet linked"), "{before}");
    let late = app.dir.path().join("late.csv");
    std::fs::write(
        &late,
        "record_id,given_name,surname\nx1,Ali,Karimi\nx2,Sara,Rezaei\n",
    )
    .unwrap();
    let store = store::Store::open(&app.dir.path().join("registry"))
        .await
        .unwrap();
    common::import_file(&store, &late, "late-list").await;
    store.close().await;
    let after = common::page_text(&app, &analyst, "/statistics").await;
    assert!(
        after.contains("records not yet linked are not counted (2 of `late-list`)"),
        "{after}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_the_server_fails_shows_no_server_path() {
    let app = common::spawn(20, &[]).await;
    let admin = logged_in(&app, "admin").await;
    let preview =
        upload_preview(&app, &admin, "late.csv", b"record_id,given_name\nx1,Reza\n").await;
    // The registry's file area is replaced by a plain file: storing the list fails.
    let files = app.dir.path().join("registry").join("files");
    std::fs::remove_dir_all(&files).unwrap();
    std::fs::write(&files, b"not a folder").unwrap();
    let response = confirm_upload(&app, &admin, &preview).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("the error is in its log"), "{page}");
    let folder = app.dir.path().to_string_lossy().to_string();
    assert!(
        !page.contains(&folder),
        "the page names a server folder: {page}"
    );
}

/// Uploads `bytes` as the file `name` to the import page, as the source "late list", and
/// returns the preview page.
async fn upload_preview(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    bytes: &[u8],
) -> String {
    let csrf = common::session_csrf(app, client).await;
    let upload = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("source", "late list")
        .text("map", "")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    client
        .post(format!("{}/import", app.base))
        .multipart(upload)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Confirms the upload a preview page holds.
async fn confirm_upload(
    app: &TestApp,
    client: &reqwest::Client,
    preview: &str,
) -> reqwest::Response {
    let csrf = common::session_csrf(app, client).await;
    client
        .post(format!("{}/import/confirm", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("upload", common::field_value(preview, "upload").as_str()),
            ("source", "late list"),
            ("map", ""),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_names_rows_skipped_and_dates_kept_with_a_warning() {
    let app = common::spawn(20, &[]).await;
    let admin = logged_in(&app, "admin").await;
    let list = b"record_id,given_name,arrest_date\nx1,Reza,1367-05-10\n,,\nx2,Sara,2099-01-01\n";
    let preview = upload_preview(&app, &admin, "notes.csv", list).await;
    assert!(preview.contains("id=\"preview-notes\""), "{preview}");
    for note in [
        "1 records have dates that cannot all be true",
        "1 rows had nothing in them and are skipped",
    ] {
        assert!(preview.contains(note), "{note}: {preview}");
    }
    let done = confirm_upload(&app, &admin, &preview).await;
    assert_eq!(done.status(), StatusCode::OK);
    let page = done.text().await.unwrap();
    assert!(
        page.contains("id=\"import-notes\"") && page.contains("1 records have dates"),
        "{page}"
    );
}
