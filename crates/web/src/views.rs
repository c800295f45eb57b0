//! The pages' templates (askama, checked at compile time; every value is HTML-escaped unless
//! a template says `|safe`, which only the server-drawn SVG charts do) and the page chrome
//! every template shares: language, account, CSRF token and what the navigation shows.

use crate::auth::CurrentUser;
use crate::i18n::{Lang, Words};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What every page shows around its content.
pub(crate) struct Chrome {
    pub(crate) lang: Lang,
    pub(crate) w: &'static Words,
    pub(crate) login: Option<String>,
    pub(crate) csrf: String,
    /// The current path and query, URL-encoded, for the language switch to come back to.
    pub(crate) back: String,
    pub(crate) may_read: bool,
    pub(crate) may_import: bool,
    pub(crate) may_review: bool,
    pub(crate) may_see_statistics: bool,
    pub(crate) is_admin: bool,
}

impl Chrome {
    pub(crate) fn new(lang: Lang, user: Option<&CurrentUser>, back: &str) -> Chrome {
        let role = user.map(|u| u.user.role);
        let may = |check: fn(domain::account::Role) -> bool| role.is_some_and(check);
        Chrome {
            lang,
            w: lang.words(),
            login: user.map(|u| u.user.login.clone()),
            csrf: user.and_then(|u| u.csrf.clone()).unwrap_or_default(),
            back: crate::pages::url_encode(back),
            may_read: may(|r| r.may_read_registry()),
            may_import: may(|r| r.may_import()),
            may_review: may(|r| r.may_review()),
            may_see_statistics: may(|r| r.may_see_statistics()),
            is_admin: may(|r| r.is_admin()),
        }
    }
}

/// Renders a template as an HTML response.
pub(crate) fn page(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page failed to render",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: String,
    pub(crate) message: String,
}

impl ErrorPage {
    /// An error page in English (the language of the request is not known where errors are
    /// turned into responses).
    pub(crate) fn new(status: StatusCode, message: &str) -> ErrorPage {
        let lang = Lang::En;
        let w = lang.words();
        let title = match status {
            StatusCode::NOT_FOUND => w.not_found.to_string(),
            StatusCode::FORBIDDEN if message == "forbidden" => w.forbidden.to_string(),
            other => other.canonical_reason().unwrap_or("Error").to_string(),
        };
        let message = match message {
            "forbidden" => format!("{} {}", w.forbidden, w.family_portal_later),
            "not found" => String::new(),
            other => other.to_string(),
        };
        ErrorPage {
            chrome: Chrome::new(lang, None, "/"),
            title,
            message,
        }
    }

    pub(crate) fn render_or_plain(&self) -> String {
        self.render()
            .unwrap_or_else(|_| "<!DOCTYPE html><title>Error</title><p>Error</p>".to_string())
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    pub(crate) chrome: Chrome,
    pub(crate) error: Option<String>,
    pub(crate) next: String,
    pub(crate) login_csrf: String,
}

#[derive(Template)]
#[template(path = "password.html")]
pub(crate) struct PasswordPage {
    pub(crate) chrome: Chrome,
    pub(crate) must_change: bool,
    pub(crate) done: bool,
    pub(crate) error: Option<String>,
}

pub(crate) struct ActivityRow {
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) entity: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub(crate) struct DashboardPage {
    pub(crate) chrome: Chrome,
    pub(crate) persons: String,
    pub(crate) records: String,
    pub(crate) sources: String,
    pub(crate) backlog: String,
    pub(crate) activity: Vec<ActivityRow>,
}

#[derive(Default)]
pub(crate) struct QueryEcho {
    pub(crate) q: String,
    pub(crate) year: String,
}

pub(crate) struct FacetOption {
    pub(crate) value: String,
    pub(crate) count: u64,
    pub(crate) selected: bool,
}

pub(crate) struct PersonRow {
    pub(crate) id: i64,
    pub(crate) names: Vec<String>,
    pub(crate) records: u32,
    pub(crate) sources: u32,
}

#[derive(Template)]
#[template(path = "persons.html")]
pub(crate) struct PersonsPage {
    pub(crate) chrome: Chrome,
    pub(crate) query: QueryEcho,
    pub(crate) prisons: Vec<FacetOption>,
    pub(crate) cities: Vec<FacetOption>,
    pub(crate) persons: Vec<PersonRow>,
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
}

pub(crate) struct NameRow {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) record: i64,
}

pub(crate) struct RecordColumn {
    pub(crate) source: String,
    pub(crate) record: i64,
}

pub(crate) struct FieldRow {
    pub(crate) field: String,
    pub(crate) cells: Vec<String>,
    pub(crate) conflict: bool,
}

pub(crate) struct ClaimRow {
    pub(crate) field: String,
    pub(crate) value: String,
    pub(crate) origin: String,
    pub(crate) state: String,
}

pub(crate) struct TimelineRow {
    pub(crate) label: String,
    pub(crate) gregorian: String,
    pub(crate) jalali: String,
    pub(crate) verbatim: String,
    pub(crate) source: String,
    pub(crate) record: i64,
}

