//! `whereabouts estimate`: Multiple Systems Estimation on a capture-pattern table.
//!
//! Reads the table (one 0/1 column per list, then `count`), runs the chosen methods through
//! [`estimate::report::estimate`] and prints a plain-words summary (default) or one JSON object.
//! All statistics live in the `estimate` crate; this module parses flags, reads and writes files.
//!
//! JSON shape. For one method: `{"method", "observed", "lists", "point", "lower", "upper",
//! "model", "point_kind", "interval", "warnings", "details"}` where `interval` names the kind of
//! interval and `details` holds the method's own output (ranked models, posterior summary…).
//! For `--method all`: `{"method": "all", "observed", "lists", "estimates": [one object per
//! method with the fields above but no details], "spread": {"point_min", "point_max", "lower",
//! "upper"}, "warnings", "summary"}` — no single `point`, because the methods' spread is the
//! answer.
//!
//! Without `--table`, the capture histories come from the registry (`--data DIR`): each linked
//! person's sources (after `whereabouts link`) feed
//! [`estimate::table::StratifiedTables::from_histories`]; with `--by FIELD` every stratum is
//! estimated too ([`estimate::report::estimate_strata`]). JSON then has `{"overall": …,
//! "strata": [{"stratum", "observed", "skipped", "estimate"}]}`.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::registry::{DataDir, block_on, check_output_file};
use anyhow::Context;
use domain::fields::CanonicalField;
use estimate::dga::NPrior;
use estimate::error::EstimateError;
use estimate::lcmcr::LcmcrOptions;
use estimate::loglinear::{Criterion, LoglinearOptions};
use estimate::report::{self, EstimateOptions, Method, Report};
use estimate::table::{CaptureTable, read_table_bytes};
use import::decode::EncodingChoice;
use serde_json::{Value, json};

/// Flags of `whereabouts estimate`.
#[derive(clap::Args, Debug)]
pub struct EstimateArgs {
    /// Capture-pattern CSV: one 0/1 column per list, then `count`. Without it, the capture
    /// histories of the registry's linked persons are used.
    #[arg(long, value_name = "FILE")]
    pub table: Option<PathBuf>,
    /// The table file's text encoding: auto, utf-8, windows-1256, windows-1252, utf-16le, utf-16be.
    #[arg(long, default_value = "auto", value_parser = super::import::parse_encoding)]
    pub encoding: EncodingChoice,
    /// With the registry: also estimate each stratum of this field (e.g. prison, province);
    /// dates go by Gregorian month, birth years by decade, ages by ten-year band, and `month`
    /// is the month of execution (`execution_date`).
    #[arg(long, value_name = "FIELD", value_parser = parse_field, conflicts_with = "table")]
    pub by: Option<CanonicalField>,
    #[command(flatten)]
    pub data: DataDir,
    /// Which method to run; `all` runs every one and compares them.
    #[arg(long, value_enum, default_value_t = MethodArg::All)]
    pub method: MethodArg,
    /// Output: a plain-words summary, or one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Seed for LCMCR (the same seed and table give the same result).
    #[arg(long, allow_negative_numbers = true, default_value_t = 1988, value_parser = whole_number::<u64>)]
    pub seed: u64,
    /// Also draw the estimates (or the posterior, for one Bayesian method) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// How to rank log-linear models.
    #[arg(long, value_enum, default_value_t = CriterionArg::Bic)]
    pub criterion: CriterionArg,
    /// Highest log-linear interaction order (default 3 for up to 5 lists, else 2).
    #[arg(long, allow_negative_numbers = true, value_parser = whole_number::<usize>)]
    pub max_order: Option<usize>,
    /// LCMCR latent classes K.
    #[arg(long, allow_negative_numbers = true, default_value_t = 10, value_parser = whole_number::<usize>)]
    pub classes: usize,
    /// LCMCR sweeps discarded before keeping draws.
    #[arg(long, allow_negative_numbers = true, default_value_t = 10_000, value_parser = whole_number::<usize>)]
    pub burn_in: usize,
    /// LCMCR sweeps between kept draws.
    #[arg(long, allow_negative_numbers = true, default_value_t = 100, value_parser = whole_number::<usize>)]
    pub thinning: usize,
    /// LCMCR draws kept per chain (at most 10 million over all chains).
    #[arg(long, allow_negative_numbers = true, default_value_t = 1_000, value_parser = whole_number::<usize>)]
    pub draws: usize,
    /// LCMCR independent chains, pooled (seeds `seed`, `seed + 1`, …).
    #[arg(long, allow_negative_numbers = true, default_value_t = 1, value_parser = whole_number::<usize>)]
    pub chains: usize,
    /// dga prior count per cell (default 2^−J).
    #[arg(long, allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// dga prior on the population size N: `inverse` (∝ 1/N) or `negbin:A,B`, a negative
    /// binomial with shape A and scale B (mean A·B, variance A·B·(1+B)).
    #[arg(long, value_name = "PRIOR", default_value = "inverse", value_parser = parse_n_prior)]
    pub n_prior: NPrior,
    /// dga's grid of unseen counts, `FROM..TO` inclusive (default from 0, widened until the
    /// posterior past its end is negligible).
    #[arg(long, value_name = "FROM..TO", value_parser = parse_unseen_grid)]
    pub unseen_grid: Option<(u64, u64)>,
}

