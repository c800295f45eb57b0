//! Log-linear models (Fienberg 1972; Bishop, Fienberg & Holland 1975): a Poisson GLM with log
//! link fitted by iteratively reweighted least squares on the `2^J − 1` observed cells. The
//! unobserved cell has every list indicator at zero, so its expected count is `exp(intercept)` and
//! the estimate of the total is `observed + exp(intercept)`.
//!
//! [`fit_all`] fits every hierarchical model with interactions up to order 3 for `J ≤ 5` and up to
//! order 2 for `J ≤ 8` (exhaustively while there are at most [`EXHAUSTIVE_LIMIT`] models, otherwise
//! by a forward–backward stepwise search, which the result says), ranks them by BIC (with the log
//! of the observed total) or AIC, and gives the chosen model a 95% **profile-likelihood** interval
//! (Cormack 1992: the multinomial likelihood of the complete table profiled over `N`).
//!
//! A model containing an interaction whose sufficient statistic (people seen by all its lists) is
//! zero has no finite maximum-likelihood estimate: it is excluded and counted in the result, never
//! reported. So is a model left without a maximum by empty patterns (Haberman 1974): its fit
//! sends those patterns' fitted counts to 0 and the estimate off to infinity or down to nobody
//! unseen; a linear program finds them before fitting. Models whose fit diverges for another
//! reason are excluded likewise.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use crate::error::{EstimateError, Result};
use crate::table::CaptureTable;

/// Above this many candidate models the search is stepwise instead of exhaustive.
pub const EXHAUSTIVE_LIMIT: usize = 40_000;

/// 95% point of the χ² distribution with one degree of freedom.
const CHI2_1_95: f64 = 3.841_458_820_694_124;

/// How models are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// `−2 log L + k log n_observed`.
    #[default]
    Bic,
    /// `−2 log L + 2k`.
    Aic,
}

/// Options for [`fit_all`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoglinearOptions {
    /// Highest interaction order; `None` means 3 when `J ≤ 5`, else 2 (never above `J − 1`).
    pub max_order: Option<usize>,
    /// Ranking criterion.
    pub criterion: Criterion,
    /// How many of the best models get a 95% profile-likelihood interval (at least 1).
    pub models_with_intervals: usize,
}

impl Default for LoglinearOptions {
    fn default() -> Self {
        Self {
            max_order: None,
            criterion: Criterion::Bic,
            models_with_intervals: 10,
        }
    }
}

/// How the model space was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Search {
    /// Every hierarchical model up to the maximum order was fitted.
    Exhaustive,
    /// Too many models: a forward–backward stepwise search from independence.
    Stepwise,
}

/// One fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFit {
    /// Interaction terms joined with ` + ` (e.g. `EXH:ABA + ABA:OSCE`), or `independence`.
    pub model: String,
    /// Interaction terms as list masks (order ≥ 2; main effects are always in).
    #[serde(skip)]
    pub terms: Vec<usize>,
    /// Number of parameters including the intercept.
    pub parameters: usize,
    /// Residual deviance on the observed cells.
    pub deviance: f64,
    /// Residual degrees of freedom (`2^J − 1 − parameters`).
    pub df: usize,
    /// Poisson log-likelihood on the observed cells, constants included.
    pub log_likelihood: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion with `log(observed)`.
    pub bic: f64,
    /// Estimated number of people on no list (`exp(intercept)`).
    pub missing: f64,
    /// Estimated total (`observed + missing`).
    pub estimate: f64,
    /// 95% profile-likelihood interval for the total, when computed (the best models only).
    pub interval: Option<(f64, f64)>,
}

/// Every estimable model, ranked, with the chosen one first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoglinearResult {
    /// Ranking criterion used.
    pub criterion: Criterion,
    /// Highest interaction order considered.
    pub max_order: usize,
    /// Exhaustive or stepwise.
    pub search: Search,
    /// Estimable models, best first by the criterion.
    pub fits: Vec<ModelFit>,
    /// Models excluded because an interaction's sufficient statistic is zero (no finite MLE).
    pub excluded_zero_statistic: usize,
    /// Models excluded because the fit did not converge to a finite estimate.
    pub excluded_divergent: usize,
    /// Those models, by name.
    pub divergent_models: Vec<String>,
    /// Models excluded because, with some pattern empty, their likelihood has no maximum: the
    /// fitted count of those empty patterns runs to 0 and the estimate off to infinity or to
    /// nobody unseen (Haberman 1974).
    pub excluded_running_to_zero: usize,
    /// The interaction terms with a zero sufficient statistic, by name.
    pub zero_statistic_terms: Vec<String>,
    /// The empty patterns whose fitted count ran to 0 in some model, in words (`a & b only`).
    pub patterns_running_to_zero: Vec<String>,
}

