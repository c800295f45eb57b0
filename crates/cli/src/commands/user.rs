//! `whereabouts user`: accounts of the web app (add, passwd, disable, list, token).
//!
//! Passwords are generated (one-time, to be changed at first login) unless one is given on
//! standard input with `--password-stdin`; they are never taken as a command-line argument,
//! where other users of the machine could read them.

use crate::registry::{DataDir, actor, block_on};
use anyhow::{Context, bail};
use domain::account::Role;
use std::io::Read;
use store::accounts::NewUser;
use store::{Store, UserChange};

/// Arguments of `user`.
#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    action: UserAction,
    #[command(flatten)]
    data: DataDir,
}

#[derive(Debug, clap::Subcommand)]
enum UserAction {
    /// Create an account; prints a one-time password unless --password-stdin.
    Add {
        /// The login name.
        login: String,
        /// admin, investigator, analyst, family or viewer.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; prints a one-time password unless --password-stdin.
    Passwd {
        /// The login name.
        login: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it can no longer log in, its sessions end, its tokens are revoked.
    Disable {
        /// The login name.
        login: String,
    },
    /// List the accounts.
    List,
    /// Create an API token for an account and print it (it is shown only once).
    Token {
        /// The login name.
        login: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("`{text}`: use one of {}", all.join(", "))
    })
}

/// A password from standard input, or a generated one-time password.
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((web::auth::one_time_password(), true));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("reading the password from standard input")?;
    let password = text.trim_end_matches(['\r', '\n']).to_string();
    if let Err(reason) = web::auth::check_new_password(&password) {
        bail!("{reason}");
    }
    Ok((password, false))
}

/// Runs a `user` command.
pub fn run(args: UserArgs) -> anyhow::Result<()> {
    block_on(async {
        let store = Store::open(&args.data.path).await?;
        let outcome = act(&store, args.action).await;
        store.close().await;
        outcome
    })?
}

async fn act(store: &Store, action: UserAction) -> anyhow::Result<()> {
    match action {
        UserAction::Add {
            login,
            role,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            add_user(store, &login, role, &password, generated).await?;
            report_password(&login, &password, generated);
        }
        UserAction::Passwd {
            login,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            let hash = web::auth::hash_password(&password)?;
            let change = UserChange::Password {
                hash: &hash,
                must_change: generated,
            };
            store.change_user(&login, change, &actor()).await?;
            report_password(&login, &password, generated);
        }
        UserAction::Disable { login } => {
            store
                .change_user(&login, UserChange::Disable, &actor())
                .await?;
            println!("disabled `{login}`: its sessions ended and its API tokens were revoked");
        }
        UserAction::List => {
            for user in store.users().await? {
                let state = if user.disabled { " (disabled)" } else { "" };
                println!("{:<24} {}{state}", user.login, user.role);
            }
        }
        UserAction::Token { login, label } => {
            let token = web::auth::random_token();
            store
                .create_api_token(&login, &web::auth::token_hash(&token), &label, &actor())
                .await?;
            println!("{token}");
            eprintln!(
                "API token for `{login}` ({label}); it is shown only this once. Send it as: Authorization: Bearer <token>"
            );
        }
    }
    Ok(())
}

/// Creates an account with this password (hashed with Argon2id).
pub async fn add_user(
    store: &Store,
    login: &str,
    role: Role,
    password: &str,
    must_change_password: bool,
) -> anyhow::Result<()> {
    if login.trim().is_empty() || login.chars().any(char::is_whitespace) {
        bail!("a login is one word without spaces, e.g. `maryam.h`");
    }
    let user = NewUser {
        login: login.to_string(),
        role,
        password_hash: web::auth::hash_password(password)?,
        must_change_password,
    };
    store.create_user(&user, &actor()).await?;
    Ok(())
}

fn report_password(login: &str, password: &str, generated: bool) {
    if generated {
        println!("login `{login}`, one-time password: {password}");
        println!("(it must be changed at the first login)");
    } else {
        println!("password set for `{login}`");
    }
}
