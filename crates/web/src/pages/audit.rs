//! The audit log for administrators, newest first, with a button that recomputes the chain.

use crate::error::WebError;
use crate::pages::{CsrfForm, Ctx};
use crate::state::AppState;
use crate::views::{AuditPage, AuditRow, page};
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

/// Entries per page.
const PER_PAGE: u32 = 100;

#[derive(Deserialize)]
pub(crate) struct BeforeQuery {
    before: Option<i64>,
}

pub(crate) async fn log(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(query): Query<BeforeQuery>,
) -> Result<Response, WebError> {
    render(ctx, &state, query.before, None).await
}

async fn render(
    ctx: Ctx,
    state: &AppState,
    before: Option<i64>,
    verdict: Option<String>,
) -> Result<Response, WebError> {
    let entries = state.store.audit_entries(before, PER_PAGE).await?;
    let older = (entries.len() == PER_PAGE as usize)
        .then(|| entries.last().map(|e| format!("/audit?before={}", e.seq)))
        .flatten();
    Ok(page(&AuditPage {
        chrome: ctx.chrome(),
        verdict,
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: format!("{} {}", e.entity, e.entity_id),
                hash: e.hash.chars().take(16).collect(),
            })
            .collect(),
        older,
    }))
}

pub(crate) async fn verify(
    ctx: Ctx,
    State(state): State<AppState>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    ctx.user()?.check_csrf(&form.csrf)?;
    let verdict = state.store.verify_audit().await?;
    let w = ctx.lang.words();
    let text = match &verdict.broken {
        None => format!(
            "{}: {} {}, head {}",
            w.chain_ok,
            ctx.lang.number(verdict.entries_checked),
            w.entries,
            verdict.head
        ),
        Some(brk) => format!("{}: {brk}", w.chain_broken),
    };
    render(ctx, &state, None, Some(text)).await
}
