//! SVG plots of a [`Report`], rendered to a string (the caller writes the file): with LCMCR or
//! dga alone, the posterior distribution of the total; otherwise one row per method and per
//! leading log-linear model, each a point with its 95% interval, and a line at the observed
//! count.

use plotters::prelude::*;

use crate::error::{EstimateError, Result};
use crate::report::{Method, Report, thousands};

const WIDTH: u32 = 900;

fn plot_error<E: std::fmt::Display>(error: E) -> EstimateError {
    EstimateError::Plot(error.to_string())
}

/// Draws the report as SVG.
pub fn svg(report: &Report) -> Result<String> {
    let methods: Vec<Method> = report.estimates.iter().map(|e| e.method).collect();
    match methods.as_slice() {
        [Method::Lcmcr] => report.lcmcr.as_ref().map_or_else(
            || intervals(report),
            |r| {
                let mut draws = r.draws.clone();
                draws.sort_by(f64::total_cmp);
                posterior_histogram(&draws, report.observed, "LCMCR posterior of the total")
            },
        ),
        [Method::Dga] => report.dga.as_ref().map_or_else(
            || intervals(report),
            |r| posterior_curve(&r.posterior, report.observed, "dga posterior of the total"),
        ),
        _ => intervals(report),
    }
}

struct Row {
    label: String,
    point: f64,
    lower: f64,
    upper: f64,
}

/// A ranked model's label, at most [`LABEL_CHARACTERS`] characters: a long one keeps its start
/// and its end, where the highest-order terms that tell the leading models apart are written.
fn model_label(rank: usize, model: &str) -> String {
    let label = format!("#{} {model}", rank + 1);
    let characters: Vec<char> = label.chars().collect();
    if characters.len() <= LABEL_CHARACTERS {
        return label;
    }
    let head = LABEL_CHARACTERS / 2;
    let tail = LABEL_CHARACTERS - head - 1;
    let start: String = characters[..head].iter().collect();
    let end: String = characters[characters.len() - tail..].iter().collect();
    format!("{start}…{end}")
}

/// The longest a model's label may be beside the plot.
const LABEL_CHARACTERS: usize = 48;

fn intervals(report: &Report) -> Result<String> {
    let mut rows: Vec<Row> = report
        .estimates
        .iter()
        .map(|e| Row {
            label: e.method.as_str().to_string(),
            point: e.point,
            lower: e.lower,
            upper: e.upper,
        })
        .collect();
    if let Some(ll) = &report.loglinear {
        for (rank, fit) in ll.fits.iter().take(8).enumerate() {
            // A model whose likelihood is too flat to bound runs to the edge of the plot, as
            // the report says in words, rather than vanish from it.
            let (lower, upper) = fit
                .interval
                .unwrap_or((report.observed as f64, f64::INFINITY));
            rows.push(Row {
                label: model_label(rank, &fit.model),
                point: fit.estimate,
                lower,
                upper,
            });
        }
    }
    let observed = report.observed as f64;
    let finite_upper = rows
        .iter()
        .map(|r| {
            if r.upper.is_finite() {
                r.upper
            } else {
                r.point
            }
        })
        .fold(observed, f64::max);
    let (x_min, x_max) = (observed * 0.9, finite_upper * 1.05);
    let height = 120 + 34 * rows.len() as u32;
    let mut buffer = String::new();
    {
        let root = SVGBackend::with_string(&mut buffer, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Estimated total by method and model (95% intervals)",
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(330)
            .build_cartesian_2d(x_min..x_max, -0.5f64..(rows.len() as f64 - 0.5))
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len())
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| thousands(*x))
            .x_desc("people (seen and unseen)")
            .draw()
            .map_err(plot_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(observed, -0.5), (observed, rows.len() as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))
            .map_err(plot_error)?;
        for (i, row) in rows.iter().enumerate() {
            let y = i as f64;
            let upper = if row.upper.is_finite() {
                row.upper
            } else {
                x_max
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(row.lower, y), (upper, y)],
                    BLUE.stroke_width(2),
                )))
                .map_err(plot_error)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (row.point, y),
                    4,
                    BLUE.filled(),
                )))
                .map_err(plot_error)?;
        }
        root.present().map_err(plot_error)?;
    }
    Ok(buffer)
}

