//! Importing a list from the browser: upload, then a preview of the column mapping and of
//! every row problem (nothing written), then confirm. The upload waits in memory between the
//! two steps, for its uploader only, for at most an hour.

use crate::auth::random_token;
use crate::error::{SERVER_FAILED, WebError};
use crate::pages::Ctx;
use crate::state::{AppState, PendingUpload};
use crate::views::{ImportPage, ImportPreview, ProblemRow, page};
use axum::Form;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::source::{NewSource, Reliability, SourceKind, checked_source_name};
use import::{ImportError, ReadOptions};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{DuplicateFile, StoreError};

/// How long an upload waits for confirmation.
const PENDING_FOR: Duration = Duration::from_secs(3600);

/// Uploads kept waiting at once (the oldest goes first).
const MAX_PENDING: usize = 16;

pub(crate) async fn form(ctx: Ctx) -> Response {
    page(&ImportPage {
        chrome: ctx.chrome(),
        error: None,
        done: None,
        notes: Vec::new(),
        preview: None,
        source: String::new(),
        map: String::new(),
    })
}

/// What the upload form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    file_name: String,
    bytes: Vec<u8>,
    source: String,
    map: String,
}

async fn read_upload(multipart: &mut Multipart, limit: usize) -> Result<Upload, WebError> {
    let too_large = || WebError::TooLarge {
        limit_mb: limit / (1024 * 1024),
    };
    let unreadable = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            WebError::BadRequest(format!("the upload could not be read: {e}"))
        }
    };
    let mut upload = Upload::default();
    let mut over_limit = false;
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            upload.file_name = field.file_name().unwrap_or("upload.csv").to_string();
        }
        let Some(bytes) = bytes_within(field, limit).await.map_err(unreadable)? else {
            over_limit = true;
            continue;
        };
        let text = || String::from_utf8_lossy(&bytes).trim().to_string();
        match name.as_str() {
            "csrf" => upload.csrf = text(),
            "source" => upload.source = text(),
            "map" => upload.map = text(),
            "file" => upload.bytes = bytes,
            _ => {}
        }
    }
    if over_limit {
        return Err(too_large());
    }
    Ok(upload)
}

/// A field's bytes, or `None` when it runs past `limit`. The rest of an oversized field is
/// still read (and dropped), up to the router's body limit of four times the upload limit, so
/// that the browser finishes sending and shows the "too large" page: answering in the middle of
/// the upload made browsers report a reset connection instead.
async fn bytes_within(
    mut field: Field<'_>,
    limit: usize,
) -> Result<Option<Vec<u8>>, MultipartError> {
    let mut bytes = Vec::new();
    let mut over_limit = false;
    while let Some(chunk) = field.chunk().await? {
        if over_limit || bytes.len() + chunk.len() > limit {
            over_limit = true;
            bytes = Vec::new();
        } else {
            bytes.extend_from_slice(&chunk);
        }
    }
    Ok((!over_limit).then_some(bytes))
}

fn read_options(map: &str) -> ReadOptions {
    ReadOptions {
        map: Some(map.to_string()).filter(|m| !m.is_empty()),
        ..ReadOptions::default()
    }
}

/// The upload form's source name, trimmed, or a refusal saying what the field needs.
fn source_name(given: &str) -> Result<&str, WebError> {
    checked_source_name(given)
        .map_err(|reason| WebError::BadRequest(format!("Source name: {reason}")))
}