/// `--method` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    /// Log-linear models ranked by BIC/AIC, profile-likelihood interval.
    Loglinear,
    /// Bayesian latent-class model (Manrique-Vallier 2016).
    Lcmcr,
    /// Decomposable graphical models averaged (Madigan & York 1997).
    Dga,
    /// Chao's lower bound.
    Chao,
    /// Every method, compared.
    All,
}

/// `--format` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain words.
    Text,
    /// One JSON object.
    Json,
}

/// `--criterion` values.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CriterionArg {
    /// BIC with the log of the observed total.
    Bic,
    /// AIC.
    Aic,
}

fn parse_n_prior(text: &str) -> Result<NPrior, String> {
    if text == "inverse" {
        return Ok(NPrior::InverseN);
    }
    let usage = || {
        format!(
            "`{text}` is not a prior on N; write `inverse` or `negbin:A,B` (e.g. negbin:2,3000)"
        )
    };
    let (a, b) = text
        .strip_prefix("negbin:")
        .and_then(|rest| rest.split_once(','))
        .ok_or_else(usage)?;
    let number = |v: &str| v.trim().parse::<f64>().map_err(|_| usage());
    let (a, b) = (number(a)?, number(b)?);
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        return Err(format!(
            "negbin:{a},{b}: the shape A and the scale B must both be positive numbers"
        ));
    }
    Ok(NPrior::NegativeBinomial { a, b })
}

/// A canonical field, or `month` for the month of execution: date strata keep their year and
/// month, so that is `execution_date`.
fn parse_field(name: &str) -> Result<CanonicalField, String> {
    if name == "month" {
        return Ok(CanonicalField::ExecutionDate);
    }
    CanonicalField::parse(name).ok_or_else(|| {
        let all: Vec<&str> = CanonicalField::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "`{name}` is not a field; use `month` (the month of execution) or one of {}",
            all.join(", ")
        )
    })
}

fn parse_unseen_grid(text: &str) -> Result<(u64, u64), String> {
    let usage = || format!("`{text}` is not a grid of unseen counts; write FROM..TO, e.g. 1..300");
    let (from, to) = text.split_once("..").ok_or_else(usage)?;
    let number = |v: &str| v.trim().parse::<u64>().map_err(|_| usage());
    Ok((number(from)?, number(to)?))
}

/// The flag that sets each of the library's options, to name it in the library's errors.
const FLAGS: &[(&str, &str)] = &[
    ("max_order", "--max-order"),
    ("classes", "--classes"),
    ("draws", "--draws"),
    ("thinning", "--thinning"),
    ("burn_in", "--burn-in"),
    ("chains", "--chains"),
    ("delta", "--delta"),
    ("prior", "--n-prior"),
    ("missing", "--unseen-grid"),
];

/// An estimate's error, with a setting out of range named by the flag that set it.
fn said_with_flags(error: EstimateError) -> anyhow::Error {
    if let EstimateError::InvalidOption { option, reason } = &error
        && let Some((_, flag)) = FLAGS.iter().find(|(name, _)| name == option)
    {
        return anyhow::anyhow!("invalid {flag}: {reason}");
    }
    error.into()
}