fn posterior_histogram(sorted: &[f64], observed: u64, title: &str) -> Result<String> {
    let (Some(first), Some(last)) = (sorted.first(), sorted.last()) else {
        return Err(EstimateError::Plot("no draws to plot".into()));
    };
    let bins = 40usize;
    let width = ((last - first) / bins as f64).max(1.0);
    let mut counts = vec![0usize; bins + 1];
    for x in sorted {
        counts[(((x - first) / width) as usize).min(bins)] += 1;
    }
    let curve: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                first + (i as f64 + 0.5) * width,
                *c as f64 / sorted.len() as f64,
            )
        })
        .collect();
    posterior_curve(&curve, observed, title)
}

/// The most points a posterior curve is drawn with: two a pixel of the plot's width. A dga grid
/// of a million values had made a 10 MB SVG.
const CURVE_POINTS: usize = 2 * WIDTH as usize;

/// At most [`CURVE_POINTS`] points: each run of neighbours is drawn as its highest point, so a
/// narrow peak is not thinned away.
fn thinned(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let run = points.len().div_ceil(CURVE_POINTS).max(1);
    points
        .chunks(run)
        .filter_map(|chunk| chunk.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)))
        .collect()
}

fn posterior_curve(points: &[(f64, f64)], observed: u64, title: &str) -> Result<String> {
    // Trim the far tails so the plot shows where the posterior is.
    let total: f64 = points.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    let mut shown = Vec::new();
    for p in points {
        acc += p.1;
        if acc >= total * 0.0005 && acc - p.1 <= total * 0.9995 {
            shown.push(*p);
        }
    }
    let shown = thinned(&shown);
    let (Some(first), Some(last)) = (shown.first(), shown.last()) else {
        return Err(EstimateError::Plot("nothing to plot".into()));
    };
    let top = shown.iter().map(|p| p.1).fold(0.0, f64::max) * 1.1;
    let x_min = first.0.min(observed as f64);
    let x_max = last.0.max(x_min + 1.0);
    let mut buffer = String::new();
    {
        let root = SVGBackend::with_string(&mut buffer, (WIDTH, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_min..x_max, 0.0..top.max(f64::MIN_POSITIVE))
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| thousands(*x))
            .x_desc("total people (seen and unseen)")
            .y_desc("posterior probability")
            .draw()
            .map_err(plot_error)?;
        chart
            .draw_series(LineSeries::new(shown.iter().copied(), BLUE.stroke_width(2)))
            .map_err(plot_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(observed as f64, 0.0), (observed as f64, top)],
                BLACK.stroke_width(1),
            )))
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{EstimateOptions, estimate};
    use crate::table::CaptureTable;

    const KOREA: &str =
        "b,c,d,count\n1,1,1,12\n1,1,0,54\n1,0,1,6\n1,0,0,5\n0,1,1,0\n0,1,0,5\n0,0,1,41\n";

    #[test]
    fn a_long_model_label_keeps_its_start_and_its_end() {
        let model = "EXH:ABA + EXH:OSCE + EXH:HRW + ABA:OSCE + OSCE:HRW + EXH:ABA:OSCE";
        let label = model_label(0, model);
        assert_eq!(label.chars().count(), LABEL_CHARACTERS);
        assert!(
            label.starts_with("#1 EXH:ABA + EXH:OSCE")
                && label.ends_with("OSCE:HRW + EXH:ABA:OSCE"),
            "{label}"
        );
        assert_eq!(model_label(2, "independence"), "#3 independence");
    }

    #[test]
    fn a_long_curve_is_thinned_to_its_peaks() {
        let points: Vec<(f64, f64)> = (0..1_000_000)
            .map(|n| (f64::from(n), if n == 777_777 { 5.0 } else { 1.0 }))
            .collect();
        let shown = thinned(&points);
        assert!(shown.len() <= CURVE_POINTS, "{}", shown.len());
        assert!(shown.contains(&(777_777.0, 5.0)), "the peak survives");
        let short = [(1.0, 0.5), (2.0, 0.25)];
        assert_eq!(thinned(&short), short.to_vec());
    }

    #[test]
    fn each_kind_of_report_draws_an_svg() {
        let t = CaptureTable::parse_csv(KOREA).unwrap();
        let mut options = EstimateOptions::default();
        options.lcmcr.burn_in = 100;
        options.lcmcr.draws = 100;
        options.lcmcr.thinning = 1;
        for methods in [vec![Method::Lcmcr], vec![Method::Dga], Method::ALL.to_vec()] {
            let report = estimate(
                &t,
                &EstimateOptions {
                    methods: methods.clone(),
                    ..options.clone()
                },
            )
            .unwrap();
            let svg = svg(&report).unwrap();
            assert!(svg.starts_with("<svg"), "{methods:?}");
            assert!(svg.contains("</svg>"), "{methods:?}");
        }
    }
}
