//! Running the methods together: one [`Estimate`] per method in a common shape, the warnings a
//! statistician would give, and a plain-words summary that never states a number without its
//! interval and the spread across methods. Also the per-stratum entry point for the registry.
//!
//! The estimators themselves live in [`crate::loglinear`], [`crate::lcmcr`], [`crate::dga`] and
//! [`crate::chao`]; this module only runs them, compares them and words the result.

use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use crate::chao::{self, ChaoBound, ChaoForm};
use crate::dga::{self, DgaOptions, DgaResult};
use crate::error::{EstimateError, Result};
use crate::lcmcr::{self, LcmcrOptions, LcmcrResult, MixingCheck};
use crate::loglinear::{self, LoglinearOptions, LoglinearResult, Search};
use crate::table::{CaptureTable, StratifiedTables};

/// Strata with fewer people observed than this are not estimated.
pub const MIN_STRATUM_OBSERVED: u64 = 50;

/// An estimation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Log-linear models ranked by BIC or AIC.
    Loglinear,
    /// Bayesian latent-class model (Manrique-Vallier 2016).
    Lcmcr,
    /// Bayesian model averaging over decomposable graphs (Madigan & York 1997).
    Dga,
    /// Chao's lower bound.
    Chao,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 4] = [Method::Loglinear, Method::Lcmcr, Method::Dga, Method::Chao];

    /// Name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Loglinear => "loglinear",
            Method::Lcmcr => "lcmcr",
            Method::Dga => "dga",
            Method::Chao => "chao",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Method::Loglinear => "Log-linear",
            Method::Lcmcr => "LCMCR",
            Method::Dga => "dga",
            Method::Chao => "Chao",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the interval of an [`Estimate`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalKind {
    /// 95% profile-likelihood confidence interval (Cormack 1992).
    ProfileLikelihood,
    /// 95% equal-tailed Bayesian credible interval.
    Credible,
    /// 95% log-normal confidence interval (Chao 1987).
    LogNormal,
}

impl IntervalKind {
    fn words(self) -> &'static str {
        match self {
            IntervalKind::ProfileLikelihood => "95% profile-likelihood interval",
            IntervalKind::Credible => "95% credible interval",
            IntervalKind::LogNormal => "95% log-normal interval",
        }
    }
}

/// One method's estimate of the total, in the shape the CLI prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Which method.
    pub method: Method,
    /// People seen on at least one list.
    pub observed: u64,
    /// The estimate of the total (see `point_kind`).
    pub point: f64,
    /// Lower end of the 95% interval.
    pub lower: f64,
    /// Upper end of the 95% interval.
    pub upper: f64,
    /// The chosen or most probable model, where the method has one.
    pub model: Option<String>,
    /// What `point` is: `maximum likelihood`, `posterior median`, …
    pub point_kind: &'static str,
    /// What `lower`–`upper` is.
    pub interval: IntervalKind,
}

/// Something the reader of an estimate must know.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// Two lists say little about dependence between lists.
    FewerThanThreeLists {
        /// Lists in the table.
        lists: usize,
    },
    /// A list that recorded nobody.
    EmptyList {
        /// The list.
        list: String,
    },
    /// Two lists with nobody in common.
    NoOverlap {
        /// First list.
        first: String,
        /// Second list.
        second: String,
    },
    /// Log-linear models left out because an interaction's sufficient statistic is zero.
    ModelsExcluded {
        /// How many models.
        models: usize,
        /// The interactions with nobody in them.
        terms: Vec<String>,
    },
    /// Log-linear models whose fit diverged.
    ModelsDiverged {
        /// The models, by name.
        models: Vec<String>,
    },
    /// Log-linear models left out because, with some patterns empty, their likelihood has no
    /// maximum (the fitted count of an empty pattern runs to 0).
    ModelsRunToZero {
        /// How many models.
        models: usize,
        /// The empty patterns, in words.
        patterns: Vec<String>,
    },
    /// Too many lists for an exhaustive log-linear search.
    StepwiseSearch {
        /// Lists in the table.
        lists: usize,
    },
    /// The chosen log-linear model's interval could not be bounded.
    UnboundedInterval {
        /// The model.
        model: String,
    },
    /// The LCMCR chains show they have not mixed.
    ChainNotMixed {
        /// Effective sample size of the kept draws, summed over the chains.
        effective_sample_size: f64,
        /// The smallest effective sample size of one chain (0 for a chain that never moved).
        least_chain_effective_sample_size: f64,
        /// The chains' Geweke z-score largest in absolute value.
        geweke_z: f64,
        /// Rank-normalised split-R̂ over the chains.
        split_r_hat: f64,
        /// How many chains ran.
        chains: usize,
    },
    /// Every kept LCMCR draw of the total was the same number, so the chains' mixing cannot be
    /// judged from the total and the interval is that one number.
    DrawsAllEqual {
        /// The one value drawn.
        total: f64,
    },
    /// dga's posterior still had mass at the end of its grid.
    GridTruncated {
        /// The end of the grid, in unseen people, that cuts the posterior off.
        end: u64,
        /// Whether the grid was given (`DgaOptions::missing`) rather than widened by dga.
        grid_given: bool,
    },
    /// Two methods' intervals do not overlap.
    MethodsDisagree {
        /// One method.
        first: Method,
        /// The other.
        second: Method,
    },
    /// A method could not run on this table.
    MethodFailed {
        /// The method.
        method: Method,
        /// Why.
        reason: String,
    },
    /// A table with fewer people than a stratum needs to be estimated.
    FewPeople {
        /// People observed.
        observed: u64,
        /// The fewest a stratum needs ([`MIN_STRATUM_OBSERVED`]).
        minimum: u64,
    },
    /// The people with no value for the `--by` field are on a single list significantly more
    /// or less often than those with one, so the strata are not a fair split of the table.
    UnstratifiedDiffer {
        /// People with no value.
        unstratified: u64,
        /// Share of them on a single list.
        unstratified_single_share: f64,
        /// Share of the others on a single list.
        stratified_single_share: f64,
    },
    /// A stratum too small to estimate.
    StratumTooSmall {
        /// The stratum.
        stratum: String,
        /// People observed in it.
        observed: u64,
        /// The minimum needed.
        minimum: u64,
    },
    /// Records imported into the registry that no linkage run has placed in a person yet: the
    /// tables count linked persons only.
    UnlinkedRecords {
        /// Per source, by name, how many of its records are not linked.
        sources: Vec<(String, u64)>,
    },
    /// Pairs of records the linkage sent to review that nobody has decided yet (the registry
    /// says how many): the table's persons are not settled.
    UnreviewedPairs {
        /// Pairs awaiting a decision.
        pairs: u64,
    },
}

