//! Persons: search in both scripts and any spelling with filters and paging, and the person
//! page (names with their sources, what each source says side by side, a timeline in both
//! calendars, the records behind the person and why they were linked).

use crate::error::WebError;
use crate::i18n::{Lang, field_label};
use crate::pages::{Ctx, parse_id, url_encode};
use crate::state::AppState;
use crate::views::{
    ClaimRow, DecisionRow, FacetOption, FieldRow, NameRow, PersonPage, PersonRecordRow, PersonRow,
    PersonsPage, QueryEcho, RecordColumn, TimelineRow, page,
};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::fields::CanonicalField;
use domain::person::ClaimSubject;
use domain::record::FieldValue;
use serde::Deserialize;
use store::browse::{Facet, FacetCount, PersonLookup, PersonQuery, PersonView};

/// The deepest page a search shows: 100,000 persons in. Reaching a page reads every match
/// before it, so a page number near 2^32 had made one request read the whole registry.
const LAST_PAGE: u32 = 2_000;

/// Persons per page.
pub(crate) const PER_PAGE: u32 = 50;

/// Facet values offered in the filters.
const FACET_OPTIONS: u32 = 200;

/// The search form's fields, as sent in the query string.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchParams {
    pub(crate) q: Option<String>,
    pub(crate) prison: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) year: Option<String>,
    pub(crate) page: Option<u32>,
}

impl SearchParams {
    /// The store query for this page; a year that is not a number is refused.
    pub(crate) fn to_query(&self) -> Result<PersonQuery, WebError> {
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let year = match nonempty(&self.year) {
            None => None,
            Some(text) => Some(
                text::normalize::to_ascii_digits(&text)
                    .parse::<i32>()
                    .map_err(|_| {
                        WebError::BadRequest(format!(
                            "the year `{text}` is not a number; write it like 1988"
                        ))
                    })?,
            ),
        };
        let page = self.page.unwrap_or(1).max(1);
        if page > LAST_PAGE {
            return Err(WebError::BadRequest(format!(
                "page {page} is past the last page shown ({LAST_PAGE}); narrow the search by name, prison, city or year"
            )));
        }
        Ok(PersonQuery {
            text: nonempty(&self.q),
            prison: nonempty(&self.prison),
            city: nonempty(&self.city),
            year,
            offset: (page - 1).saturating_mul(PER_PAGE),
            limit: PER_PAGE,
        })
    }

    fn link_to_page(&self, page: u32) -> String {
        let mut link = format!("/persons?page={page}");
        for (key, value) in [
            ("q", &self.q),
            ("prison", &self.prison),
            ("city", &self.city),
            ("year", &self.year),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                link.push_str(&format!("&{key}={}", url_encode(value)));
            }
        }
        link
    }
}

/// The choices of a facet filter, with the one the search has marked.
fn facet_options(counts: Vec<FacetCount>, selected: Option<&str>) -> Vec<FacetOption> {
    let selected = selected.map(store::facet_key);
    counts
        .into_iter()
        .map(|c| FacetOption {
            selected: selected.as_deref() == Some(c.value.as_str()),
            value: c.value,
            count: c.persons,
        })
        .collect()
}

pub(crate) async fn list(
    ctx: Ctx,
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let query = params.to_query()?;
    let found = state.store.find_persons(&query).await?;
    let page_number = params.page.unwrap_or(1).max(1);
    let [prisons, cities] = state
        .facet_counts([Facet::Prison, Facet::City], FACET_OPTIONS)
        .await?;
    Ok(page(&PersonsPage {
        chrome: ctx.chrome(),
        query: QueryEcho {
            q: params.q.clone().unwrap_or_default(),
            year: params.year.clone().unwrap_or_default(),
        },
        prisons: facet_options(prisons, params.prison.as_deref()),
        cities: facet_options(cities, params.city.as_deref()),
        persons: found
            .persons
            .into_iter()
            .map(|p| PersonRow {
                id: p.id.get(),
                names: p.names,
                records: p.records,
                sources: p.sources,
            })
            .collect(),
        previous: (page_number > 1).then(|| params.link_to_page(page_number - 1)),
        next: found.has_more.then(|| params.link_to_page(page_number + 1)),
    }))
}

pub(crate) async fn show(
    ctx: Ctx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = domain::ids::PersonId(parse_id(&id)?);
    let view = match state.store.person(id).await? {
        PersonLookup::Found(view) => view,
        PersonLookup::MergedInto(survivor) => {
            return Ok(Redirect::to(&format!("/persons/{survivor}")).into_response());
        }
        PersonLookup::Missing => return Err(WebError::NotFound),
    };
    let claims = state.store.claims_about(ClaimSubject::Person(id)).await?;
    let lang = ctx.lang;
    let mut person = person_page(&view, lang);
    person.chrome = ctx.chrome();
    person.claims = claims
        .into_iter()
        .map(|c| ClaimRow {
            field: c.field,
            value: c.value,
            origin: format!("{:?}", c.origin),
            state: c.state.as_str().to_string(),
        })
        .collect();
    Ok(page(&person))
}