/// Runs the command.
pub fn run(args: EstimateArgs) -> anyhow::Result<()> {
    let options = estimate_options(&args);
    if let Some(plot) = &args.plot {
        check_output_file("--plot", plot)?;
    }
    let Some(path) = &args.table else {
        return run_on_registry(&args, &options);
    };
    let table = read_table(path, args.encoding)?;
    let report = report::estimate(&table, &options)
        .map_err(said_with_flags)
        .with_context(|| format!("estimating from {}", path.display()))?;
    print_report(&args, &report)
}

/// Reads a capture-pattern table in any encoding the importer reads (a Windows-1256 header
/// names Persian lists), with its byte-order mark dropped.
fn read_table(path: &Path, encoding: EncodingChoice) -> anyhow::Result<CaptureTable> {
    let file = File::open(path)
        .with_context(|| format!("opening the capture-pattern table {}", path.display()))?;
    let name = path.display().to_string();
    let bytes = read_table_bytes(file).with_context(|| format!("reading {name}"))?;
    let decoded = import::decode::decode(&name, &bytes, encoding)?;
    CaptureTable::parse_csv(&decoded.text).with_context(|| format!("reading {name}"))
}

/// Estimates from the registry's linked persons, overall and (with `--by`) per stratum.
fn run_on_registry(args: &EstimateArgs, options: &EstimateOptions) -> anyhow::Result<()> {
    let path = &args.data.path;
    if path.is_file() {
        anyhow::bail!(
            "{} is a file, not a registry folder: to estimate from a capture-pattern table, use `--table {}`",
            path.display(),
            path.display()
        );
    }
    if !path.exists() {
        anyhow::bail!(
            "no registry at {}: estimate from a capture-pattern table with `--table FILE`, or from a registry with `--data DIR` (create one with `whereabouts init --data DIR`)",
            path.display()
        );
    }
    let (tables, unsettled) = block_on(async {
        let store = store::Store::open(path).await?;
        let tables = pipeline::capture::registry_tables(&store, args.by).await;
        let unreviewed = pipeline::capture::unreviewed_pairs(&store).await;
        store.close().await;
        let (tables, unlinked) = tables?;
        let unsettled: Vec<_> = unlinked.into_iter().chain(unreviewed?).collect();
        anyhow::Ok((tables, unsettled))
    })??;
    let source = || format!("estimating from the registry at {}", path.display());
    if args.by.is_none() {
        let mut report = report::estimate(&tables.overall, options)
            .map_err(said_with_flags)
            .with_context(source)?;
        report.warnings.extend(unsettled);
        return print_report(args, &report);
    }
    // Date strata are months, and `--by month` is how the docs spell them.
    let field = match args.by {
        Some(CanonicalField::ExecutionDate) => "month",
        Some(field) => field.as_str(),
        None => "",
    };
    check_strata(&tables, field)?;
    let (mut overall, strata) = report::estimate_strata(&tables, options)
        .map_err(said_with_flags)
        .with_context(source)?;
    overall.warnings.extend(unsettled);
    // A date or birth year can be given and still fit no stratum (FieldValue::stratum).
    let too_loose = match args.by {
        Some(field) if field.is_date() => ", or a date too loose for one month",
        Some(CanonicalField::BirthYear) => ", or years too far apart for one decade",
        _ => "",
    };
    let unstratified = (tables.unstratified > 0).then(|| {
        format!(
            "People with no value for `{field}`{too_loose}: {}, counted in the overall estimate only.",
            estimate::report::thousands(tables.unstratified as f64)
        )
    });
    match args.format {
        Format::Text => {
            print!("{}", overall.summary());
            if let Some(note) = &unstratified {
                println!("{note}");
            }
            for stratum in &strata {
                println!(
                    "\n== {} ({} seen)",
                    stratum.stratum,
                    estimate::report::people(stratum.observed as f64)
                );
                match (&stratum.report, &stratum.skipped) {
                    (Some(report), _) => print!("{}", report.summary()),
                    (None, reason) => {
                        println!("not estimated: {}", reason.as_deref().unwrap_or(""))
                    }
                }
            }
        }
        Format::Json => {
            let strata: Vec<Value> = strata
                .iter()
                .map(|s| {
                    json!({
                        "stratum": s.stratum, "observed": s.observed, "skipped": s.skipped,
                        "estimate": s.report.as_ref().map(|r| to_json(r, args.method)),
                    })
                })
                .collect();
            let out = json!({
                "overall": to_json(&overall, args.method),
                "strata": strata,
                "unstratified": tables.unstratified,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}

/// Past this many strata, a field whose middle stratum holds a single person tells people apart
/// rather than groups them (a name, an identifier): every stratum would be too small to estimate.
const MANY_STRATA: usize = 50;

/// A count or seed as given on the command line, with a message that says what is wanted
/// (clap's own says "invalid digit found in string" for `-1`).
fn whole_number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("must be a whole number, 0 or more; got `{text}`"))
}

/// Refuses a `--by` field that makes no strata (nobody has a value) or one stratum a person.
fn check_strata(tables: &estimate::table::StratifiedTables, field: &str) -> anyhow::Result<()> {
    let strata = tables.strata.len();
    if strata == 0 {
        anyhow::bail!(
            "nobody in the registry has a value for `{field}`: stratify by a field the lists fill, such as province, prison or month"
        );
    }
    let mut sizes: Vec<u64> = tables.strata.values().map(|t| t.observed()).collect();
    sizes.sort_unstable();
    if strata > MANY_STRATA && sizes[strata / 2] < 2 {
        anyhow::bail!(
            "`--by {field}` splits the registry into {strata} strata, most of a single person: stratify by a field that groups people, such as province, prison or month"
        );
    }
    Ok(())
}

fn estimate_options(args: &EstimateArgs) -> EstimateOptions {
    let methods = match args.method {
        MethodArg::Loglinear => vec![Method::Loglinear],
        MethodArg::Lcmcr => vec![Method::Lcmcr],
        MethodArg::Dga => vec![Method::Dga],
        MethodArg::Chao => vec![Method::Chao],
        MethodArg::All => Method::ALL.to_vec(),
    };
    EstimateOptions {
        methods,
        loglinear: LoglinearOptions {
            max_order: args.max_order,
            criterion: match args.criterion {
                CriterionArg::Bic => Criterion::Bic,
                CriterionArg::Aic => Criterion::Aic,
            },
            ..LoglinearOptions::default()
        },
        lcmcr: LcmcrOptions {
            classes: args.classes,
            burn_in: args.burn_in,
            thinning: args.thinning,
            draws: args.draws,
            seed: args.seed,
            chains: args.chains,
            ..LcmcrOptions::default()
        },
        dga: estimate::dga::DgaOptions {
            delta: args.delta,
            prior: args.n_prior,
            missing: args.unseen_grid,
        },
    }
}

/// Prints the report, then draws the plot: a plot that cannot be written still leaves the
/// figures on the screen.
fn print_report(args: &EstimateArgs, report: &Report) -> anyhow::Result<()> {
    match args.format {
        Format::Text => print!("{}", report.summary()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(report, args.method))?
        ),
    }
    if let Some(path) = &args.plot {
        let svg = estimate::plot::svg(report).context("drawing the plot")?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn to_json(report: &Report, method: MethodArg) -> Value {
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    if method == MethodArg::All {
        return json!({
            "method": "all",
            "observed": report.observed,
            "lists": report.lists,
            "estimates": report.estimates,
            "spread": report.spread(),
            "warnings": warnings,
            "summary": report.summary(),
        });
    }
    let Some(e) = report.estimates.first() else {
        return json!({ "method": "none", "observed": report.observed, "warnings": warnings });
    };
    let details = match e.method {
        Method::Loglinear => report.loglinear.as_ref().map(|r| {
            json!({
                "criterion": r.criterion,
                "max_order": r.max_order,
                "search": r.search,
                "models_fitted": r.fits.len(),
                "excluded_zero_statistic": r.excluded_zero_statistic,
                "excluded_divergent": r.excluded_divergent,
                "excluded_running_to_zero": r.excluded_running_to_zero,
                "patterns_running_to_zero": r.patterns_running_to_zero,
                "best_models": r.fits.iter().take(10).collect::<Vec<_>>(),
            })
        }),
        Method::Lcmcr => report.lcmcr.as_ref().map(|r| json!(r)),
        Method::Dga => report.dga.as_ref().map(|r| json!(r)),
        Method::Chao => Some(json!({
            "classic": report.chao,
            "bias_corrected": report.chao_bias_corrected,
        })),
    };
    json!({
        "method": e.method,
        "observed": e.observed,
        "lists": report.lists,
        "point": e.point,
        "lower": e.lower,
        "upper": e.upper,
        "model": e.model,
        "point_kind": e.point_kind,
        "interval": e.interval,
        "warnings": warnings,
        "details": details,
    })
}