/// The mixing checks the chains failed ([`lcmcr::failed_mixing_checks`]), each with its
/// figure and what it needed; the ones that passed are not named, and a figure that could not
/// be worked out (too few draws, or draws that do not vary) says so instead of printing NaN.
fn failed_mixing_checks(
    effective_sample_size: f64,
    least_chain_effective_sample_size: f64,
    geweke_z: f64,
    split_r_hat: f64,
    chains: usize,
) -> Vec<String> {
    const NOT_WORKED_OUT: &str = "cannot be worked out (too few draws, or draws that do not vary)";
    let least = lcmcr::MIN_EFFECTIVE_DRAWS;
    let r_hat_limit = lcmcr::MAX_SPLIT_R_HAT;
    let z_name = if chains == 1 {
        "Geweke z".to_string()
    } else {
        format!("largest Geweke z of {chains} chains")
    };
    lcmcr::failed_mixing_checks(
        effective_sample_size,
        least_chain_effective_sample_size,
        geweke_z,
        split_r_hat,
        chains,
    )
    .into_iter()
    .map(|check| match check {
        MixingCheck::EffectiveDraws(draws) => {
            format!("effective sample size {draws:.0}, at least {least:.0} needed")
        }
        MixingCheck::StuckChain(draws) => {
            format!("the least of one chain {draws:.0}, more than 0 needed")
        }
        MixingCheck::Geweke { z, .. } if z.is_nan() => format!("{z_name} {NOT_WORKED_OUT}"),
        MixingCheck::Geweke { z, limit } => {
            format!("{z_name} {z:.1}, within ±{limit:.1} needed")
        }
        MixingCheck::SplitRHat(r_hat) if r_hat.is_nan() => {
            format!("split R-hat {NOT_WORKED_OUT}")
        }
        MixingCheck::SplitRHat(r_hat) => {
            format!("split R-hat {r_hat:.3}, at most {r_hat_limit} needed")
        }
    })
    .collect()
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::FewerThanThreeLists { lists } => write!(
                f,
                "only {lists} lists: with two lists the estimate rests entirely on the assumption that they are independent, which cannot be checked; find a third list"
            ),
            Warning::EmptyList { list } => write!(
                f,
                "list `{list}` recorded nobody in this table; it carries no information and should be dropped"
            ),
            Warning::NoOverlap { first, second } => write!(
                f,
                "nobody is on both `{first}` and `{second}`: their dependence cannot be estimated, and models that include it are excluded"
            ),
            Warning::ModelsExcluded { models, terms } => write!(
                f,
                "{models} log-linear model(s) excluded because nobody is on all of {}: such models have no finite estimate",
                terms.join(", ")
            ),
            Warning::ModelsDiverged { models } => write!(
                f,
                "{} log-linear model(s) excluded because their fit did not converge to a finite estimate: {}",
                models.len(),
                first_few(models)
            ),
            Warning::ModelsRunToZero { models, patterns } => write!(
                f,
                "{models} log-linear model(s) excluded because, with nobody on {}, their likelihood has no maximum: under them those empty patterns' fitted counts run to 0 and the estimate off to infinity or down to nobody unseen",
                patterns.join(" or ")
            ),
            Warning::StepwiseSearch { lists } => write!(
                f,
                "with {lists} lists there are too many log-linear models to fit them all; a stepwise search was used and may miss the best model"
            ),
            Warning::UnboundedInterval { model } => write!(
                f,
                "the likelihood of model {model} is too flat to bound its interval: the data cannot pin this model's estimate down"
            ),
            Warning::ChainNotMixed {
                effective_sample_size,
                least_chain_effective_sample_size,
                geweke_z,
                split_r_hat,
                chains,
            } => {
                let subject = if *chains == 1 {
                    "chain has"
                } else {
                    "chains have"
                };
                let failed = failed_mixing_checks(
                    *effective_sample_size,
                    *least_chain_effective_sample_size,
                    *geweke_z,
                    *split_r_hat,
                    *chains,
                );
                write!(
                    f,
                    "the LCMCR {subject} not mixed ({}): run longer (more burn-in, more thinning) before relying on it",
                    failed.join("; ")
                )
            }
            Warning::DrawsAllEqual { total } => write!(
                f,
                "every kept LCMCR draw of the total was {}: the lists overlap so fully that the sampler found no room for anyone unseen, so its interval is that one number and whether it mixed cannot be judged from the total",
                thousands(*total)
            ),
            Warning::GridTruncated { end, grid_given } => {
                let next = if *grid_given {
                    "widen the grid (--unseen-grid), or leave it out so that it widens itself"
                } else {
                    "the grid could not widen further within dga's memory limit, so rely on the other methods"
                };
                write!(
                    f,
                    "dga's posterior still has mass near {end} unseen people, an end of its grid: the estimate is cut off; {next}"
                )
            }
            Warning::MethodsDisagree { first, second } => write!(
                f,
                "{} and {} disagree beyond their 95% intervals: at least one model does not fit how these lists overlap; do not report a single number",
                first.title(),
                second.title()
            ),
            Warning::MethodFailed { method, reason } => {
                write!(f, "{} could not run: {reason}", method.title())
            }
            Warning::FewPeople { observed, minimum } => write!(
                f,
                "only {} observed, fewer than {minimum}, the fewest a stratum is estimated from: every estimate here rests on a handful of people seen more than once; read the intervals, not the points, and look for more records",
                people(*observed as f64)
            ),
            Warning::UnstratifiedDiffer {
                unstratified,
                unstratified_single_share,
                stratified_single_share,
            } => {
                let (direction, effect) = if unstratified_single_share > stratified_single_share {
                    ("more", "low")
                } else {
                    ("less", "high")
                };
                write!(
                    f,
                    "the {} with no value for this field {} on a single list {direction} often than the others ({:.0}% against {:.0}%): the unseen are estimated mostly from people seen once, so the strata's estimates run {effect} and need not add up to the overall estimate, which counts everyone",
                    people(*unstratified as f64),
                    if *unstratified == 1 { "is" } else { "are" },
                    unstratified_single_share * 100.0,
                    stratified_single_share * 100.0
                )
            }
            Warning::StratumTooSmall {
                stratum,
                observed,
                minimum,
            } => write!(
                f,
                "stratum `{stratum}` has {} observed, fewer than {minimum}: too few to estimate on its own; merge it with a neighbour",
                people(*observed as f64)
            ),
            Warning::UnlinkedRecords { sources } => write!(
                f,
                "records not yet linked are not counted ({}): run `whereabouts link` with the same --data, then estimate again; a source with none of its records linked is missing from the lists altogether",
                records_per_source(sources)
            ),
            Warning::UnreviewedPairs { pairs } => write!(
                f,
                "{pairs} pairs of records still await review: linkage could not tell whether each is one person or two. Each pair wrongly left apart raises these estimates, each wrongly joined lowers them; decide them (`whereabouts review list`) before relying on the numbers"
            ),
        }
    }
}