impl LoglinearResult {
    /// The chosen (best-ranked) model.
    pub fn best(&self) -> &ModelFit {
        // `fit_all` never returns an empty list.
        &self.fits[0]
    }
}

/// Fits the model with the given interaction terms (masks of order ≥ 2; main effects are
/// implied). Fails if a term has a zero sufficient statistic or the fit diverges.
pub fn fit_model(table: &CaptureTable, terms: &[usize]) -> Result<ModelFit> {
    if let Some(term) = terms.iter().find(|t| table.seen_by_all(**t) == 0) {
        return Err(EstimateError::NoEstimableModel {
            reason: format!(
                "nobody is on all of {}, so that interaction has no finite estimate",
                table.term_name(*term)
            ),
        });
    }
    fit_terms(table, terms).map_err(|unfit| EstimateError::NoEstimableModel {
        reason: match unfit {
            Unfit::Diverged => format!("the fit of {} did not converge", model_name(table, terms)),
            Unfit::RunsToZero(cells) => format!(
                "{} has no finite estimate: with nobody on {}, its fit runs off to the edge (the empty pattern's fitted count to 0)",
                model_name(table, terms),
                pattern_names(table, &cells)
            ),
        },
    })
}

/// Patterns in words, joined with `or` (`a & b only or c only`).
fn pattern_names(table: &CaptureTable, patterns: &[usize]) -> String {
    patterns
        .iter()
        .map(|p| table.pattern_name(*p))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The models a search left out after fitting them, each once.
#[derive(Debug, Default)]
struct LeftOut {
    models: Vec<(Vec<usize>, Unfit)>,
}

impl LeftOut {
    fn note(&mut self, terms: &[usize], unfit: Unfit) {
        let mut terms = terms.to_vec();
        terms.sort_unstable();
        if !self.models.iter().any(|(t, _)| *t == terms) {
            self.models.push((terms, unfit));
        }
    }

    fn divergent(&self, table: &CaptureTable) -> Vec<String> {
        self.models
            .iter()
            .filter(|(_, unfit)| *unfit == Unfit::Diverged)
            .map(|(terms, _)| model_name(table, terms))
            .collect()
    }

    /// How many models ran to zero, and the empty patterns that did, each once, in order.
    fn running_to_zero(&self) -> (usize, Vec<usize>) {
        let mut patterns: Vec<usize> = Vec::new();
        let mut models = 0;
        for (_, unfit) in &self.models {
            if let Unfit::RunsToZero(cells) = unfit {
                models += 1;
                patterns.extend(cells);
            }
        }
        patterns.sort_unstable();
        patterns.dedup();
        (models, patterns)
    }
}

/// The highest interaction order fitted when none is asked for (lowered to what the lists allow).
const DEFAULT_MAX_ORDER: usize = 3;

/// Fits and ranks all hierarchical models (see the module documentation), computing profile
/// intervals for the best `options.models_with_intervals` models.
pub fn fit_all(table: &CaptureTable, options: &LoglinearOptions) -> Result<LoglinearResult> {
    let j = table.list_count();
    if options.max_order == Some(0) {
        return Err(EstimateError::InvalidOption {
            option: "max_order",
            reason: "must be at least 1 (1 fits the independence model only)".into(),
        });
    }
    // The interaction of all lists is the unseen cell's own degree of freedom; past 5 lists
    // only pairs are fitted.
    let highest = if j > 5 { 2 } else { j - 1 };
    if let Some(asked) = options.max_order.filter(|&order| order > highest) {
        let why = if j > 5 {
            format!("with {j} lists only pairwise interactions are fitted")
        } else {
            format!(
                "an interaction of all {j} lists cannot be told apart from the people no list saw"
            )
        };
        return Err(EstimateError::InvalidOption {
            option: "max_order",
            reason: format!(
                "{asked} is more than {j} lists allow: {why}, so the highest order is {highest}; \
                 give that or less, or leave the option out"
            ),
        });
    }
    let max_order = options.max_order.unwrap_or(highest.min(DEFAULT_MAX_ORDER));
    let zero_terms: Vec<usize> = candidate_terms(j, max_order)
        .into_iter()
        .filter(|t| table.seen_by_all(*t) == 0)
        .collect();
    let rank = |fit: &ModelFit| match options.criterion {
        Criterion::Bic => fit.bic,
        Criterion::Aic => fit.aic,
    };
    let mut excluded_zero = 0;
    let mut left_out = LeftOut::default();
    let mut fits = Vec::new();
    let search;
    if let Some(models) = enumerate_models(j, max_order, EXHAUSTIVE_LIMIT) {
        search = Search::Exhaustive;
        for terms in models {
            if terms.iter().any(|t| zero_terms.contains(t)) {
                excluded_zero += 1;
                continue;
            }
            match fit_terms(table, &terms) {
                Ok(fit) => fits.push(fit),
                Err(unfit) => left_out.note(&terms, unfit),
            }
        }
    } else {
        search = Search::Stepwise;
        let allowed: Vec<usize> = candidate_terms(j, max_order)
            .into_iter()
            .filter(|t| !zero_terms.contains(t))
            .collect();
        excluded_zero = zero_terms.len();
        fits = stepwise(table, &allowed, &rank, &mut left_out);
    }
    if fits.is_empty() {
        return Err(EstimateError::NoEstimableModel {
            reason: "every candidate model has a zero sufficient statistic, diverges or has an empty cell whose fit runs to zero".into(),
        });
    }
    let divergent_models = left_out.divergent(table);
    let (excluded_running_to_zero, patterns_running_to_zero) = left_out.running_to_zero();
    fits.sort_by(|a, b| rank(a).total_cmp(&rank(b)));
    for fit in fits.iter_mut().take(options.models_with_intervals.max(1)) {
        fit.interval = profile_interval(table, &fit.terms, fit.estimate);
    }
    Ok(LoglinearResult {
        criterion: options.criterion,
        max_order,
        search,
        fits,
        excluded_zero_statistic: excluded_zero,
        excluded_divergent: divergent_models.len(),
        divergent_models,
        excluded_running_to_zero,
        zero_statistic_terms: zero_terms.iter().map(|t| table.term_name(*t)).collect(),
        patterns_running_to_zero: patterns_running_to_zero
            .iter()
            .map(|p| table.pattern_name(*p))
            .collect(),
    })
}

/// All interaction masks of order 2..=max_order over `j` lists.
fn candidate_terms(j: usize, max_order: usize) -> Vec<usize> {
    let mut terms: Vec<usize> = (1usize..1 << j)
        .filter(|m| (2..=max_order).contains(&(m.count_ones() as usize)))
        .collect();
    terms.sort_by_key(|m| (m.count_ones(), *m));
    terms
}

/// Every hierarchical model (a set of interactions closed under taking sub-interactions of
/// order ≥ 2), or `None` if there are more than `limit`.
fn enumerate_models(j: usize, max_order: usize, limit: usize) -> Option<Vec<Vec<usize>>> {
    let terms = candidate_terms(j, max_order);
    let mut models = Vec::new();
    let mut chosen = Vec::new();
    if extend_models(&terms, 0, &mut chosen, &mut models, limit) {
        Some(models)
    } else {
        None
    }
}

/// Depth-first: include or skip `terms[next]`; a term may be included only if all its
/// sub-terms of one order lower (and order ≥ 2) are already in. Returns false past `limit`.
fn extend_models(
    terms: &[usize],
    next: usize,
    chosen: &mut Vec<usize>,
    models: &mut Vec<Vec<usize>>,
    limit: usize,
) -> bool {
    if next == terms.len() {
        models.push(chosen.clone());
        return models.len() <= limit;
    }
    if !extend_models(terms, next + 1, chosen, models, limit) {
        return false;
    }
    let term = terms[next];
    let closed = term.count_ones() == 2
        || (0..usize::BITS as usize)
            .filter(|bit| term & (1 << bit) != 0)
            .all(|bit| chosen.contains(&(term & !(1 << bit))));
    if closed {
        chosen.push(term);
        let ok = extend_models(terms, next + 1, chosen, models, limit);
        chosen.pop();
        return ok;
    }
    true
}

/// Greedy forward then backward search over hierarchical models.
fn stepwise(
    table: &CaptureTable,
    allowed: &[usize],
    rank: &dyn Fn(&ModelFit) -> f64,
    left_out: &mut LeftOut,
) -> Vec<ModelFit> {
    let mut seen: Vec<ModelFit> = Vec::new();
    let mut current = match fit_terms(table, &[]) {
        Ok(fit) => fit,
        Err(unfit) => {
            left_out.note(&[], unfit);
            return seen;
        }
    };
    seen.push(current.clone());
    loop {
        let mut best: Option<ModelFit> = None;
        let neighbours = allowed
            .iter()
            .filter(|t| !current.terms.contains(t))
            .filter(|t| is_addable(**t, &current.terms))
            .map(|t| {
                let mut terms = current.terms.clone();
                terms.push(*t);
                terms
            })
            .chain(
                current
                    .terms
                    .iter()
                    .filter(|t| !current.terms.iter().any(|u| *u != **t && *u & **t == **t))
                    .map(|t| current.terms.iter().copied().filter(|u| u != t).collect()),
            )
            .collect::<Vec<Vec<usize>>>();
        for terms in neighbours {
            match fit_terms(table, &terms) {
                Ok(fit) => {
                    seen.push(fit.clone());
                    if best.as_ref().is_none_or(|b| rank(&fit) < rank(b)) {
                        best = Some(fit);
                    }
                }
                Err(unfit) => left_out.note(&terms, unfit),
            }
        }
        match best {
            Some(fit) if rank(&fit) < rank(&current) => current = fit,
            _ => break,
        }
    }
    seen.sort_by(|a, b| a.terms.cmp(&b.terms));
    seen.dedup_by(|a, b| a.terms == b.terms);
    seen
}

fn is_addable(term: usize, terms: &[usize]) -> bool {
    term.count_ones() == 2
        || (0..usize::BITS as usize)
            .filter(|bit| term & (1 << bit) != 0)
            .all(|bit| terms.contains(&(term & !(1 << bit))))
}

/// Interaction terms joined with ` + `, or `independence`.
pub fn model_name(table: &CaptureTable, terms: &[usize]) -> String {
    if terms.is_empty() {
        return "independence".into();
    }
    let mut sorted = terms.to_vec();
    sorted.sort_by_key(|m| (m.count_ones(), m.trailing_zeros(), *m));
    sorted
        .iter()
        .map(|t| table.term_name(*t))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Design row for a cell: intercept, main effects, then the interactions.
fn design(j: usize, terms: &[usize], cells: impl Iterator<Item = usize>) -> (Vec<f64>, usize) {
    let columns: Vec<usize> = (0..j)
        .map(|b| 1 << b)
        .chain(terms.iter().copied())
        .collect();
    let p = columns.len() + 1;
    let mut x = Vec::new();
    for cell in cells {
        x.push(1.0);
        x.extend(
            columns
                .iter()
                .map(|c| if cell & c == *c { 1.0 } else { 0.0 }),
        );
    }
    (x, p)
}

/// Why a model was left out after fitting.
#[derive(Debug, Clone, PartialEq)]
enum Unfit {
    /// The fit did not converge, or to no finite estimate.
    Diverged,
    /// The likelihood has no maximum: the means of these empty cells (pattern masks) run to 0.
    RunsToZero(Vec<usize>),
}

fn fit_terms(table: &CaptureTable, terms: &[usize]) -> std::result::Result<ModelFit, Unfit> {
    let j = table.list_count();
    let cells = 1usize << j;
    let (x, p) = design(j, terms, 1..cells);
    let y: Vec<f64> = (1..cells).map(|c| table.count(c) as f64).collect();
    if y.contains(&0.0) {
        // A solver failure leaves the question to the fit and its divergence checks.
        if let Some(forced) = cells_forced_to_zero(&x, p, &y).filter(|f| !f.is_empty()) {
            // Index i of `y` is the pattern i + 1.
            return Err(Unfit::RunsToZero(forced.iter().map(|i| i + 1).collect()));
        }
    }
    let glm = poisson_irls(&x, p, &y).ok_or(Unfit::Diverged)?;
    let intercept = glm.beta[0];
    let missing = intercept.exp();
    if !missing.is_finite() || glm.beta.iter().any(|b| b.abs() > 40.0) {
        return Err(Unfit::Diverged);
    }
    let log_likelihood: f64 = y
        .iter()
        .zip(&glm.mu)
        .map(|(y, mu)| y * mu.ln() - mu - ln_gamma(y + 1.0))
        .sum();
    let n = table.observed() as f64;
    let k = p as f64;
    Ok(ModelFit {
        model: model_name(table, terms),
        terms: terms.to_vec(),
        parameters: p,
        deviance: glm.deviance,
        df: (cells - 1).saturating_sub(p),
        log_likelihood,
        aic: -2.0 * log_likelihood + 2.0 * k,
        bic: -2.0 * log_likelihood + k * n.ln(),
        missing,
        estimate: n + missing,
        interval: None,
    })
}

/// Profile-likelihood interval for `N` (Cormack 1992): for each candidate `N` the complete
/// table, with `N − n` people in the unobserved cell, is fitted and its multinomial
/// log-likelihood compared with the maximum; the interval holds every `N` within
/// `χ²₁(0.95) / 2` of it. `None` when the bound cannot be found (the likelihood is flat).
pub fn profile_interval(
    table: &CaptureTable,
    terms: &[usize],
    estimate: f64,
) -> Option<(f64, f64)> {
    let n = table.observed() as f64;
    let j = table.list_count();
    let cells = 1usize << j;
    let (x, p) = design(j, terms, 0..cells);
    let profile = |total: f64| -> Option<f64> {
        let missing = (total - n).max(0.0);
        let mut y: Vec<f64> = (0..cells).map(|c| table.count(c) as f64).collect();
        y[0] = missing;
        let glm = poisson_irls(&x, p, &y)?;
        let mut l = ln_gamma(total + 1.0) - ln_gamma(missing + 1.0);
        for (y, mu) in y.iter().zip(&glm.mu) {
            if *y > 0.0 {
                l += y * (mu / total).ln();
            }
        }
        l.is_finite().then_some(l)
    };
    // Maximise over N by golden-section search around the Poisson estimate.
    let (mut lo, mut hi) = (n.max(estimate * 0.5), estimate * 2.0);
    let phi = 0.618_033_988_749_894_9;
    let mut a = hi - phi * (hi - lo);
    let mut b = lo + phi * (hi - lo);
    let (mut fa, mut fb) = (profile(a)?, profile(b)?);
    for _ in 0..80 {
        if fa > fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - phi * (hi - lo);
            fa = profile(a)?;
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + phi * (hi - lo);
            fb = profile(b)?;
        }
        if hi - lo < 1e-6 * hi {
            break;
        }
    }
    let top = (lo + hi) / 2.0;
    let max = profile(top)?.max(fa).max(fb);
    let cut = max - CHI2_1_95 / 2.0;
    let lower = if profile(n)? >= cut {
        n
    } else {
        bisect(&profile, top, n, cut)?
    };
    let mut far = top * 2.0;
    while profile(far)? >= cut {
        far *= 2.0;
        if far > top * 1e6 {
            return None;
        }
    }
    let upper = bisect(&profile, top, far, cut)?;
    Some((lower, upper))
}

/// Finds where a function crosses `cut` between `inside` (above) and `outside` (below).
fn bisect(f: &dyn Fn(f64) -> Option<f64>, inside: f64, outside: f64, cut: f64) -> Option<f64> {
    let (mut a, mut b) = (inside, outside);
    for _ in 0..100 {
        let mid = (a + b) / 2.0;
        if f(mid)? >= cut {
            a = mid;
        } else {
            b = mid;
        }
        if (b - a).abs() < 1e-7 * b.abs() {
            break;
        }
    }
    Some((a + b) / 2.0)
}

/// Result of a Poisson GLM fit.
struct Glm {
    beta: Vec<f64>,
    mu: Vec<f64>,
    deviance: f64,
}

/// A bound on the deviance's rounding per person counted: each cell's term loses a few ε·y to
/// cancellation, and this is about 450 ε, a hundredfold margin. [`poisson_irls`] takes a change
/// in deviance below it for convergence.
const DEVIANCE_ROUNDING_PER_PERSON: f64 = 1e-13;

/// Poisson regression with log link by IRLS; `x` is row-major `cells × p`. `None` if the
/// weighted normal equations become singular, a mean leaves the floats or the fit does not
/// converge.
fn poisson_irls(x: &[f64], p: usize, y: &[f64]) -> Option<Glm> {
    let cells = y.len();
    let mut mu: Vec<f64> = y.iter().map(|y| y + 0.5).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut deviance = poisson_deviance(y, &mu);
    let mut xtwx = vec![0.0; p * p];
    let mut xtwz = vec![0.0; p];
    // The deviance's own rounding grows with the counts (each cell's term loses a few ε·y to
    // cancellation): a change below this bound is noise, and asking for less made fits of large
    // counts never converge (500 people a cell already left an interval open to ∞).
    let rounding = DEVIANCE_ROUNDING_PER_PERSON * y.iter().sum::<f64>();
    for _ in 0..200 {
        let beta = irls_step(x, p, y, &mu, &eta, &mut xtwx, &mut xtwz)?;
        for i in 0..cells {
            eta[i] = linear_predictor(&x[i * p..(i + 1) * p], &beta);
            mu[i] = eta[i].exp();
        }
        if mu.iter().any(|m| !m.is_finite() || *m <= 0.0) {
            return None;
        }
        let new_deviance = poisson_deviance(y, &mu);
        let change = (new_deviance - deviance).abs();
        let converged = change < 1e-12 * (new_deviance.abs() + 0.1) || change <= rounding;
        deviance = new_deviance;
        if converged {
            return Some(Glm { beta, mu, deviance });
        }
    }
    None
}

/// One step of IRLS from the means `mu` (and their logarithms `eta`): the weighted least-squares
/// coefficients for the working response, `None` if the normal equations are singular. `xtwx` and
/// `xtwz` are scratch (`p × p` and `p`).
fn irls_step(
    x: &[f64],
    p: usize,
    y: &[f64],
    mu: &[f64],
    eta: &[f64],
    xtwx: &mut [f64],
    xtwz: &mut [f64],
) -> Option<Vec<f64>> {
    xtwx.iter_mut().for_each(|v| *v = 0.0);
    xtwz.iter_mut().for_each(|v| *v = 0.0);
    for i in 0..y.len() {
        let w = mu[i];
        let z = eta[i] + (y[i] - mu[i]) / mu[i];
        let row = &x[i * p..(i + 1) * p];
        for a in 0..p {
            if row[a] == 0.0 {
                continue;
            }
            let wa = w * row[a];
            xtwz[a] += wa * z;
            for b in 0..=a {
                xtwx[a * p + b] += wa * row[b];
            }
        }
    }
    solve_cholesky(xtwx, xtwz, p)
}

/// A cell's log-mean: its design row times the coefficients.
fn linear_predictor(row: &[f64], beta: &[f64]) -> f64 {
    row.iter().zip(beta).map(|(a, b)| a * b).sum()
}

/// The empty cells that leave the model without a maximum-likelihood estimate, by linear
/// programming; empty when it has one, `None` if the solver fails. Haberman (1974): the MLE
/// exists unless some direction `δ` in the coefficients keeps every positive cell's log-mean where
/// it is and lowers some empty cells' (`Xδ = 0` on the positive cells, `≤ 0` on the empty ones,
/// not all 0); along it the likelihood rises for ever while those cells' fitted counts run to 0
/// (Fienberg & Rinaldo 2012 call the other cells the facial set). Each round maximises the fall of
/// the empty cells not found yet, each bounded by 1, while the cells already found may fall
/// freely; a round that finds none ends it. One round is not enough: optima tie (on three lists
/// with nobody on c only, a & c only or b & c only, under a:c + b:c the falls (1, 1, 0) and
/// (1, ½, ½) both sum to 2), and a solver may return the one that leaves a cell out. Cells are the
/// indices of `y`. Only tables with an empty observed cell need it.
fn cells_forced_to_zero(x: &[f64], p: usize, y: &[f64]) -> Option<Vec<usize>> {
    let mut found: Vec<usize> = Vec::new();
    // Each round but the last finds at least one more cell.
    for _ in 0..=y.len() {
        let more = cells_that_fall_besides(x, p, y, &found)?;
        if more.is_empty() {
            found.sort_unstable();
            return Some(found);
        }
        found.extend(more);
    }
    None
}

/// One round of [`cells_forced_to_zero`]: the empty cells outside `found` that some direction
/// lowers, with the cells in `found` free to fall too.
fn cells_that_fall_besides(x: &[f64], p: usize, y: &[f64], found: &[usize]) -> Option<Vec<usize>> {
    /// A fall below this is the solver's rounding, not a direction.
    const FALLS: f64 = 1e-6;
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let delta: Vec<Variable> = (0..p)
        .map(|_| problem.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    let mut falls = Vec::new();
    for (i, count) in y.iter().enumerate() {
        let mut row: Vec<(Variable, f64)> = delta
            .iter()
            .zip(&x[i * p..(i + 1) * p])
            .filter(|(_, a)| **a != 0.0)
            .map(|(v, a)| (*v, *a))
            .collect();
        if *count == 0.0 {
            let fall = if found.contains(&i) {
                problem.add_var(0.0, (0.0, f64::INFINITY))
            } else {
                let fall = problem.add_var(1.0, (0.0, 1.0));
                falls.push((i, fall));
                fall
            };
            row.push((fall, 1.0));
        }
        problem.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
    }
    let solution = problem.solve().ok()?.into_solution().ok()?;
    Some(
        falls
            .into_iter()
            .filter(|(_, fall)| solution.var_value(*fall) > FALLS)
            .map(|(i, _)| i)
            .collect(),
    )
}

fn poisson_deviance(y: &[f64], mu: &[f64]) -> f64 {
    2.0 * y
        .iter()
        .zip(mu)
        .map(|(y, m)| {
            if *y > 0.0 {
                y * (y / m).ln() - (y - m)
            } else {
                *m
            }
        })
        .sum::<f64>()
}

/// Solves `A b = r` for symmetric positive-definite `A` (lower triangle filled, row-major),
/// overwriting `A` with its Cholesky factor.
fn solve_cholesky(a: &mut [f64], r: &[f64], p: usize) -> Option<Vec<f64>> {
    for i in 0..p {
        for k in 0..=i {
            let mut sum = a[i * p + k];
            for m in 0..k {
                sum -= a[i * p + m] * a[k * p + m];
            }
            if i == k {
                if sum <= 1e-12 * (1.0 + a[i * p + i].abs()) {
                    return None;
                }
                a[i * p + i] = sum.sqrt();
            } else {
                a[i * p + k] = sum / a[k * p + k];
            }
        }
    }
    let mut z = vec![0.0; p];
    for i in 0..p {
        let s: f64 = (0..i).map(|m| a[i * p + m] * z[m]).sum();
        z[i] = (r[i] - s) / a[i * p + i];
    }
    let mut b = vec![0.0; p];
    for i in (0..p).rev() {
        let s: f64 = (i + 1..p).map(|m| a[m * p + i] * b[m]).sum();
        b[i] = (z[i] - s) / a[i * p + i];
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> CaptureTable {
        CaptureTable::parse_csv(csv).unwrap()
    }

    const KOREA: &str =
        "b,c,d,count\n1,1,1,12\n1,1,0,54\n1,0,1,6\n1,0,0,5\n0,1,1,0\n0,1,0,5\n0,0,1,41\n";

    #[test]
    fn hierarchical_models_are_counted_correctly() {
        let count = |j, order| enumerate_models(j, order, usize::MAX).unwrap().len();
        assert_eq!(count(3, 2), 8, "all subsets of 3 pairs");
        assert_eq!(count(4, 2), 64);
        // Up to 3-way on 4 lists: 113 hierarchical models (164 downsets of the Boolean
        // lattice minus those containing the 4-way term or missing a main effect).
        assert!(count(4, 3) > 64);
    }

    #[test]
    fn a_term_with_zero_sufficient_statistic_is_refused_by_name() {
        let t = table("a,b,c,count\n1,0,0,5\n0,1,0,4\n0,0,1,3\n1,0,1,2\n0,1,1,2\n");
        let error = fit_model(&t, &[0b011]).unwrap_err().to_string();
        assert!(error.contains("nobody is on all of a:b"), "{error}");
    }

    #[test]
    fn models_whose_empty_cells_run_to_zero_are_excluded_by_name() {
        // Korea has nobody on c and d only. With b:c and b:d but no c:d, c and d are independent
        // given b, so the unseen are estimated as (c only)(d only) / (c & d only): 5 · 41 / 0.
        let korea = table(KOREA);
        let error = fit_model(&korea, &[0b011, 0b101]).unwrap_err().to_string();
        assert!(
            error.contains("no finite estimate") && error.contains("nobody on c & d only"),
            "{error}"
        );
        // The same empty cell does not stop a model that has a maximum.
        assert!(fit_model(&korea, &[]).is_ok());
        assert!(fit_model(&korea, &[0b110]).is_ok());
        let all = fit_all(&korea, &LoglinearOptions::default()).unwrap();
        assert_eq!(
            (all.excluded_running_to_zero, all.excluded_divergent),
            (2, 0),
            "both models with b:c and b:d but no c:d"
        );
        assert_eq!(all.patterns_running_to_zero, vec!["c & d only".to_string()]);
        // Tables where an iterative check had missed it: on five lists two models kept with
        // estimates near 10^16; on four a forced-zero pattern (c only) left unnamed.
        let five = CaptureTable::from_counts(
            ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            vec![
                0, 34, 50, 0, 23, 0, 9, 2, 44, 0, 20, 33, 6, 0, 1, 1, 32, 9, 0, 2, 0, 3, 0, 7, 8,
                0, 1, 3, 48, 0, 0, 0,
            ],
        )
        .unwrap();
        for terms in [
            vec![3, 5, 6, 9, 10, 12, 17, 18, 20, 24, 7, 14, 25, 28],
            vec![3, 5, 6, 9, 10, 12, 17, 18, 20, 24, 7, 13, 14, 21, 25],
        ] {
            let error = fit_model(&five, &terms).unwrap_err().to_string();
            assert!(error.contains("no finite estimate"), "{error}");
        }
        let four = CaptureTable::from_counts(
            ["a", "b", "c", "d"].map(String::from).to_vec(),
            vec![0, 16, 16, 0, 0, 11, 3, 40, 24, 10, 0, 0, 37, 4, 50, 1],
        )
        .unwrap();
        let error = fit_model(&four, &[3, 5, 6, 9, 10, 12, 7, 11, 14])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("with nobody on a & b only or c only or b & d only or a & b & d only,"),
            "{error}"
        );
        // Where the program's optima tie: a single round had left out `b & c only`.
        let three = CaptureTable::from_counts(
            ["a", "b", "c"].map(String::from).to_vec(),
            vec![0, 7, 47, 24, 0, 0, 0, 42],
        )
        .unwrap();
        let error = fit_model(&three, &[0b101, 0b110]).unwrap_err().to_string();
        assert!(
            error.contains("with nobody on c only or a & c only or b & c only,"),
            "{error}"
        );
        // The other way: with nobody on b only, b:d + c:d sends the unseen down to none, which
        // had been chosen by BIC with an interval of 93 to ∞.
        let none_unseen = table(
            "b,c,d,count\n1,0,0,2\n0,1,0,0\n1,1,0,12\n0,0,1,43\n1,0,1,6\n0,1,1,30\n1,1,1,0\n",
        );
        assert!(fit_model(&none_unseen, &[0b101, 0b110]).is_err());
        for t in [&korea, &none_unseen] {
            let all = fit_all(t, &LoglinearOptions::default()).unwrap();
            let best = all.best();
            let (lower, upper) = best.interval.unwrap();
            assert!(
                lower <= best.estimate && best.estimate <= upper && upper.is_finite(),
                "{} {} {lower}–{upper}",
                best.model,
                best.estimate
            );
        }
    }

    #[test]
    fn an_interaction_order_the_lists_cannot_have_is_refused() {
        let t = table("a,b,c,count\n1,0,0,5\n0,1,0,4\n1,1,0,2\n0,0,1,3\n1,0,1,2\n");
        let with_order = |order| LoglinearOptions {
            max_order: Some(order),
            ..LoglinearOptions::default()
        };
        let error = fit_all(&t, &with_order(3)).unwrap_err();
        assert!(
            error.to_string().contains("the highest order is 2"),
            "{error}"
        );
        assert_eq!(fit_all(&t, &with_order(2)).unwrap().max_order, 2);
        let six = table(
            "a,b,c,d,e,f,count\n1,0,0,0,0,0,9\n0,1,0,0,0,0,8\n0,0,1,0,0,0,7\n0,0,0,1,0,0,6\n\
             0,0,0,0,1,0,5\n0,0,0,0,0,1,4\n1,1,0,0,0,0,3\n0,0,1,1,0,0,2\n0,0,0,0,1,1,2\n",
        );
        let error = fit_all(&six, &with_order(3)).unwrap_err();
        assert!(
            error.to_string().contains("only pairwise")
                && error.to_string().contains("the highest order is 2"),
            "{error}"
        );
    }

    #[test]
    fn an_interaction_order_of_zero_is_refused() {
        let t = table("a,b,c,count\n1,0,0,5\n0,1,0,4\n1,1,0,2\n0,0,1,3\n1,0,1,2\n");
        let options = LoglinearOptions {
            max_order: Some(0),
            ..LoglinearOptions::default()
        };
        let error = fit_all(&t, &options).unwrap_err();
        assert!(
            matches!(
                error,
                EstimateError::InvalidOption {
                    option: "max_order",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn fits_of_large_counts_converge_and_bound_their_interval() {
        // Every pattern of three independent lists with the same count: the independence model
        // fits exactly, with 500 (or 50 million) people a cell. The stopping rule once asked the
        // deviance to settle below its own rounding, so these never converged and the interval
        // was left open to ∞.
        for per_cell in [500_u64, 50_000_000] {
            let rows: String = (1..8)
                .map(|mask| format!("{},{},{},{per_cell}\n", mask & 1, mask >> 1 & 1, mask >> 2))
                .collect();
            let t = table(&format!("a,b,c,count\n{rows}"));
            let fit = fit_model(&t, &[]).unwrap();
            let total = 8.0 * per_cell as f64;
            assert!(
                (fit.estimate / total - 1.0).abs() < 1e-9,
                "{}",
                fit.estimate
            );
            let (lower, upper) = profile_interval(&t, &[], fit.estimate).unwrap();
            assert!(
                lower < fit.estimate && fit.estimate < upper && upper < 1.1 * total,
                "{per_cell}: {lower}–{upper}"
            );
        }
    }

    #[test]
    fn korea_models_match_the_published_estimates_and_bic() {
        let t = table(KOREA);
        let cases: &[(&[usize], f64, f64, &str)] = &[
            (&[0b011, 0b110], 157.1667, 57.14081, "[12,23]"),
            (&[0b011], 268.7778, 58.9686, "[12,3]"),
            (&[], 141.9926, 184.144, "independence"),
        ];
        for (terms, estimate, bic, description) in cases {
            let fit = fit_model(&t, terms).unwrap();
            assert_eq!(
                format!("{:.4}", fit.estimate),
                format!("{estimate:.4}"),
                "{description}"
            );
            let digits = bic.to_string().split('.').nth(1).map_or(0, str::len);
            assert_eq!(
                format!("{:.*}", digits, fit.bic),
                format!("{bic:.digits$}"),
                "{description}"
            );
        }
    }
}