pub(crate) async fn preview(
    ctx: Ctx,
    State(state): State<AppState>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let user = ctx.user()?.clone();
    let upload = read_upload(&mut multipart, state.config.max_upload_bytes).await?;
    user.check_csrf(&upload.csrf)?;
    source_name(&upload.source)?;
    if upload.bytes.is_empty() {
        return Err(WebError::BadRequest("choose a file to upload".to_string()));
    }
    let bytes = Arc::new(upload.bytes);
    let (file_name, map) = (upload.file_name.clone(), upload.map.clone());
    let read = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || {
            import::read_list(&file_name, &bytes, &read_options(&map))
        })
        .await
        .map_err(|e| anyhow::anyhow!("reading the upload failed: {e}"))?
    };
    let mut preview = ImportPreview {
        upload: String::new(),
        file_name: upload.file_name.clone(),
        source: upload.source.clone(),
        map: upload.map.clone(),
        encoding: String::new(),
        rows: 0,
        columns: Vec::new(),
        problems: Vec::new(),
        notes: Vec::new(),
    };
    match read {
        Ok(list) => {
            preview.encoding = list.encoding.to_string();
            preview.rows = list.len();
            preview.notes = list_notes(&list, ctx.lang.words());
            let mapped = list.columns.named();
            preview.columns = list
                .table
                .header
                .iter()
                .map(|column| {
                    let field = mapped
                        .iter()
                        .find(|(_, c)| c == column)
                        .map(|(f, _)| f.as_str().to_string());
                    (column.clone(), field)
                })
                .collect();
            preview.upload = keep_upload(&state, &user.user.login, &upload.file_name, bytes);
        }
        Err(ImportError::Rows { file, problems }) => {
            preview.problems = problems
                .into_iter()
                .map(|p| ProblemRow {
                    file: file.clone(),
                    row: p.row.to_string(),
                    column: p.column.unwrap_or_default(),
                    message: p.message,
                })
                .collect();
        }
        Err(other) => {
            let mut response = page(&ImportPage {
                chrome: ctx.chrome(),
                error: Some(other.to_string()),
                done: None,
                notes: Vec::new(),
                preview: None,
                source: upload.source.clone(),
                map: upload.map.clone(),
            });
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
    }
    let has_problems = !preview.problems.is_empty();
    let (source, map) = (preview.source.clone(), preview.map.clone());
    let mut response = page(&ImportPage {
        chrome: ctx.chrome(),
        error: None,
        done: None,
        notes: Vec::new(),
        preview: Some(preview),
        source,
        map,
    });
    if has_problems {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// Keeps a checked upload for confirmation; returns its token.
fn keep_upload(state: &AppState, login: &str, file_name: &str, bytes: Arc<Vec<u8>>) -> String {
    let token = random_token();
    let mut uploads = state
        .uploads
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    uploads.retain(|_, u| u.created.elapsed() < PENDING_FOR);
    while uploads.len() >= MAX_PENDING {
        let oldest = uploads
            .iter()
            .min_by_key(|(_, u)| u.created)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(key) => uploads.remove(&key),
            None => break,
        };
    }
    uploads.insert(
        token.clone(),
        PendingUpload {
            login: login.to_string(),
            file_name: file_name.to_string(),
            bytes,
            created: Instant::now(),
        },
    );
    token
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    /// Missing, it is refused as a wrong token (403), not as a malformed form.
    #[serde(default)]
    csrf: String,
    upload: String,
    source: String,
    map: String,
}

pub(crate) async fn confirm(
    ctx: Ctx,
    State(state): State<AppState>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?.clone();
    user.check_csrf(&form.csrf)?;
    let pending = {
        let mut uploads = state
            .uploads
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match uploads.get(&form.upload) {
            Some(u) if u.login == user.user.login && u.created.elapsed() < PENDING_FOR => {
                uploads.remove(&form.upload)
            }
            _ => None,
        }
    };
    let pending = pending.ok_or_else(|| {
        WebError::BadRequest(
            "this upload has expired or was already imported; upload the file again".to_string(),
        )
    })?;
    let (file_name, map, bytes) = (
        pending.file_name.clone(),
        form.map.clone(),
        pending.bytes.clone(),
    );
    let list = tokio::task::spawn_blocking(move || {
        import::read_list(&file_name, &bytes, &read_options(&map))
    })
    .await
    .map_err(|e| anyhow::anyhow!("reading the upload failed: {e}"))?
    .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let source = NewSource {
        name: source_name(&form.source)?.to_string(),
        kind: SourceKind::List,
        reliability: Reliability::Unknown,
        calendar: None,
        file_sha256: None,
        file_name: Some(list.file_name.clone()),
    };
    let outcome = pipeline::import::store_list(
        &state.store,
        &list,
        &pending.bytes,
        source,
        DuplicateFile::Refuse,
        &user.actor(),
        &|_| {},
    )
    .await;
    let (done, error) = match outcome {
        Ok(receipt) => (
            Some(format!(
                "{} — {} ({}), SHA-256 {}",
                list.file_name, receipt.records, form.source, receipt.file_sha256
            )),
            None,
        ),
        Err(error) => (None, Some(import_failure(&error))),
    };
    let notes = if done.is_some() {
        list_notes(&list, ctx.lang.words())
    } else {
        Vec::new()
    };
    let failed = error.is_some();
    let mut response = page(&ImportPage {
        chrome: ctx.chrome(),
        error,
        done,
        notes,
        preview: None,
        source: String::new(),
        map: String::new(),
    });
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// What a list's import keeps with a warning or skips, a line each with its count: the same
/// notes the command line prints after an import.
fn list_notes(list: &import::ParsedList, w: &crate::i18n::Words) -> Vec<String> {
    [
        (list.repeated_rows(), w.rows_repeated),
        (list.rows_with_date_warnings(), w.rows_with_date_warnings),
        (list.blank_rows() as usize, w.rows_blank),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect()
}

/// What the import page says of a failed import: the registry's refusal in full (a file
/// imported before, a name taken, a row it cannot take), and for a failure of the server (a
/// database or file error, whose text names the server's folders) the general sentence, with
/// the error in the log.
fn import_failure(error: &anyhow::Error) -> String {
    let server_failure = error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<StoreError>())
        .any(|cause| {
            !matches!(
                cause,
                StoreError::DuplicateFile { .. }
                    | StoreError::Invalid(_)
                    | StoreError::Conflict(_)
                    | StoreError::NotFound(_)
            )
        });
    if server_failure {
        tracing::error!(error = %format!("{error:#}"), "an import failed");
        return SERVER_FAILED.to_string();
    }
    format!("{error:#}")
}