/// Which methods to run and with what settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateOptions {
    /// Methods to run, in report order.
    pub methods: Vec<Method>,
    /// Log-linear settings.
    pub loglinear: LoglinearOptions,
    /// LCMCR settings (including the seed).
    pub lcmcr: LcmcrOptions,
    /// dga settings.
    pub dga: DgaOptions,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        Self {
            methods: Method::ALL.to_vec(),
            loglinear: LoglinearOptions::default(),
            lcmcr: LcmcrOptions::default(),
            dga: DgaOptions::default(),
        }
    }
}

/// Everything the methods found on one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// List names.
    pub lists: Vec<String>,
    /// People seen on at least one list.
    pub observed: u64,
    /// One estimate per method that ran, in the order asked.
    pub estimates: Vec<Estimate>,
    /// Warnings, in plain words when displayed.
    pub warnings: Vec<Warning>,
    /// Log-linear details (all ranked models).
    pub loglinear: Option<LoglinearResult>,
    /// LCMCR details (posterior summary; draws kept in memory for plots).
    pub lcmcr: Option<LcmcrResult>,
    /// dga details (model probabilities, posterior over N in memory for plots).
    pub dga: Option<DgaResult>,
    /// Chao's classic bound, when `f2 > 0`.
    pub chao: Option<ChaoBound>,
    /// Chao's bias-corrected bound.
    pub chao_bias_corrected: Option<ChaoBound>,
}

/// Spread of the estimates across methods.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// Smallest point estimate.
    pub point_min: f64,
    /// Largest point estimate.
    pub point_max: f64,
    /// Lowest interval end.
    pub lower: f64,
    /// Highest interval end.
    pub upper: f64,
}

/// Runs the chosen methods on one table. A method that cannot run on this table becomes a
/// [`Warning::MethodFailed`]; the call fails when no method produced an estimate, and when a
/// setting is out of range ([`EstimateError::InvalidOption`]), whichever method it is for: a
/// mistyped option is refused by name, never reported as a method that could not run.
pub fn estimate(table: &CaptureTable, options: &EstimateOptions) -> Result<Report> {
    check_overlap(table)?;
    let mut report = Report {
        lists: table.lists().to_vec(),
        observed: table.observed(),
        estimates: Vec::new(),
        warnings: table_warnings(table),
        loglinear: None,
        lcmcr: None,
        dga: None,
        chao: None,
        chao_bias_corrected: None,
    };
    let mut first_error = None;
    for method in &options.methods {
        let outcome = match method {
            Method::Loglinear => run_loglinear(table, &options.loglinear, &mut report),
            Method::Lcmcr => run_lcmcr(table, &options.lcmcr, &mut report),
            Method::Dga => run_dga(table, &options.dga, &mut report),
            Method::Chao => run_chao(table, &mut report),
        };
        if let Err(error) = outcome {
            if matches!(error, EstimateError::InvalidOption { .. }) {
                return Err(error);
            }
            // "dga could not run: dga cannot run: …" says the method twice.
            let reason = match &error {
                EstimateError::CannotRun { reason, .. } => reason.clone(),
                other => other.to_string(),
            };
            report.warnings.push(Warning::MethodFailed {
                method: *method,
                reason,
            });
            first_error.get_or_insert(error);
        }
    }
    if report.estimates.is_empty() {
        return Err(first_error.unwrap_or(EstimateError::InvalidOption {
            option: "methods",
            reason: "choose at least one method".into(),
        }));
    }
    report.warnings.extend(disagreements(&report.estimates));
    Ok(report)
}

/// One stratum's outcome: a report, or the reason it was not estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumReport {
    /// The stratum value.
    pub stratum: String,
    /// People observed in it.
    pub observed: u64,
    /// The estimates, when the stratum was large enough and a method ran.
    pub report: Option<Report>,
    /// Why there is no report, in plain words.
    pub skipped: Option<String>,
}

