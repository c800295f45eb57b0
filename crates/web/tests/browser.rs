#![allow(clippy::unwrap_used)]
//! Browser tests: the real app in headless Chromium, driven through chromedriver (started
//! here on a free port). They cover what the HTTP tests cannot see: forms filled and
//! submitted by a browser, the keyboard shortcut on the review page, a file chosen in a
//! file input, and the Persian layout actually drawn right to left. Each page visited is
//! saved as a PNG in `target/screenshots/` for a human to look at.
//!
//! Chromium and chromedriver come from the Debian packages `chromium` and `chromium-driver`;
//! `./scripts/test` installs them. When they are missing the test fails saying so: it never
//! skips itself.

mod common;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// How long a page may take to show what a step waits for.
const WAIT: Duration = Duration::from_secs(30);

/// Persons in the test registry: enough for a review queue and a page of search results.
const PERSONS: u64 = 600;

/// A chromedriver process on a free port, killed with everything it started when dropped
/// (also when the test panics), so no browser outlives the test.
struct Chromedriver {
    child: Child,
    port: u16,
    /// Holds chromedriver's log, quoted when it does not start.
    log_dir: tempfile::TempDir,
}

impl Chromedriver {
    async fn start() -> Self {
        for (path, package) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing (Debian package `{package}`): run ./scripts/test, which \
                 installs chromium and chromium-driver before running the tests"
            );
        }
        let port = free_port();
        let log_dir = tempfile::tempdir().unwrap();
        let log = log_dir.path().join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that Drop can end the browsers it starts too.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}; run ./scripts/test"));
        let mut driver = Chromedriver {
            child,
            port,
            log_dir,
        };
        driver.wait_until_ready().await;
        driver
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_dir.path().join("chromedriver.log")).unwrap_or_default()
    }

    async fn wait_until_ready(&mut self) {
        let status = format!("{}/status", self.url());
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                panic!(
                    "{CHROMEDRIVER} exited at start ({exit}); run ./scripts/test to reinstall \
                     chromium-driver. Its log:\n{}",
                    self.log()
                );
            }
            if let Ok(response) = http.get(&status).send().await
                && response.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{CHROMEDRIVER} did not answer on port {} within {WAIT:?}. Its log:\n{}",
                self.port,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A headless Chromium session (English, so the pages start in the app's default language).
    async fn session(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    // CI runs as root, where Chromium's sandbox refuses to start.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    "--lang=en-US",
                ],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start {CHROMIUM}: {e}; run ./scripts/test to \
                     reinstall chromium and chromium-driver. chromedriver's log:\n{}",
                    self.log()
                )
            })
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any Chromium left behind by a failed session.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `target/screenshots/` at the workspace root.
fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// Polls `check` until it gives a value or `WAIT` passes; `what` names the wait in the panic.
/// Errors while polling (an element replaced by a page load) count as "not yet".
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, fantoccini::error::CmdError>>,
{
    let deadline = Instant::now() + WAIT;
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(value)) => return value,
            Ok(None) => {}
            Err(error) => last_error = Some(error),
        }
        assert!(
            Instant::now() < deadline,
            "waited {WAIT:?} for {what}; last error: {last_error:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The browser pointed at the app, with the steps the scenario is made of.
struct Browser {
    client: Client,
    app: Arc<common::TestApp>,
    screenshots: PathBuf,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.app.base))
            .await
            .unwrap();
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no `{css}` on {}: {e}", self.path().await),
        }
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_string()
    }

    /// Waits until the browser's path and query satisfy `is_there`.
    async fn wait_for_url(&self, what: &str, is_there: impl Fn(&str, &str) -> bool) -> String {
        eventually(what, || async {
            let url = self.client.current_url().await?;
            Ok(is_there(url.path(), url.query().unwrap_or("")).then(|| url.path().to_string()))
        })
        .await
    }

    async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        assert!(
            png.starts_with(b"\x89PNG"),
            "the screenshot {name} is a PNG"
        );
        std::fs::write(self.screenshots.join(format!("{name}.png")), png).unwrap();
    }

    /// Logs in through the form and waits for the dashboard.
    async fn log_in(&self, login: &str) {
        self.goto("/login").await;
        self.find("#login").await.send_keys(login).await.unwrap();
        self.find("#password")
            .await
            .send_keys(common::PASSWORD)
            .await
            .unwrap();
        self.find("#login-submit").await.click().await.unwrap();
        self.wait_for_url(
            &format!("the dashboard after logging in as {login}"),
            |path, _| path == "/",
        )
        .await;
        let who = self.find("header.top .who bdi").await.text().await.unwrap();
        assert_eq!(who, login, "the header names the account logged in");
    }

    async fn log_out(&self) {
        self.client.delete_all_cookies().await.unwrap();
    }

    /// Texts of the elements matching `css`, read in one script so a page swap cannot
    /// leave half of them stale.
    async fn texts(&self, css: &str) -> Vec<String> {
        let script = format!(
            "return Array.from(document.querySelectorAll({})).map(e => e.textContent.trim());",
            serde_json::to_string(css).unwrap()
        );
        serde_json::from_value(self.js(&script).await).unwrap()
    }

    async fn document_lang_dir(&self) -> (String, String) {
        let value = self
            .js("return [document.documentElement.lang, document.documentElement.dir];")
            .await;
        serde_json::from_value(value).unwrap()
    }

    /// Clicks the language switch and waits until the page is in `code`.
    async fn switch_language(&self, code: &str) {
        let before = self.path().await;
        self.find("#lang-switch").await.click().await.unwrap();
        eventually(&format!("the page in language {code}"), || async {
            let value = self
                .client
                .execute("return document.documentElement.lang;", vec![])
                .await?;
            Ok((value == code).then_some(()))
        })
        .await;
        assert_eq!(
            self.path().await,
            before,
            "switching the language stays on the page"
        );
    }
}

