//! Statistics: persons by month of death, prison and city as bar charts drawn on the server
//! (SVG, no script), and the Multiple Systems Estimate of the total with its interval and the
//! spread across methods. The estimate is computed once per state of the registry's persons.

use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::Ctx;
use crate::state::{AppState, CachedEstimate};
use crate::views::{Chart, EstimateRow, EstimateView, StatisticsPage, page};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use estimate::report::{EstimateOptions, Method, Report};
use std::sync::Arc;
use store::browse::{Facet, FacetCount};

/// Bars per chart.
const BARS: u32 = 24;

pub(crate) async fn show(ctx: Ctx, State(state): State<AppState>) -> Result<Response, WebError> {
    let lang = ctx.lang;
    let w = lang.words();
    let counts = state
        .facet_counts([Facet::DeathMonth, Facet::Prison, Facet::City], BARS)
        .await?;
    let charts = [w.by_month, w.by_prison, w.by_city]
        .into_iter()
        .zip(counts)
        .map(|(title, counts)| Chart {
            title: title.to_string(),
            svg: bar_chart(&counts, lang),
        })
        .collect();
    let estimate = registry_estimate(&state)
        .await
        .map(|report| estimate_view(&report, lang));
    Ok(page(&StatisticsPage {
        chrome: ctx.chrome(),
        estimate,
        charts,
    }))
}

pub(crate) async fn plot(State(state): State<AppState>) -> Result<Response, WebError> {
    let report = registry_estimate(&state)
        .await
        .map_err(WebError::BadRequest)?;
    let svg =
        estimate::plot::svg(&report).map_err(|e| anyhow::anyhow!("drawing the estimate: {e}"))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// The estimate from the registry's linked persons (log-linear, dga and Chao; LCMCR is left to
/// the command line, where its minutes of sampling can be waited for), cached until the
/// registry changes (its audit head moves).
async fn registry_estimate(state: &AppState) -> Result<Arc<Report>, String> {
    let head = state.store.audit_head().await.map_err(|e| e.to_string())?;
    let mut cache = state.estimate.lock().await;
    if let Some(cached) = cache.as_ref().filter(|c| c.audit_head == head) {
        return cached.outcome.clone();
    }
    let outcome = compute_estimate(state).await;
    *cache = Some(CachedEstimate {
        audit_head: head,
        outcome: outcome.clone(),
    });
    outcome
}

async fn compute_estimate(state: &AppState) -> Result<Arc<Report>, String> {
    let (tables, unlinked) = pipeline::capture::registry_tables(&state.store, None)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let unreviewed = pipeline::capture::unreviewed_pairs(&state.store)
        .await
        .map_err(|e| format!("{e:#}"))?;
    tokio::task::spawn_blocking(move || {
        let options = EstimateOptions {
            methods: vec![Method::Loglinear, Method::Dga, Method::Chao],
            ..EstimateOptions::default()
        };
        let mut report =
            estimate::report::estimate(&tables.overall, &options).map_err(|e| format!("{e:#}"))?;
        report
            .warnings
            .extend(unlinked.into_iter().chain(unreviewed));
        Ok(Arc::new(report))
    })
    .await
    .map_err(|e| format!("the estimate failed: {e}"))?
}

fn estimate_view(report: &Report, lang: Lang) -> EstimateView {
    let number = |x: f64| lang.number(estimate::report::thousands(x));
    EstimateView {
        observed: number(report.observed as f64),
        rows: report
            .estimates
            .iter()
            .map(|e| EstimateRow {
                method: e.method.as_str().to_string(),
                point: number(e.point),
                lower: number(e.lower),
                upper: number(e.upper),
            })
            .collect(),
        spread: report.spread().map(|s| {
            format!(
                "{} – {} ({} – {})",
                number(s.point_min),
                number(s.point_max),
                number(s.lower),
                number(s.upper)
            )
        }),
        summary: text::normalize::without_direction_controls(&report.summary()),
    }
}

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart as inline SVG; bars start at the inline start (right in Persian).
pub(crate) fn bar_chart(counts: &[FacetCount], lang: Lang) -> String {
    const ROW: usize = 22;
    const LABEL: f64 = 180.0;
    const WIDTH: f64 = 640.0;
    if counts.is_empty() {
        return String::new();
    }
    let max = counts.iter().map(|c| c.persons).max().unwrap_or(1).max(1) as f64;
    let height = counts.len() * ROW + 4;
    let rtl = lang == Lang::Fa;
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\">"
    );
    for (i, count) in counts.iter().enumerate() {
        let y = i * ROW + 2;
        let bar = (WIDTH - LABEL - 60.0) * count.persons as f64 / max;
        let (label_x, anchor, bar_x, value_x, value_anchor) = if rtl {
            (
                WIDTH - 4.0,
                "end",
                WIDTH - LABEL - bar,
                WIDTH - LABEL - bar - 4.0,
                "end",
            )
        } else {
            (4.0, "start", LABEL, LABEL + bar + 4.0, "start")
        };
        svg.push_str(&format!(
            "<text x=\"{label_x}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>\
             <rect x=\"{bar_x:.1}\" y=\"{y}\" width=\"{bar:.1}\" height=\"{}\"></rect>\
             <text x=\"{value_x:.1}\" y=\"{}\" text-anchor=\"{value_anchor}\">{}</text>",
            y + 15,
            escape(&count.value),
            ROW - 6,
            y + 15,
            escape(&lang.number(count.persons)),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_labels_are_escaped() {
        let counts = vec![FacetCount {
            value: "<script>alert(1)</script>".to_string(),
            persons: 3,
        }];
        let svg = bar_chart(&counts, Lang::En);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