/// Runs [`estimate`] on the overall table and on each stratum with at least
/// [`MIN_STRATUM_OBSERVED`] people; smaller strata are skipped with
/// [`Warning::StratumTooSmall`], which is also added to the overall report.
pub fn estimate_strata(
    tables: &StratifiedTables,
    options: &EstimateOptions,
) -> Result<(Report, Vec<StratumReport>)> {
    let mut overall = estimate(&tables.overall, options)?;
    overall.warnings.extend(unstratified_differ(tables));
    // Strata are independent and each takes about half a second of LCMCR: one per core, in
    // the strata's order.
    let named: Vec<(&String, &CaptureTable)> = tables.strata.iter().collect();
    let outcomes: Vec<_> = named
        .par_iter()
        .map(|(_, table)| {
            (table.observed() >= MIN_STRATUM_OBSERVED).then(|| estimate(table, options))
        })
        .collect();
    let mut strata = Vec::new();
    for ((name, table), outcome) in named.into_iter().zip(outcomes) {
        let observed = table.observed();
        let (report, skipped) = match outcome {
            None => {
                let warning = Warning::StratumTooSmall {
                    stratum: name.clone(),
                    observed,
                    minimum: MIN_STRATUM_OBSERVED,
                };
                let skipped = warning.to_string();
                overall.warnings.push(warning);
                (None, Some(skipped))
            }
            Some(Ok(report)) => (Some(report), None),
            Some(Err(error)) => (None, Some(error.to_string())),
        };
        strata.push(StratumReport {
            stratum: name.clone(),
            observed,
            report,
            skipped,
        });
    }
    Ok((overall, strata))
}

/// How many standard errors apart the shares of people on a single list, among those with a
/// stratum and those without, must be for [`Warning::UnstratifiedDiffer`]: a two-proportion z
/// test at about 1 in 400 when the two groups do not differ.
const SINGLE_LIST_SHARE_Z: f64 = 3.0;

/// The fewest people a group must be expected to have seen once, and seen more than once, for
/// the z test of [`Warning::UnstratifiedDiffer`] to be made: the usual rule for the normal
/// approximation (one person with no stratum, seen once, against 5% of 300 had warned).
const MIN_EXPECTED: f64 = 5.0;

/// [`Warning::UnstratifiedDiffer`] when the people with no stratum are on a single list
/// significantly more (or less) often than the others.
fn unstratified_differ(tables: &StratifiedTables) -> Option<Warning> {
    let single = |t: &CaptureTable| t.frequency_of_captures().get(1).copied().unwrap_or(0);
    let (stratified, stratified_single) = tables
        .strata
        .values()
        .fold((0, 0), |(n, f1), t| (n + t.observed(), f1 + single(t)));
    let unstratified = tables.unstratified;
    let unstratified_single = single(&tables.overall).checked_sub(stratified_single)?;
    if unstratified == 0 || stratified == 0 {
        return None;
    }
    let (nu, ns) = (unstratified as f64, stratified as f64);
    let (pu, ps) = (
        unstratified_single as f64 / nu,
        stratified_single as f64 / ns,
    );
    let pooled = (unstratified_single + stratified_single) as f64 / (nu + ns);
    // The normal approximation needs a few people expected on either side in both groups.
    let fewest_expected = nu.min(ns) * pooled.min(1.0 - pooled);
    if fewest_expected < MIN_EXPECTED {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / nu + 1.0 / ns)).sqrt();
    ((pu - ps).abs() > SINGLE_LIST_SHARE_Z * se).then_some(Warning::UnstratifiedDiffer {
        unstratified,
        unstratified_single_share: pu,
        stratified_single_share: ps,
    })
}

/// Refuses a table whose lists give nothing to extrapolate from: the unseen are estimated from
/// how the lists overlap, which needs two lists that recorded people and someone on more than
/// one of them.
fn check_overlap(table: &CaptureTable) -> Result<()> {
    let recording: Vec<&String> = table
        .lists()
        .iter()
        .zip(table.list_totals())
        .filter(|(_, total)| *total > 0)
        .map(|(list, _)| list)
        .collect();
    if let [only] = recording.as_slice() {
        return Err(EstimateError::NothingToEstimate {
            reason: format!(
                "only list `{only}` recorded anyone: the unseen are estimated from how lists overlap, which needs at least two lists that recorded people"
            ),
        });
    }
    let on_several: u64 = table.frequency_of_captures().iter().skip(2).sum();
    if on_several == 0 {
        return Err(EstimateError::NothingToEstimate {
            reason: "nobody is on more than one list: the unseen are estimated from how lists overlap, and these do not overlap at all; check that the same person was matched across the lists".into(),
        });
    }
    Ok(())
}

fn table_warnings(table: &CaptureTable) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let j = table.list_count();
    if j < 3 {
        warnings.push(Warning::FewerThanThreeLists { lists: j });
    }
    for (list, total) in table.lists().iter().zip(table.list_totals()) {
        if total == 0 {
            warnings.push(Warning::EmptyList { list: list.clone() });
        }
    }
    if table.observed() < MIN_STRATUM_OBSERVED {
        warnings.push(Warning::FewPeople {
            observed: table.observed(),
            minimum: MIN_STRATUM_OBSERVED,
        });
    }
    let totals = table.list_totals();
    for a in 0..j {
        for b in a + 1..j {
            if totals[a] > 0 && totals[b] > 0 && table.seen_by_all((1 << a) | (1 << b)) == 0 {
                warnings.push(Warning::NoOverlap {
                    first: table.lists()[a].clone(),
                    second: table.lists()[b].clone(),
                });
            }
        }
    }
    warnings
}