pub(crate) struct PersonRecordRow {
    pub(crate) id: i64,
    pub(crate) source: String,
    pub(crate) row: u64,
    pub(crate) raw_text: String,
    pub(crate) method: String,
    pub(crate) score: String,
    pub(crate) decided_by: String,
    pub(crate) decided_at: String,
}

pub(crate) struct DecisionRow {
    pub(crate) a: i64,
    pub(crate) b: i64,
    pub(crate) decision: String,
    pub(crate) decided_by: String,
    pub(crate) decided_at: String,
}

#[derive(Template)]
#[template(path = "person.html")]
pub(crate) struct PersonPage {
    pub(crate) chrome: Chrome,
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) names: Vec<NameRow>,
    pub(crate) columns: Vec<RecordColumn>,
    pub(crate) fields: Vec<FieldRow>,
    pub(crate) claims: Vec<ClaimRow>,
    pub(crate) timeline: Vec<TimelineRow>,
    pub(crate) records: Vec<PersonRecordRow>,
    pub(crate) decisions: Vec<DecisionRow>,
}

pub(crate) struct SourceRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) reliability: String,
    pub(crate) records: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
pub(crate) struct SourcesPage {
    pub(crate) chrome: Chrome,
    pub(crate) sources: Vec<SourceRow>,
}

pub(crate) struct SourceRecordRow {
    pub(crate) id: i64,
    pub(crate) row: u64,
    pub(crate) name: String,
    pub(crate) raw_text: String,
}

#[derive(Template)]
#[template(path = "source.html")]
pub(crate) struct SourcePage {
    pub(crate) chrome: Chrome,
    pub(crate) name: String,
    pub(crate) records: Vec<SourceRecordRow>,
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
}

#[derive(Template)]
#[template(path = "record.html")]
pub(crate) struct RecordPage {
    pub(crate) chrome: Chrome,
    pub(crate) id: i64,
    pub(crate) source_id: i64,
    pub(crate) source: String,
    pub(crate) row: u64,
    pub(crate) person: Option<i64>,
    pub(crate) raw_text: String,
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) cells: Vec<(String, String)>,
    pub(crate) warnings: Vec<String>,
}

pub(crate) struct ProblemRow {
    pub(crate) file: String,
    pub(crate) row: String,
    pub(crate) column: String,
    pub(crate) message: String,
}

pub(crate) struct ImportPreview {
    pub(crate) upload: String,
    pub(crate) file_name: String,
    pub(crate) source: String,
    pub(crate) map: String,
    pub(crate) encoding: String,
    pub(crate) rows: usize,
    pub(crate) columns: Vec<(String, Option<String>)>,
    pub(crate) problems: Vec<ProblemRow>,
    /// What the import will keep with a warning or skip, a line each.
    pub(crate) notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "import.html")]
pub(crate) struct ImportPage {
    pub(crate) chrome: Chrome,
    pub(crate) error: Option<String>,
    pub(crate) done: Option<String>,
    /// With `done`: what the import kept with a warning or skipped, a line each.
    pub(crate) notes: Vec<String>,
    pub(crate) preview: Option<ImportPreview>,
    /// The source name and mapping typed last, kept in the form.
    pub(crate) source: String,
    pub(crate) map: String,
}

pub(crate) struct QueueRow {
    pub(crate) id: i64,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) probability: String,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
pub(crate) struct ReviewQueuePage {
    pub(crate) chrome: Chrome,
    pub(crate) message: Option<String>,
    pub(crate) items: Vec<QueueRow>,
}

pub(crate) struct PairRow {
    pub(crate) field: String,
    pub(crate) a: String,
    pub(crate) b: String,
    pub(crate) weight: String,
    pub(crate) sign: &'static str,
}

#[derive(Template)]
#[template(path = "review_item.html")]
pub(crate) struct ReviewItemPage {
    pub(crate) chrome: Chrome,
    pub(crate) id: i64,
    pub(crate) probability: String,
    pub(crate) decision: Option<String>,
    pub(crate) a_id: i64,
    pub(crate) b_id: i64,
    pub(crate) a_source: String,
    pub(crate) b_source: String,
    pub(crate) rows: Vec<PairRow>,
}

pub(crate) struct EstimateRow {
    pub(crate) method: String,
    pub(crate) point: String,
    pub(crate) lower: String,
    pub(crate) upper: String,
}

pub(crate) struct EstimateView {
    pub(crate) observed: String,
    pub(crate) rows: Vec<EstimateRow>,
    pub(crate) spread: Option<String>,
    pub(crate) summary: String,
}

pub(crate) struct Chart {
    pub(crate) title: String,
    /// Drawn by `pages::statistics::bar_chart`, which escapes every label.
    pub(crate) svg: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
pub(crate) struct StatisticsPage {
    pub(crate) chrome: Chrome,
    pub(crate) estimate: Result<EstimateView, String>,
    pub(crate) charts: Vec<Chart>,
}

pub(crate) struct AuditRow {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) entity: String,
    pub(crate) hash: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    pub(crate) chrome: Chrome,
    pub(crate) verdict: Option<String>,
    pub(crate) entries: Vec<AuditRow>,
    pub(crate) older: Option<String>,
}
