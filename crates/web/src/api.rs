//! The JSON API under `/api/v1`, for scripts and other tools: persons, one person, search,
//! sources, records and review decisions. Every call needs a bearer token
//! (`whereabouts user token LOGIN`) and is allowed by the same role rules as the pages. The
//! OpenAPI document is at `/api/openapi.json`.

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::error::WebError;
use crate::pages::parse_id;
use crate::pages::persons::SearchParams;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use domain::ids::{PersonId, RecordId, SourceId};
use serde::{Deserialize, Serialize};
use store::ReviewFilter;
use store::browse::PersonLookup;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// A person in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonSummaryJson {
    /// The person's id.
    pub id: i64,
    /// The distinct names their records give, most common first.
    pub names: Vec<String>,
    /// How many records make up the person.
    pub records: u32,
    /// How many sources have a record of them.
    pub sources: u32,
}

/// One page of persons.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonListJson {
    /// The persons.
    pub persons: Vec<PersonSummaryJson>,
    /// The page number (from 1).
    pub page: u32,
    /// Whether a next page exists.
    pub has_more: bool,
}

/// A parsed field of a record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldJson {
    /// The canonical field.
    pub field: String,
    /// The value as written.
    pub value: String,
    /// For dates: the earliest possible day (Gregorian, ISO 8601).
    pub earliest: Option<String>,
    /// For dates: the latest possible day.
    pub latest: Option<String>,
    /// For dates: the EDTF form.
    pub edtf: Option<String>,
}

/// A source record, verbatim and parsed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordJson {
    /// The record's id.
    pub id: i64,
    /// The source's id.
    pub source_id: i64,
    /// The source's name.
    pub source: String,
    /// The row's number in its file.
    pub row_number: u64,
    /// The source's own id of the row.
    pub external_id: Option<String>,
    /// The row as it stood in the file.
    pub raw_text: String,
    /// The parsed canonical fields.
    pub fields: Vec<FieldJson>,
    /// The person the record belongs to, when linked.
    pub person_id: Option<i64>,
}

/// A person with the records behind them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonJson {
    /// The person's id.
    pub id: i64,
    /// The records, oldest first.
    pub records: Vec<RecordJson>,
}

/// A source.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceJson {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Its reliability.
    pub reliability: String,
    /// Its number of records.
    pub records: u64,
}

/// One page of a source's records.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordPageJson {
    /// The records.
    pub records: Vec<RecordJson>,
    /// Pass as `after` for the next page; absent at the end.
    pub next_after: Option<i64>,
}

/// A pair awaiting review.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewItemJson {
    /// The queue entry's id.
    pub id: i64,
    /// One record.
    pub a: i64,
    /// The other.
    pub b: i64,
    /// The engine's match probability.
    pub probability: f64,
    /// Each field's contribution to the weight (JSON from the engine).
    pub explanation: serde_json::Value,
}

/// A reviewer's decision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionJson {
    /// `same`, `different` or `unsure`.
    pub decision: String,
    /// Why, in the reviewer's words.
    pub note: Option<String>,
}

/// What a recorded decision became.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionReceiptJson {
    /// The decision's id.
    pub id: i64,
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PersonsParams {
    /// A name in either script, any spelling.
    pub q: Option<String>,
    /// A prison.
    pub prison: Option<String>,
    /// A city.
    pub city: Option<String>,
    /// The year of death.
    pub year: Option<String>,
    /// The page (from 1; 50 persons per page).
    pub page: Option<u32>,
}

/// Paging of a source's records.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AfterParams {
    /// The last record id of the previous page.
    pub after: Option<i64>,
}

fn record_json(record: &store::StoredRecord, person: Option<PersonId>) -> RecordJson {
    RecordJson {
        id: record.id.get(),
        source_id: record.source_id.get(),
        source: record.source_name.clone(),
        row_number: record.row_number,
        external_id: record.external_id.clone(),
        raw_text: record.raw_text.clone(),
        fields: record
            .fields
            .iter()
            .map(|(field, value)| {
                let date = match value {
                    domain::record::FieldValue::Date { date } => Some(date),
                    _ => None,
                };
                FieldJson {
                    field: field.as_str().to_string(),
                    value: value.display_text(),
                    earliest: date.map(|d| d.earliest.to_string()),
                    latest: date.map(|d| d.latest.to_string()),
                    edtf: date.map(|d| d.edtf.clone()),
                }
            })
            .collect(),
        person_id: person.map(|p| p.get()),
    }
}

async fn find(state: &AppState, params: PersonsParams) -> Result<Json<PersonListJson>, ApiError> {
    let search = SearchParams {
        q: params.q,
        prison: params.prison,
        city: params.city,
        year: params.year,
        page: params.page,
    };
    let found = state.store.find_persons(&search.to_query()?).await?;
    Ok(Json(PersonListJson {
        persons: found
            .persons
            .into_iter()
            .map(|p| PersonSummaryJson {
                id: p.id.get(),
                names: p.names,
                records: p.records,
                sources: p.sources,
            })
            .collect(),
        page: search.page.unwrap_or(1).max(1),
        has_more: found.has_more,
    }))
}