fn run_loglinear(
    table: &CaptureTable,
    options: &LoglinearOptions,
    report: &mut Report,
) -> Result<()> {
    let result = loglinear::fit_all(table, options)?;
    // The stepwise search (six lists or more) fits pairs only, and a pair with nobody in common
    // is already named by the table's warnings (`NoOverlap`, `EmptyList`).
    if result.excluded_zero_statistic > 0 && result.search == Search::Exhaustive {
        report.warnings.push(Warning::ModelsExcluded {
            models: result.excluded_zero_statistic,
            terms: result.zero_statistic_terms.clone(),
        });
    }
    if !result.divergent_models.is_empty() {
        report.warnings.push(Warning::ModelsDiverged {
            models: result.divergent_models.clone(),
        });
    }
    if result.excluded_running_to_zero > 0 {
        report.warnings.push(Warning::ModelsRunToZero {
            models: result.excluded_running_to_zero,
            patterns: result.patterns_running_to_zero.clone(),
        });
    }
    if result.search == Search::Stepwise {
        report.warnings.push(Warning::StepwiseSearch {
            lists: table.list_count(),
        });
    }
    let best = result.best();
    let (lower, upper) = best.interval.unwrap_or_else(|| {
        report.warnings.push(Warning::UnboundedInterval {
            model: best.model.clone(),
        });
        (table.observed() as f64, f64::INFINITY)
    });
    report.estimates.push(Estimate {
        method: Method::Loglinear,
        observed: table.observed(),
        point: best.estimate,
        lower,
        upper,
        model: Some(best.model.clone()),
        point_kind: "maximum likelihood",
        interval: IntervalKind::ProfileLikelihood,
    });
    report.loglinear = Some(result);
    Ok(())
}

fn run_lcmcr(table: &CaptureTable, options: &LcmcrOptions, report: &mut Report) -> Result<()> {
    let result = lcmcr::lcmcr(table, options)?;
    if result.draws_all_equal() {
        report.warnings.push(Warning::DrawsAllEqual {
            total: result.median,
        });
    } else if !result.has_mixed() {
        report.warnings.push(Warning::ChainNotMixed {
            effective_sample_size: result.effective_sample_size,
            least_chain_effective_sample_size: result.least_chain_effective_sample_size,
            geweke_z: result.geweke_z,
            split_r_hat: result.split_r_hat,
            chains: result.options.chains,
        });
    }
    report.estimates.push(Estimate {
        method: Method::Lcmcr,
        observed: table.observed(),
        point: result.median,
        lower: result.interval.0,
        upper: result.interval.1,
        model: Some(format!("{} latent classes (truncation)", options.classes)),
        point_kind: "posterior median",
        interval: IntervalKind::Credible,
    });
    report.lcmcr = Some(result);
    Ok(())
}

fn run_dga(table: &CaptureTable, options: &DgaOptions, report: &mut Report) -> Result<()> {
    let result = dga::dga(table, options)?;
    if let Some(end) = result.grid_truncated_at {
        report.warnings.push(Warning::GridTruncated {
            end,
            grid_given: options.missing.is_some(),
        });
    }
    report.estimates.push(Estimate {
        method: Method::Dga,
        observed: table.observed(),
        point: result.bayes_estimate,
        lower: result.interval.0,
        upper: result.interval.1,
        model: result.models.first().map(|m| {
            format!(
                "averaged over {} graphs; most probable {} (posterior probability {})",
                result.graphs,
                m.model,
                if m.probability < 0.005 {
                    "below 0.01".to_string()
                } else {
                    format!("{:.2}", m.probability)
                }
            )
        }),
        point_kind: "Bayes estimate under relative squared loss",
        interval: IntervalKind::Credible,
    });
    report.dga = Some(result);
    Ok(())
}

fn run_chao(table: &CaptureTable, report: &mut Report) -> Result<()> {
    let corrected = chao::chao(table, ChaoForm::BiasCorrected)?;
    let classic = chao::chao(table, ChaoForm::Classic).ok();
    let shown = classic.as_ref().unwrap_or(&corrected);
    report.estimates.push(Estimate {
        method: Method::Chao,
        observed: table.observed(),
        point: shown.estimate,
        lower: shown.interval.0,
        upper: shown.interval.1,
        model: Some(match shown.form {
            ChaoForm::Classic => "lower bound n + f1²/(2 f2)".into(),
            ChaoForm::BiasCorrected => "bias-corrected lower bound n + f1(f1−1)/(2(f2+1))".into(),
        }),
        point_kind: "lower bound",
        interval: IntervalKind::LogNormal,
    });
    report.chao = classic;
    report.chao_bias_corrected = Some(corrected);
    Ok(())
}

/// Pairs of methods whose intervals do not overlap. Chao is a lower bound, so it only
/// disagrees when its interval lies wholly above another method's.
fn disagreements(estimates: &[Estimate]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (i, a) in estimates.iter().enumerate() {
        for b in &estimates[i + 1..] {
            let apart = if a.method == Method::Chao {
                a.lower > b.upper
            } else if b.method == Method::Chao {
                b.lower > a.upper
            } else {
                a.upper < b.lower || b.upper < a.lower
            };
            if apart {
                warnings.push(Warning::MethodsDisagree {
                    first: a.method,
                    second: b.method,
                });
            }
        }
    }
    warnings
}

impl Report {
    /// Smallest and largest point estimates and the envelope of the intervals, over methods
    /// other than Chao (a lower bound) unless Chao is the only one.
    pub fn spread(&self) -> Option<Spread> {
        let estimates: Vec<&Estimate> = if self.estimates.iter().all(|e| e.method == Method::Chao) {
            self.estimates.iter().collect()
        } else {
            self.estimates
                .iter()
                .filter(|e| e.method != Method::Chao)
                .collect()
        };
        let first = estimates.first()?;
        let mut spread = Spread {
            point_min: first.point,
            point_max: first.point,
            lower: first.lower,
            upper: first.upper,
        };
        for e in &estimates[1..] {
            spread.point_min = spread.point_min.min(e.point);
            spread.point_max = spread.point_max.max(e.point);
            spread.lower = spread.lower.min(e.lower);
            spread.upper = spread.upper.max(e.upper);
        }
        Some(spread)
    }

