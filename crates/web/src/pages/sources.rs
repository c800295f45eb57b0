//! Sources, their records, and one record exactly as it was received.

use crate::error::WebError;
use crate::i18n::field_label;
use crate::pages::persons::{display_name, shown};
use crate::pages::{Ctx, parse_id};
use crate::state::AppState;
use crate::views::{RecordPage, SourcePage, SourceRecordRow, SourceRow, SourcesPage, page};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use domain::ids::{RecordId, SourceId};
use serde::Deserialize;

/// Records per page of a source.
const PER_PAGE: u32 = 100;

pub(crate) async fn list(ctx: Ctx, State(state): State<AppState>) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let sources = state
        .store
        .sources()
        .await?
        .into_iter()
        .map(|s| SourceRow {
            id: s.id.get(),
            name: s.name,
            kind: s.kind,
            reliability: s.reliability,
            records: lang.number(s.records),
        })
        .collect();
    Ok(page(&SourcesPage {
        chrome: ctx.chrome(),
        sources,
    }))
}

#[derive(Deserialize)]
pub(crate) struct AfterQuery {
    after: Option<i64>,
}

pub(crate) async fn show(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
) -> Result<Response, WebError> {
    let id = SourceId(parse_id(&id)?);
    let source = state
        .store
        .sources()
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(WebError::NotFound)?;
    let records = state
        .store
        .records_of_source(id, query.after.map(RecordId), PER_PAGE)
        .await?;
    Ok(page(&SourcePage {
        chrome: ctx.chrome(),
        name: source.name,
        records: records
            .records
            .iter()
            .map(|r| SourceRecordRow {
                id: r.id.get(),
                row: r.row_number,
                name: display_name(r),
                raw_text: r.raw_text.clone(),
            })
            .collect(),
        previous: query.after.map(|_| format!("/sources/{id}")),
        next: records
            .next_after
            .map(|after| format!("/sources/{id}?after={after}")),
    }))
}

pub(crate) async fn record(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = RecordId(parse_id(&id)?);
    let record = state.store.record(id).await?.ok_or(WebError::NotFound)?;
    let person = state.store.person_of_record(id).await?;
    let lang = ctx.lang;
    Ok(page(&RecordPage {
        chrome: ctx.chrome(),
        id: id.get(),
        source_id: record.source_id.get(),
        source: record.source_name.clone(),
        row: record.row_number,
        person: person.map(|p| p.get()),
        raw_text: record.raw_text.clone(),
        fields: record
            .fields
            .iter()
            .map(|(f, v)| (field_label(*f, lang).to_string(), shown(v, lang)))
            .collect(),
        cells: record
            .raw_cells
            .iter()
            .map(|c| (c.column.clone(), c.value.clone()))
            .collect(),
        warnings: record.warnings.clone(),
    }))
}