/// The dated fields shown on the timeline, in the order of a life.
const DATED: [CanonicalField; 4] = [
    CanonicalField::BirthDate,
    CanonicalField::ArrestDate,
    CanonicalField::ExecutionDate,
    CanonicalField::DeathDate,
];

fn person_page(view: &PersonView, lang: Lang) -> PersonPage {
    let records: Vec<&store::StoredRecord> = view.records.iter().map(|r| &r.record).collect();
    let names = records
        .iter()
        .flat_map(|r| {
            [CanonicalField::FullName, CanonicalField::GivenName]
                .iter()
                .find_map(|f| r.field(*f))
                .map(|_| NameRow {
                    name: display_name(r),
                    source: r.source_name.clone(),
                    record: r.id.get(),
                })
        })
        .collect::<Vec<_>>();
    let fields = CanonicalField::ALL
        .iter()
        .filter(|f| **f != CanonicalField::RecordId)
        .filter_map(|field| {
            let cells: Vec<String> = records
                .iter()
                .map(|r| r.field(*field).map(|v| shown(v, lang)).unwrap_or_default())
                .collect();
            let distinct: std::collections::BTreeSet<String> = records
                .iter()
                .filter_map(|r| r.field(*field))
                .map(|v| text::normalize::normalize_for_search(&v.display_text()))
                .collect();
            (!distinct.is_empty()).then(|| FieldRow {
                field: field_label(*field, lang).to_string(),
                cells,
                conflict: distinct.len() > 1,
            })
        })
        .collect();
    let mut timeline: Vec<(chrono::NaiveDate, TimelineRow)> = Vec::new();
    for record in &records {
        for field in DATED {
            if let Some(FieldValue::Date { date }) = record.field(field) {
                timeline.push((
                    date.earliest,
                    TimelineRow {
                        label: field_label(field, lang).to_string(),
                        gregorian: text::dates::format_gregorian(date),
                        jalali: text::dates::format_jalali(date, lang.date_language()),
                        verbatim: date.verbatim.clone(),
                        source: record.source_name.clone(),
                        record: record.id.get(),
                    },
                ));
            }
        }
    }
    timeline.sort_by_key(|(day, _)| *day);
    PersonPage {
        chrome: crate::views::Chrome::new(lang, None, "/"),
        id: view.id.get(),
        title: names.first().map(|n| n.name.clone()).unwrap_or_default(),
        names,
        columns: records
            .iter()
            .map(|r| RecordColumn {
                source: r.source_name.clone(),
                record: r.id.get(),
            })
            .collect(),
        fields,
        claims: Vec::new(),
        timeline: timeline.into_iter().map(|(_, row)| row).collect(),
        records: view
            .records
            .iter()
            .map(|r| PersonRecordRow {
                id: r.record.id.get(),
                source: r.record.source_name.clone(),
                row: r.record.row_number,
                raw_text: r.record.raw_text.clone(),
                method: r.method.as_str().to_string(),
                score: r.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
                decided_by: r.decided_by.clone(),
                decided_at: r.decided_at.clone(),
            })
            .collect(),
        decisions: view
            .decisions
            .iter()
            .map(|d| DecisionRow {
                a: d.a.get(),
                b: d.b.get(),
                decision: d.decision.as_str().to_string(),
                decided_by: d.decided_by.clone(),
                decided_at: d.decided_at.clone(),
            })
            .collect(),
    }
}

/// The name a record gives: its full name, or given name and surname.
pub(crate) fn display_name(record: &store::StoredRecord) -> String {
    if let Some(full) = record.field(CanonicalField::FullName) {
        return full.display_text();
    }
    [CanonicalField::GivenName, CanonicalField::Surname]
        .iter()
        .filter_map(|f| record.field(*f))
        .map(FieldValue::display_text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field's value for a page: dates in both calendars, everything else as written.
pub(crate) fn shown(value: &FieldValue, lang: Lang) -> String {
    match value {
        FieldValue::Date { date } => format!(
            "{} · {}",
            text::dates::format_gregorian(date),
            text::dates::format_jalali(date, lang.date_language())
        ),
        FieldValue::Sex { sex } => crate::i18n::sex_label(*sex, lang).to_string(),
        other => other.display_text(),
    }
}
