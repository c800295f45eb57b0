//! The dashboard: what the registry holds, the review backlog and recent activity.

use crate::error::WebError;
use crate::pages::Ctx;
use crate::state::AppState;
use crate::views::{ActivityRow, DashboardPage, page};
use axum::extract::State;
use axum::response::Response;
use store::ReviewFilter;

/// Entries of recent activity shown.
const RECENT: u32 = 15;

pub(crate) async fn show(ctx: Ctx, State(state): State<AppState>) -> Result<Response, WebError> {
    let counts = state.store.counts().await?;
    let backlog = state
        .store
        .review_queue(ReviewFilter::Pending, u32::MAX)
        .await?
        .len();
    let activity = state
        .store
        .audit_entries(None, RECENT)
        .await?
        .into_iter()
        .map(|e| ActivityRow {
            at: e.at,
            actor: e.actor,
            action: e.action,
            entity: format!("{} {}", e.entity, e.entity_id),
        })
        .collect();
    let lang = ctx.lang;
    Ok(page(&DashboardPage {
        chrome: ctx.chrome(),
        persons: lang.number(counts.persons),
        records: lang.number(counts.records),
        sources: lang.number(counts.sources),
        backlog: lang.number(backlog),
        activity,
    }))
}