fn is_persian(text: &str) -> bool {
    text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// Persian ye and keheh written the Arabic way, as many keyboards and old lists do.
fn arabic_letters(text: &str) -> String {
    text.replace('ی', "ي").replace('ک', "ك")
}

/// A CSV list whose second row has an impossible Solar Hijri date.
const BAD_CSV: &str = "record_id,given_name,surname,birth_year,execution_date
B-1,Hamid,Karimi,1340,1367/05/12
B-2,Reza,Tehrani,1342,1367/13/45
B-3,Ali,Moradi,1338,1367/06/01
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_works_in_a_real_browser_in_both_languages() {
    let started = Instant::now();
    let driver = Chromedriver::start().await;
    let app = Arc::new(common::spawn(PERSONS, &[]).await);
    let client = driver.session().await;
    let browser = Browser {
        client: client.clone(),
        app,
        screenshots: screenshot_dir(),
    };
    // The scenario runs as its own task so that a failed step still closes the browser
    // session below before the panic is passed on.
    let outcome = tokio::spawn(scenario(browser)).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
    eprintln!(
        "browser scenario took {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        screenshot_dir().display()
    );
}

async fn scenario(browser: Browser) {
    // The login page, then the dashboard through the login form.
    browser.goto("/login").await;
    browser.find("#login-submit").await;
    browser.shot("01-login").await;
    browser.log_in("investigator").await;
    browser.find("main h1").await;
    browser.shot("02-dashboard").await;

    search_in_arabic_letters_and_open_the_person(&browser).await;
    import_shows_the_bad_row(&browser).await;

    browser.goto("/statistics").await;
    browser.find("main h1").await;
    browser.shot("08-statistics").await;

    browser.log_out().await;
    decide_a_pair_with_the_keyboard(&browser).await;
}

/// Searches a Persian name typed with Arabic yeh and kaf, opens the person, and switches the
/// person page to Persian, which must be laid out right to left.
async fn search_in_arabic_letters_and_open_the_person(browser: &Browser) {
    browser.goto("/persons").await;
    browser.find("a.person-link").await;
    let shown = browser.texts("a.person-link bdi").await;
    let persian: Vec<&String> = shown.iter().filter(|n| is_persian(n)).collect();
    // A name with ی or ک, so that the query really differs from what is stored.
    let name = persian
        .iter()
        .find(|n| arabic_letters(n) != n.as_str())
        .or(persian.first())
        .unwrap_or_else(|| panic!("no Persian name on the first page of /persons: {shown:?}"))
        .to_string();
    let query = arabic_letters(&name);
    assert_ne!(
        query, name,
        "the first page of /persons has a Persian name with ی or ک"
    );

    let q = browser.find("#q").await;
    q.clear().await.unwrap();
    q.send_keys(&query).await.unwrap();
    browser.find("#search-submit").await.click().await.unwrap();
    browser
        .wait_for_url("the search results page", |path, query| {
            path == "/persons" && query.contains("q=")
        })
        .await;
    let results = eventually("search results", || async {
        let texts = browser.texts("a.person-link").await;
        Ok((!texts.is_empty()).then_some(texts))
    })
    .await;
    assert!(
        results.iter().any(|r| r.contains(&name)),
        "searching `{query}` (Arabic letters) finds `{name}`; results: {results:?}"
    );
    let echoed = browser.find("#q").await.prop("value").await.unwrap();
    assert_eq!(
        echoed.as_deref(),
        Some(query.as_str()),
        "the query stays in the box"
    );
    browser.shot("03-persons-search").await;

    // The person page, in English then in Persian.
    let index = results.iter().position(|r| r.contains(&name)).unwrap();
    let links = browser
        .client
        .find_all(Locator::Css("a.person-link"))
        .await
        .unwrap();
    links[index].click().await.unwrap();
    let path = browser
        .wait_for_url("the person page", |path, _| path.starts_with("/persons/"))
        .await;
    let title = browser.find("#person-name").await.text().await.unwrap();
    assert!(!title.trim().is_empty(), "{path} shows the person's name");
    assert_eq!(
        browser.document_lang_dir().await,
        ("en".to_string(), "ltr".to_string()),
        "the person page starts in English"
    );
    browser.shot("04-person-en").await;

    browser.switch_language("fa").await;
    assert_eq!(
        browser.document_lang_dir().await,
        ("fa".to_string(), "rtl".to_string()),
        "the Persian page is marked right to left"
    );
    let title_fa = browser.find("#person-name").await.text().await.unwrap();
    assert!(
        !title_fa.trim().is_empty(),
        "{path} in Persian shows the name"
    );
    let layout = browser
        .js(
            "const r = document.querySelector('header.top .brand').getBoundingClientRect();
             return [r.left, r.right, document.documentElement.clientWidth];",
        )
        .await;
    let [left, right, width]: [f64; 3] = serde_json::from_value(layout).unwrap();
    assert!(
        left > width / 2.0,
        "in Persian the brand sits on the right: its box is {left}..{right} of {width} px"
    );
    browser.shot("05-person-fa").await;

    browser.switch_language("en").await;
    assert_eq!(
        browser.document_lang_dir().await.1,
        "ltr",
        "back in English"
    );
}

/// Uploads a list with an impossible date through the import form; the preview names the row
/// and the column.
async fn import_shows_the_bad_row(browser: &Browser) {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad_dates.csv");
    std::fs::write(&csv, BAD_CSV).unwrap();

    browser.goto("/import").await;
    browser
        .find("#file")
        .await
        .send_keys(&csv.display().to_string())
        .await
        .unwrap();
    browser
        .find("#source")
        .await
        .send_keys("browser test list")
        .await
        .unwrap();
    browser.find("#preview-import").await.click().await.unwrap();
    browser.find("#problems").await;
    let rows: Vec<Vec<String>> = serde_json::from_value(
        browser
            .js(
                "return Array.from(document.querySelectorAll('#problems tbody tr'))
                   .map(tr => Array.from(tr.cells).map(td => td.textContent.trim()));",
            )
            .await,
    )
    .unwrap();
    assert!(
        rows.iter()
            .any(|cells| cells.get(1).map(String::as_str) == Some("2")
                && cells.get(2).map(String::as_str) == Some("execution_date")),
        "the problems table names row 2, column execution_date; it shows {rows:?}"
    );
    assert!(
        browser
            .client
            .find(Locator::Id("confirm-import"))
            .await
            .is_err(),
        "a list with problems cannot be confirmed"
    );
    browser.shot("06-import-errors").await;
}

/// As an analyst, opens the first pair of the review queue and decides it with the `s` key.
async fn decide_a_pair_with_the_keyboard(browser: &Browser) {
    browser.log_in("analyst").await;
    browser.goto("/review").await;
    let open = browser.find("a.review-open").await;
    let href = open.attr("href").await.unwrap().unwrap();
    let pair = href.trim_start_matches("/review/").to_string();
    assert!(
        pair.parse::<i64>().is_ok(),
        "a queue link is /review/ID: {href}"
    );
    browser.shot("07-review-queue").await;
    open.click().await.unwrap();
    browser
        .wait_for_url("the review pair page", |path, _| path == href)
        .await;
    browser.find("#decide-same").await;
    browser.shot("07-review-pair").await;

    // The shortcut, pressed on the page (not in a field): `s` means same.
    let keys = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: 's' })
        .then(KeyAction::Up { value: 's' });
    browser.client.perform_actions(keys).await.unwrap();
    let landed = browser
        .wait_for_url("the page after the decision", |path, _| path != href)
        .await;
    assert!(
        landed.starts_with("/review"),
        "after deciding, the browser shows the next pair or the queue, not {landed}"
    );

    let http = common::logged_in(&browser.app, "analyst").await;
    let queue = http
        .get(format!("{}/review", browser.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !queue.contains(&format!("href=\"{href}\"")),
        "pair {pair} was decided, so the queue no longer lists it"
    );
    let decided = http
        .get(format!("{}{href}", browser.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        decided.contains("role=\"status\">same<"),
        "the pair page shows the decision `same`"
    );
}