    /// A plain-words summary: what was observed, the range across methods, each method with its
    /// interval, and the warnings.
    pub fn summary(&self) -> String {
        let observed = people(self.observed as f64);
        let appear = if observed == "1 person" {
            "appears"
        } else {
            "appear"
        };
        let mut out = format!(
            "{observed} {appear} on at least one of the {} lists ({}). That is a count, not an estimate: it is the floor.\n",
            self.lists.len(),
            self.lists.join(", ")
        );
        if let Some(spread) = self.spread() {
            let methods = self
                .estimates
                .iter()
                .filter(|e| e.method != Method::Chao)
                .count();
            if methods > 1 {
                let (fewest, most) = (
                    spread.point_min - self.observed as f64,
                    spread.point_max - self.observed as f64,
                );
                let agree = thousands(fewest) == thousands(most);
                let unseen = if agree {
                    people(most)
                } else {
                    format!("{} to {}", thousands(fewest), people(most))
                };
                let points = if agree {
                    format!("all put it at {}", thousands(spread.point_max))
                } else {
                    format!(
                        "put it between {} and {}",
                        thousands(spread.point_min),
                        thousands(spread.point_max)
                    )
                };
                let observed = self.observed as f64;
                out.push_str(&format!(
                    "Estimated total, seen and unseen: the {methods} estimating methods {points}, with 95% intervals that together run from {} to {}. About {unseen} would be on none of the lists ({} to {} by the intervals).\n",
                    thousands(spread.lower),
                    thousands(spread.upper),
                    thousands((spread.lower - observed).max(0.0)),
                    thousands(spread.upper - observed),
                ));
            } else {
                out.push_str(&format!(
                    "Estimated total, seen and unseen: one method only, so there is no spread across methods to show; its 95% interval runs from {} to {}.\n",
                    thousands(spread.lower),
                    thousands(spread.upper)
                ));
            }
        }
        for e in &self.estimates {
            let what = match e.method {
                Method::Chao => format!("at least {}", thousands(e.point)),
                _ => thousands(e.point),
            };
            out.push_str(&format!(
                "- {}: {what} ({}, {}: {} to {})",
                e.method.title(),
                e.point_kind,
                e.interval.words(),
                thousands(e.lower),
                thousands(e.upper)
            ));
            if let Some(model) = &e.model {
                out.push_str(&format!("; model: {model}"));
            }
            if e.method == Method::Chao {
                out.push_str(
                    "; a floor under unequal chances of being listed, not an estimate of the total",
                );
            }
            out.push_str(".\n");
        }
        if !self.warnings.is_empty() {
            out.push_str("Warnings:\n");
            for w in &self.warnings {
                out.push_str(&format!("- {w}.\n"));
            }
        }
        out.push_str("All of these assume the lists were matched correctly: a missed link inflates the estimate, a false link deflates it.\n");
        out
    }
}

/// A number of people in words: `1 person`, `4,400 people`.
pub fn people(x: f64) -> String {
    let number = thousands(x);
    if number == "1" {
        "1 person".into()
    } else {
        format!("{number} people")
    }
}

