//! The review queue: pairs the engine could not decide, shown side by side with each field's
//! contribution to the match weight; a decision is stored as a label (who, when, audited)
//! and trains the model at the next linkage run, which can be started from here.

use crate::error::WebError;
use crate::i18n::field_label;
use crate::pages::persons::shown;
use crate::pages::{CsrfForm, Ctx, parse_id};
use crate::state::AppState;
use crate::views::{PairRow, QueueRow, ReviewItemPage, ReviewQueuePage, page};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::fields::CanonicalField;
use serde::Deserialize;
use store::ReviewFilter;
use store::linkage::{NewPairDecision, PairDecision};

/// Pairs listed on the queue page.
const QUEUE_PAGE: u32 = 200;

pub(crate) async fn queue(ctx: Ctx, State(state): State<AppState>) -> Result<Response, WebError> {
    render_queue(ctx, &state, None).await
}

async fn render_queue(
    ctx: Ctx,
    state: &AppState,
    message: Option<String>,
) -> Result<Response, WebError> {
    let items = state
        .store
        .review_queue(ReviewFilter::Pending, QUEUE_PAGE)
        .await?;
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let name = |record: Option<store::StoredRecord>| {
            record
                .map(|r| crate::pages::persons::display_name(&r))
                .unwrap_or_default()
        };
        rows.push(QueueRow {
            id: item.id,
            a: name(state.store.record(item.a).await?),
            b: name(state.store.record(item.b).await?),
            probability: format!("{:.3}", item.probability),
        });
    }
    Ok(page(&ReviewQueuePage {
        chrome: ctx.chrome(),
        message,
        items: rows,
    }))
}

/// One field's part in a pair's explanation, as the engine wrote it.
#[derive(Deserialize)]
struct FieldWeight {
    field: String,
    weight: f64,
}

#[derive(Deserialize)]
struct Explanation {
    fields: Vec<FieldWeight>,
}

pub(crate) async fn show(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let item = state
        .store
        .review_item(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let a = state
        .store
        .record(item.a)
        .await?
        .ok_or(WebError::NotFound)?;
    let b = state
        .store
        .record(item.b)
        .await?
        .ok_or(WebError::NotFound)?;
    let weights: Vec<FieldWeight> = serde_json::from_str::<Explanation>(&item.explanation)
        .map(|e| e.fields)
        .unwrap_or_default();
    let lang = ctx.lang;
    let rows = CanonicalField::ALL
        .iter()
        .filter(|f| **f != CanonicalField::RecordId)
        .filter_map(|field| {
            let (va, vb) = (a.field(*field), b.field(*field));
            let weight = weights
                .iter()
                .find(|w| w.field == field.as_str())
                .map(|w| w.weight);
            if va.is_none() && vb.is_none() && weight.is_none() {
                return None;
            }
            Some(PairRow {
                field: field_label(*field, lang).to_string(),
                a: va.map(|v| shown(v, lang)).unwrap_or_default(),
                b: vb.map(|v| shown(v, lang)).unwrap_or_default(),
                weight: weight.map(|w| format!("{w:+.2}")).unwrap_or_default(),
                sign: match weight {
                    Some(w) if w > 0.0 => "for",
                    Some(w) if w < 0.0 => "against",
                    _ => "",
                },
            })
        })
        .collect();
    Ok(page(&ReviewItemPage {
        chrome: ctx.chrome(),
        id,
        probability: format!("{:.3}", item.probability),
        decision: item.decision.map(|d| d.as_str().to_string()),
        a_id: a.id.get(),
        b_id: b.id.get(),
        a_source: a.source_name.clone(),
        b_source: b.source_name.clone(),
        rows,
    }))
}

/// Records a reviewer's decision on a queued pair; returns the decision's id. The page and
/// the API both decide through here.
pub(crate) async fn decide_pair(
    state: &AppState,
    id: &str,
    decision: &str,
    note: Option<String>,
    user: &crate::auth::CurrentUser,
) -> Result<i64, WebError> {
    let id = parse_id(id)?;
    let decision = PairDecision::parse(decision).ok_or_else(|| {
        WebError::BadRequest("a decision is same, different or unsure".to_string())
    })?;
    let item = state
        .store
        .review_item(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let decision = NewPairDecision {
        a: item.a,
        b: item.b,
        decision,
        note,
    };
    Ok(state
        .store
        .record_decision(&decision, &user.actor())
        .await?)
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    /// Missing, it is refused as a wrong token (403), not as a malformed form.
    #[serde(default)]
    csrf: String,
    decision: String,
}

pub(crate) async fn decide(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?.clone();
    user.check_csrf(&form.csrf)?;
    decide_pair(&state, &id, &form.decision, None, &user).await?;
    let next = state.store.review_queue(ReviewFilter::Pending, 1).await?;
    let target = match next.first() {
        Some(next) => format!("/review/{}", next.id),
        None => "/review".to_string(),
    };
    Ok(Redirect::to(&target).into_response())
}

/// Runs linkage on the registry (trained on every decision so far) and shows the queue.
pub(crate) async fn link_now(
    ctx: Ctx,
    State(state): State<AppState>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    let user = ctx.user()?.clone();
    user.check_csrf(&form.csrf)?;
    let _running = state.linking.try_lock().map_err(|_| {
        WebError::BadRequest("a linkage run is already going on; wait for it to finish".to_string())
    })?;
    // Linkage keeps a core busy for a while: tell the runtime to move other requests off
    // this worker meanwhile.
    let report = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(pipeline::link::link_registry(
            &state.store,
            pipeline::link::DEFAULT_THRESHOLD,
            &user.actor(),
        ))
    })?;
    let w = ctx.lang.words();
    let message = format!(
        "{}: {} {} → {} {}; {} {}",
        w.linked,
        report.records,
        w.records,
        report.clusters,
        w.persons_found,
        report.receipt.review_pairs,
        w.review_backlog
    );
    render_queue(ctx, &state, Some(message)).await
}
