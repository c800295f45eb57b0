//! The test harness: a registry filled with synthetic lists (imported and linked the way the
//! app does it), one account per role, and the real app serving it on a free port.
#![allow(dead_code, clippy::unwrap_used)]

use domain::account::Role;
use domain::actor::Actor;
use domain::source::{NewSource, Reliability, SourceKind};
use std::path::Path;
use store::accounts::NewUser;
use store::{DuplicateFile, Store};

/// Every account's password in the test registry (one account per role, named after it).
pub const PASSWORD: &str = "correct horse battery staple";

/// The API token of the account with this role.
pub fn api_token(role: Role) -> String {
    format!("test-token-of-{}", role.as_str())
}

/// A running app over a synthetic registry.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The registry folder (removed when the app is dropped).
    pub dir: tempfile::TempDir,
}

/// Imports a CSV file as a source named `source`.
pub async fn import_file(store: &Store, path: &Path, source: &str) {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let list = import::read_list(&name, &bytes, &import::ReadOptions::default()).unwrap();
    let source = NewSource {
        name: source.to_string(),
        kind: SourceKind::List,
        reliability: Reliability::Unknown,
        calendar: None,
        file_sha256: None,
        file_name: Some(name),
    };
    pipeline::import::store_list(
        store,
        &list,
        &bytes,
        source,
        DuplicateFile::Refuse,
        &Actor::system(),
        &|_| {},
    )
    .await
    .unwrap();
}

/// A registry in `root` with `persons` synthetic persons over 3 lists, linked, plus extra
/// lists (already written CSV files) and one account per role.
pub async fn registry(root: &Path, persons: u64, extra: &[(&Path, &str)]) -> Store {
    let store = Store::init(&root.join("registry")).await.unwrap();
    let lists = root.join("lists");
    let config = synth::SynthConfig {
        persons,
        sources: 3,
        seed: 7,
        ..synth::SynthConfig::default()
    };
    synth::write_lists(&config, &lists).unwrap();
    for k in 1..=3 {
        import_file(
            &store,
            &lists.join(format!("source_{k}.csv")),
            &format!("source_{k}"),
        )
        .await;
    }
    for (path, source) in extra {
        import_file(&store, path, source).await;
    }
    pipeline::link::link_registry(&store, pipeline::link::DEFAULT_THRESHOLD, &Actor::system())
        .await
        .unwrap();
    let hash = web::auth::hash_password(PASSWORD).unwrap();
    for role in Role::ALL {
        let user = NewUser {
            login: role.as_str().to_string(),
            role: *role,
            password_hash: hash.clone(),
            must_change_password: false,
        };
        store.create_user(&user, &Actor::system()).await.unwrap();
        let token = api_token(*role);
        let hash = web::auth::token_hash(&token);
        store
            .create_api_token(role.as_str(), &hash, "tests", &Actor::system())
            .await
            .unwrap();
    }
    store
}

/// Starts the app over a fresh registry.
pub async fn spawn(persons: u64, extra: &[(&Path, &str)]) -> TestApp {
    spawn_with(persons, extra, web::WebConfig::default()).await
}

/// Starts the app over a fresh registry with these settings.
pub async fn spawn_with(persons: u64, extra: &[(&Path, &str)], config: web::WebConfig) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = registry(dir.path(), persons, extra).await;
    let server = web::Server::bind(store, "127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap();
    let base = format!("http://{}", server.addr());
    tokio::spawn(server.run());
    TestApp { base, dir }
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of `name="csrf"` in a page.
pub fn csrf_of(html: &str) -> String {
    field_value(html, "csrf")
}

/// The value of the form field `name` in a page.
pub fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("the page has a field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Sends the login form as `client` would: reads the login form's token (a client already
/// logged in also has the logout form's on the page), then posts `login` and `password` with it.
pub async fn send_login(
    client: &reqwest::Client,
    base: &str,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let form = client.get(format!("{base}/login")).send().await.unwrap();
    let page = form.text().await.unwrap();
    let login_form = page
        .split("action=\"/login\"")
        .nth(1)
        .expect("the page has the login form");
    let csrf = csrf_of(login_form);
    client
        .post(format!("{base}/login"))
        .form(&[
            ("login", login),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// A client logged in as `login`.
pub async fn logged_in(app: &TestApp, login: &str) -> reqwest::Client {
    let client = client();
    let response = send_login(&client, &app.base, login, PASSWORD).await;
    assert_eq!(response.status(), 303, "logging in as {login}");
    client
}

/// The body of a page, as this client sees it.
pub async fn page_text(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The CSRF token of a logged-in client's session (read from the dashboard or the password page).
pub async fn session_csrf(app: &TestApp, client: &reqwest::Client) -> String {
    csrf_of(&page_text(app, client, "/account/password").await)
}

/// GETs an API path with a bearer token and reads the JSON answer.
pub async fn api_json(app: &TestApp, path: &str, token: &str) -> serde_json::Value {
    client()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