/// Records per source in words: `219 of `s3`, 12 of `s4``.
pub fn records_per_source(sources: &[(String, u64)]) -> String {
    sources
        .iter()
        .map(|(source, records)| format!("{} of `{source}`", thousands(*records as f64)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first three names joined with `; `, then how many more.
fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = names[..names.len().min(SHOWN)].join("; ");
    match names.len().saturating_sub(SHOWN) {
        0 => shown,
        more => format!("{shown}; and {more} more"),
    }
}

/// Rounds to a whole number with thousands separators (`10,356`); `∞` for unbounded; from a
/// million billion up, in powers of ten (`3.20e19`), where whole digits would be noise (and past
/// 2^63 had printed as 9,223,372,036,854,775,807).
pub fn thousands(x: f64) -> String {
    /// From here on a count is written with an exponent.
    const EXPONENT_FROM: f64 = 1e15;
    if !x.is_finite() {
        return "∞".into();
    }
    if x.abs() >= EXPONENT_FROM {
        return format!("{x:.2e}");
    }
    let rounded = x.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_not_mixed_warning_names_the_checks_that_failed_with_their_limits() {
        let one = Warning::ChainNotMixed {
            effective_sample_size: 80.0,
            least_chain_effective_sample_size: 80.0,
            geweke_z: 3.2,
            split_r_hat: 1.012,
            chains: 1,
        }
        .to_string();
        assert!(
            one.starts_with("the LCMCR chain has not mixed (effective sample size 80, at least 100 needed; Geweke z 3.2, within ±3.0 needed)"),
            "{one}"
        );
        assert!(
            !one.contains("R-hat"),
            "a check that passed is not named: {one}"
        );
        let sixteen = Warning::ChainNotMixed {
            effective_sample_size: 2_400.0,
            least_chain_effective_sample_size: 0.0,
            geweke_z: -4.2,
            split_r_hat: 1.004,
            chains: 16,
        }
        .to_string();
        assert!(
            sixteen.contains("chains have not mixed (the least of one chain 0, more than 0 needed; largest Geweke z of 16 chains -4.2, within ±3.8 needed)"),
            "{sixteen}"
        );
        let few = Warning::ChainNotMixed {
            effective_sample_size: 3.0,
            least_chain_effective_sample_size: 3.0,
            geweke_z: 0.4,
            split_r_hat: f64::NAN,
            chains: 1,
        }
        .to_string();
        assert!(
            few.contains("split R-hat cannot be worked out") && !few.contains("NaN"),
            "{few}"
        );
    }

    fn quick() -> EstimateOptions {
        EstimateOptions {
            lcmcr: LcmcrOptions {
                burn_in: 200,
                thinning: 2,
                draws: 200,
                ..LcmcrOptions::default()
            },
            ..EstimateOptions::default()
        }
    }

    #[test]
    fn diverged_models_are_named_three_at_most() {
        let models: Vec<String> = ["a:b", "a:c", "b:c", "a:b + a:c", "a:b + b:c"]
            .map(String::from)
            .to_vec();
        let text = Warning::ModelsDiverged { models }.to_string();
        assert!(
            text.starts_with("5 log-linear model(s) excluded")
                && text.ends_with("to a finite estimate: a:b; a:c; b:c; and 2 more"),
            "{text}"
        );
        assert_eq!(first_few(&["a:b".to_string()]), "a:b");
    }

    #[test]
    fn people_are_counted_in_words() {
        assert_eq!(people(1.0), "1 person");
        assert_eq!(people(0.6), "1 person");
        assert_eq!(people(4_400.0), "4,400 people");
        assert_eq!(people(0.0), "0 people");
    }

    #[test]
    fn thousands_are_separated() {
        for (x, s) in [
            (10356.5, "10,357"),
            (999.0, "999"),
            (1234567.0, "1,234,567"),
            (0.0, "0"),
            (-2_500.4, "-2,500"),
            (999_999_999_999_999.0, "999,999,999,999,999"),
            (3.2e19, "3.20e19"),
        ] {
            assert_eq!(thousands(x), s);
        }
    }

    #[test]
    fn a_table_without_overlap_is_not_estimated() {
        let options = quick();
        for (text, reason) in [
            ("a,b,c,count\n1,0,0,50\n", "only list `a` recorded anyone"),
            (
                "a,b,c,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n",
                "nobody is on more than one list",
            ),
        ] {
            let t = CaptureTable::parse_csv(text).unwrap();
            let error = estimate(&t, &options).unwrap_err();
            assert!(
                matches!(&error, EstimateError::NothingToEstimate { reason: r } if r.contains(reason)),
                "{error}"
            );
        }
        // One person on two lists is enough to run.
        let t = CaptureTable::parse_csv("a,b,c,count\n1,0,0,50\n0,1,0,40\n1,1,0,1\n").unwrap();
        assert!(estimate(&t, &options).is_ok());
    }

    #[test]
    fn lcmcr_draws_that_never_move_are_told_apart_from_a_chain_that_has_not_mixed() {
        // A million people on all three lists: nobody unseen is plausible, every draw is the
        // count itself.
        let full = CaptureTable::parse_csv("a,b,c,count\n1,1,1,1000000\n").unwrap();
        let options = EstimateOptions {
            methods: vec![Method::Lcmcr],
            ..quick()
        };
        let report = estimate(&full, &options).unwrap();
        assert!(
            report
                .warnings
                .contains(&Warning::DrawsAllEqual { total: 1e6 }),
            "{:?}",
            report.warnings
        );
        assert!(
            !report
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::ChainNotMixed { .. })),
            "{:?}",
            report.warnings
        );
        let text = Warning::DrawsAllEqual { total: 1e6 }.to_string();
        assert!(
            text.starts_with("every kept LCMCR draw of the total was 1,000,000")
                && !text.contains("run longer"),
            "{text}"
        );
        // Too few draws to say the posterior sits on one number: the usual warning.
        let few = EstimateOptions {
            methods: vec![Method::Lcmcr],
            lcmcr: LcmcrOptions {
                draws: 20,
                ..quick().lcmcr
            },
            ..quick()
        };
        let report = estimate(&full, &few).unwrap();
        assert!(
            report
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::ChainNotMixed { .. })),
            "{:?}",
            report.warnings
        );
    }

    #[test]
    fn few_people_are_warned_about_and_a_setting_out_of_range_is_refused_whatever_the_method() {
        let tiny =
            CaptureTable::parse_csv("a,b,c,count\n1,1,0,3\n1,0,0,4\n0,1,0,2\n0,0,1,1\n").unwrap();
        let few = Warning::FewPeople {
            observed: 10,
            minimum: MIN_STRATUM_OBSERVED,
        };
        assert!(estimate(&tiny, &quick()).unwrap().warnings.contains(&few));
        assert!(
            few.to_string().starts_with("only 10 people observed"),
            "{few}"
        );
        let enough = CaptureTable::parse_csv(
            "a,b,c,count\n1,1,0,30\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,0,1,10\n",
        )
        .unwrap();
        let report = estimate(&enough, &quick()).unwrap();
        assert!(
            !report
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::FewPeople { .. })),
            "{:?}",
            report.warnings
        );
        // With every method chosen, LCMCR's impossible K stops the run instead of becoming "LCMCR
        // could not run" beside the other methods' figures.
        let mut bad = quick();
        bad.lcmcr.classes = 0;
        let error = estimate(&enough, &bad).unwrap_err();
        assert!(
            matches!(
                error,
                EstimateError::InvalidOption {
                    option: "classes",
                    ..
                }
            ),
            "{error}"
        );
        // Even where dga could not run anyway (six lists), its impossible δ is refused.
        let six = CaptureTable::from_counts(
            (0..6).map(|l| format!("L{l}")).collect(),
            (0..64)
                .map(|pattern| if pattern == 0 { 0 } else { 5 })
                .collect(),
        )
        .unwrap();
        let mut bad = quick();
        bad.dga.delta = Some(-1.0);
        let error = estimate(&six, &bad).unwrap_err();
        assert!(
            matches!(
                error,
                EstimateError::InvalidOption {
                    option: "delta",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn methods_that_agree_are_said_to_and_the_unseen_come_with_their_interval() {
        // Three independent lists, everyone on each with chance ½: 100 people a pattern, 800 in
        // all.
        let even = CaptureTable::parse_csv(
            "a,b,c,count\n1,1,1,100\n1,1,0,100\n1,0,1,100\n0,1,1,100\n1,0,0,100\n0,1,0,100\n0,0,1,100\n",
        )
        .unwrap();
        let options = EstimateOptions {
            methods: vec![Method::Loglinear, Method::Dga],
            ..quick()
        };
        let report = estimate(&even, &options).unwrap();
        let summary = report.summary();
        let spread = report.spread().unwrap();
        let unseen = format!(
            "About 100 people would be on none of the lists ({} to {} by the intervals)",
            thousands(spread.lower - 700.0),
            thousands(spread.upper - 700.0)
        );
        assert!(
            summary.contains("the 2 estimating methods all put it at 800, with 95% intervals")
                && summary.contains(&unseen),
            "{summary}"
        );
    }

    #[test]
    fn two_lists_and_a_missing_overlap_are_warned_about() {
        let t = CaptureTable::parse_csv(
            "a,b,c,count\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,0,1,10\n1,1,0,8\n",
        )
        .unwrap();
        let warnings = table_warnings(&t);
        assert!(warnings.contains(&Warning::NoOverlap {
            first: "b".into(),
            second: "c".into()
        }));
        let two = CaptureTable::parse_csv("a,b,count\n1,1,10\n1,0,20\n0,1,30\n").unwrap();
        assert!(table_warnings(&two).contains(&Warning::FewerThanThreeLists { lists: 2 }));
    }

    #[test]
    fn methods_whose_intervals_do_not_overlap_are_flagged() {
        let e = |method, lower, upper| Estimate {
            method,
            observed: 10,
            point: (lower + upper) / 2.0,
            lower,
            upper,
            model: None,
            point_kind: "",
            interval: IntervalKind::Credible,
        };
        let cases = [
            (
                vec![
                    e(Method::Loglinear, 10.0, 20.0),
                    e(Method::Lcmcr, 15.0, 30.0),
                ],
                0,
                "overlapping",
            ),
            (
                vec![
                    e(Method::Loglinear, 10.0, 20.0),
                    e(Method::Lcmcr, 25.0, 30.0),
                ],
                1,
                "apart",
            ),
            (
                vec![e(Method::Chao, 10.0, 12.0), e(Method::Lcmcr, 25.0, 30.0)],
                0,
                "a bound below is fine",
            ),
            (
                vec![e(Method::Chao, 40.0, 50.0), e(Method::Lcmcr, 25.0, 30.0)],
                1,
                "a bound above is not",
            ),
        ];
        for (estimates, expected, description) in cases {
            assert_eq!(disagreements(&estimates).len(), expected, "{description}");
        }
    }

    #[test]
    fn every_number_in_the_summary_comes_with_an_interval() {
        let t = CaptureTable::parse_csv(
            "b,c,d,count\n1,1,1,12\n1,1,0,54\n1,0,1,6\n1,0,0,5\n0,1,1,0\n0,1,0,5\n0,0,1,41\n",
        )
        .unwrap();
        let report = estimate(&t, &quick()).unwrap();
        let summary = report.summary();
        assert!(summary.contains("between"), "{summary}");
        for line in summary
            .lines()
            .filter(|l| l.starts_with("- ") && !l.starts_with("- Warnings"))
        {
            if line.contains(": ") && (line.contains("interval")) {
                assert!(line.contains(" to "), "{line}");
            }
        }
        assert_eq!(report.estimates.len(), 4);
    }

    #[test]
    fn people_without_a_stratum_seen_once_more_often_are_warned_about() {
        let lists = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        // 300 people in two strata, a third of them on a single list; `unknown` more people with
        // no stratum, each with the share `once` of them on a single list.
        let tables = |unknown: usize, once: usize| {
            let mut people: Vec<(Option<String>, Vec<bool>)> = (0..300)
                .map(|i| {
                    let stratum = if i % 2 == 0 { "Karaj" } else { "Tehran" };
                    let h = vec![true, i % 3 != 0, i % 3 == 2];
                    (Some(stratum.to_string()), h)
                })
                .collect();
            people.extend((0..unknown).map(|i| (None, vec![true, i >= once, false])));
            StratifiedTables::from_histories(
                lists.clone(),
                people.iter().map(|(s, h)| (s.clone(), h.as_slice())),
            )
            .unwrap()
        };
        let differ = |t: &StratifiedTables| {
            let options = EstimateOptions {
                methods: vec![Method::Chao],
                ..quick()
            };
            let (overall, _) = estimate_strata(t, &options).unwrap();
            overall
                .warnings
                .into_iter()
                .find(|w| matches!(w, Warning::UnstratifiedDiffer { .. }))
        };
        // 60 people with no stratum, 45 of them on one list (75%, against 33%).
        let warning = differ(&tables(60, 45)).unwrap();
        assert_eq!(
            warning,
            Warning::UnstratifiedDiffer {
                unstratified: 60,
                unstratified_single_share: 0.75,
                stratified_single_share: 100.0 / 300.0,
            }
        );
        assert!(
            warning
                .to_string()
                .contains("more often than the others (75% against 33%)")
                && warning.to_string().contains("run low"),
            "{warning}"
        );
        // The same share as the rest: nothing to say; and one person is too few to test.
        assert_eq!(differ(&tables(60, 20)), None);
        assert_eq!(differ(&tables(1, 1)), None);
    }

    #[test]
    fn small_strata_are_skipped_with_a_warning() {
        let lists = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        let mut people: Vec<(Option<String>, Vec<bool>)> = Vec::new();
        for i in 0..200 {
            let stratum = if i < 10 { "Karaj" } else { "Tehran" };
            let h = vec![
                i % 2 == 0,
                i % 3 == 0,
                i % 5 == 0 || (i % 2 != 0 && i % 3 != 0),
            ];
            people.push((Some(stratum.to_string()), h));
        }
        let tables = StratifiedTables::from_histories(
            lists,
            people.iter().map(|(s, h)| (s.clone(), h.as_slice())),
        )
        .unwrap();
        let options = EstimateOptions {
            methods: vec![Method::Loglinear, Method::Chao],
            ..quick()
        };
        let (overall, strata) = estimate_strata(&tables, &options).unwrap();
        assert_eq!(strata.len(), 2);
        let karaj = strata.iter().find(|s| s.stratum == "Karaj").unwrap();
        assert!(karaj.report.is_none());
        assert!(karaj.skipped.as_deref().unwrap_or("").contains("too few"));
        assert!(
            overall
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::StratumTooSmall { .. }))
        );
        let tehran = strata.iter().find(|s| s.stratum == "Tehran").unwrap();
        assert_eq!(tehran.observed, 190);
        assert_eq!(
            tehran.report.as_ref().map(|r| r.observed),
            Some(190),
            "a stratum's report is its own table's, whatever thread made it"
        );
    }
}
