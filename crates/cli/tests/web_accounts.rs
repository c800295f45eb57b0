//! The web app from the command line: `init` prints the first administrator's one-time
//! password, `user` manages accounts and tokens, and `serve` answers with them.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

fn whereabouts(
    data: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A running `serve`, killed when dropped.
struct Serving {
    child: Child,
    base: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &std::path::Path) -> Serving {
    let mut child = Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines
        .find_map(|l| l.ok().filter(|l| l.contains("listening on")))
        .expect("serve prints its address");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    Serving { child, base }
}

fn one_time_password(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split("one-time password: ").nth(1))
        .expect("a one-time password is printed")
        .trim()
        .to_string()
}

#[test]
fn init_prints_an_admin_password_that_must_be_changed_and_user_manages_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("registry");
    let (ok, stdout, stderr) = whereabouts(&data, &["init"], None);
    assert!(ok, "{stderr}");
    let admin_password = one_time_password(&stdout);
    assert_eq!(admin_password.chars().count(), 20);

    let (ok, stdout, _) = whereabouts(&data, &["user", "add", "sara", "--role", "analyst"], None);
    assert!(ok);
    assert!(stdout.contains("one-time password"));
    let (ok, _, stderr) = whereabouts(&data, &["user", "add", "sara", "--role", "viewer"], None);
    assert!(!ok && stderr.contains("exists already"), "{stderr}");
    let (ok, _, stderr) = whereabouts(&data, &["user", "add", "x", "--role", "root"], None);
    assert!(
        !ok && stderr.contains("admin, investigator, analyst, family, viewer"),
        "{stderr}"
    );
    let (ok, _, stderr) = whereabouts(
        &data,
        &["user", "passwd", "sara", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!ok && stderr.contains("at least 12 characters"), "{stderr}");
    let (ok, _, _) = whereabouts(
        &data,
        &["user", "passwd", "sara", "--password-stdin"],
        Some("a long enough secret\n"),
    );
    assert!(ok);
    let (ok, token, _) = whereabouts(&data, &["user", "token", "sara"], None);
    assert!(ok);
    let token = token.trim().to_string();

    let server = serve(&data);
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let api = |token: &str| {
        client
            .get(format!("{}/api/v1/sources", server.base))
            .bearer_auth(token)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(api(&token), 200, "the token works");
    assert_eq!(api("not-a-token"), 401);

    let login = |login: &str, password: &str| {
        let page = client
            .get(format!("{}/login", server.base))
            .send()
            .unwrap()
            .text()
            .unwrap();
        // The login form's own token (a logged-in page also has the log-out form's).
        let form = &page[page.find("action=\"/login\"").unwrap()..];
        let marker = "name=\"csrf\" value=\"";
        let start = form.find(marker).unwrap() + marker.len();
        let csrf = form[start..].split('"').next().unwrap().to_string();
        client
            .post(format!("{}/login", server.base))
            .form(&[
                ("login", login),
                ("password", password),
                ("csrf", csrf.as_str()),
            ])
            .send()
            .unwrap()
    };
    let first = login("admin", &admin_password);
    assert_eq!(first.status(), 303);
    assert_eq!(
        first.headers()["location"],
        "/account/password",
        "the one-time password must be changed first"
    );
    let dashboard = client.get(format!("{}/", server.base)).send().unwrap();
    assert_eq!(
        dashboard.headers()["location"],
        "/account/password",
        "nothing else opens before"
    );
    assert_eq!(login("sara", "a long enough secret").status(), 303);

    let (ok, _, _) = whereabouts(&data, &["user", "disable", "sara"], None);
    assert!(ok);
    assert_eq!(api(&token), 401, "a disabled account's token is revoked");
    assert_eq!(login("sara", "a long enough secret").status(), 401);
    let (ok, list, _) = whereabouts(&data, &["user", "list"], None);
    assert!(
        ok && list.contains("sara") && list.contains("(disabled)"),
        "{list}"
    );
    let (ok, audit, _) = whereabouts(&data, &["audit", "verify"], None);
    assert!(ok, "{audit}");
}