/// Lists persons, with optional search and filters.
#[utoipa::path(get, path = "/api/v1/persons", params(PersonsParams),
    responses((status = 200, body = PersonListJson)), security(("bearer" = [])))]
pub(crate) async fn persons(
    State(state): State<AppState>,
    Query(params): Query<PersonsParams>,
) -> Result<Json<PersonListJson>, ApiError> {
    find(&state, params).await
}

/// Searches persons by name (same parameters as `/persons`; `q` is expected).
#[utoipa::path(get, path = "/api/v1/search", params(PersonsParams),
    responses((status = 200, body = PersonListJson)), security(("bearer" = [])))]
pub(crate) async fn search(
    State(state): State<AppState>,
    Query(params): Query<PersonsParams>,
) -> Result<Json<PersonListJson>, ApiError> {
    if params.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return Err(WebError::BadRequest("pass the name to search for as `q`".to_string()).into());
    }
    find(&state, params).await
}

/// One person with their records; a merged person answers with the survivor.
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path, description = "person id")),
    responses((status = 200, body = PersonJson), (status = 404)), security(("bearer" = [])))]
pub(crate) async fn person(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PersonJson>, ApiError> {
    let mut id = PersonId(parse_id(&id)?);
    loop {
        match state.store.person(id).await? {
            PersonLookup::Found(view) => {
                return Ok(Json(PersonJson {
                    id: view.id.get(),
                    records: view
                        .records
                        .iter()
                        .map(|r| record_json(&r.record, Some(view.id)))
                        .collect(),
                }));
            }
            PersonLookup::MergedInto(survivor) if survivor != id => id = survivor,
            _ => return Err(WebError::NotFound.into()),
        }
    }
}

/// Every source.
#[utoipa::path(get, path = "/api/v1/sources",
    responses((status = 200, body = [SourceJson])), security(("bearer" = [])))]
pub(crate) async fn sources(
    State(state): State<AppState>,
) -> Result<Json<Vec<SourceJson>>, ApiError> {
    Ok(Json(
        state
            .store
            .sources()
            .await?
            .into_iter()
            .map(|s| SourceJson {
                id: s.id.get(),
                name: s.name,
                kind: s.kind,
                reliability: s.reliability,
                records: s.records,
            })
            .collect(),
    ))
}

/// A source's records, 100 per page.
#[utoipa::path(get, path = "/api/v1/sources/{id}/records",
    params(("id" = i64, Path, description = "source id"), AfterParams),
    responses((status = 200, body = RecordPageJson), (status = 404)), security(("bearer" = [])))]
pub(crate) async fn source_records(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<AfterParams>,
) -> Result<Json<RecordPageJson>, ApiError> {
    let id = SourceId(parse_id(&id)?);
    if !state.store.sources().await?.iter().any(|s| s.id == id) {
        return Err(WebError::NotFound.into());
    }
    let page = state
        .store
        .records_of_source(id, params.after.map(RecordId), 100)
        .await?;
    Ok(Json(RecordPageJson {
        records: page.records.iter().map(|r| record_json(r, None)).collect(),
        next_after: page.next_after.map(|r| r.get()),
    }))
}

/// One record, verbatim and parsed, with its person.
#[utoipa::path(get, path = "/api/v1/records/{id}", params(("id" = i64, Path, description = "record id")),
    responses((status = 200, body = RecordJson), (status = 404)), security(("bearer" = [])))]
pub(crate) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RecordJson>, ApiError> {
    let id = RecordId(parse_id(&id)?);
    let record = state.store.record(id).await?.ok_or(WebError::NotFound)?;
    let person = state.store.person_of_record(id).await?;
    Ok(Json(record_json(&record, person)))
}

/// Pairs awaiting review, most likely matches first.
#[utoipa::path(get, path = "/api/v1/review",
    responses((status = 200, body = [ReviewItemJson])), security(("bearer" = [])))]
pub(crate) async fn review_queue(
    State(state): State<AppState>,
) -> Result<Json<Vec<ReviewItemJson>>, ApiError> {
    let items = state.store.review_queue(ReviewFilter::Pending, 500).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item| ReviewItemJson {
                id: item.id,
                a: item.a.get(),
                b: item.b.get(),
                probability: item.probability,
                explanation: serde_json::from_str(&item.explanation)
                    .unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

/// Records a decision on a pair in the review queue.
#[utoipa::path(post, path = "/api/v1/review/{id}/decision",
    params(("id" = i64, Path, description = "review queue entry")), request_body = DecisionJson,
    responses((status = 200, body = DecisionReceiptJson), (status = 400), (status = 404)),
    security(("bearer" = [])))]
pub(crate) async fn decide(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Json(body): Json<DecisionJson>,
) -> Result<Json<DecisionReceiptJson>, ApiError> {
    let id =
        crate::pages::review::decide_pair(&state, &id, &body.decision, body.note, &user).await?;
    Ok(Json(DecisionReceiptJson { id }))
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(title = "whereabouts API", description = "Persons, records, sources and review decisions of a whereabouts registry."),
    paths(persons, search, person, sources, source_records, record, review_queue, decide),
    components(schemas(PersonSummaryJson, PersonListJson, FieldJson, RecordJson, PersonJson, SourceJson,
        RecordPageJson, ReviewItemJson, DecisionJson, DecisionReceiptJson)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub(crate) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
