//! Bayesian model averaging over decomposable graphical models (Madigan & York 1997), as in the
//! R package `dga`.
//!
//! Every decomposable (chordal) graph on the `J ≤ 5` lists is a model: lists joined by an edge
//! may depend on each other. With a hyper-Dirichlet prior (`δ` per cell of the complete table,
//! default `2^−J`), the marginal likelihood of the complete table factorises over the graph's
//! cliques and separators. For each number of unseen people `m` on a grid, and each graph, the
//! posterior weight is that marginal likelihood times the multinomial coefficient
//! `N! / (m! ∏ y!)` times the prior on `N = n + m` (default `∝ 1/N`, or negative binomial).
//! Normalising over graphs × grid gives the posterior over models and over `N`.
//!
//! Summaries: the Bayes estimate under relative squared loss (`Σ w/N ÷ Σ w/N²`, as `dga`
//! reports), the posterior mode, median and the 95% equal-tailed credible interval.

use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use crate::error::{EstimateError, Result};
use crate::table::CaptureTable;

/// Largest number of lists for which all decomposable graphs are enumerated.
pub const MAX_DGA_LISTS: usize = 5;
/// The most memory dga's grid may take: at 5 lists, about a million unseen counts, enough for
/// half a million people observed (the grid runs to twice the observed count, then doubles
/// while the posterior still has mass at its end).
const MAX_GRID_BYTES: usize = 256 << 20;

/// Prior on the population size `N`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum NPrior {
    /// `p(N) ∝ 1/N` (the default).
    InverseN,
    /// `log p(N) = N log b − (N + a) log(1 + b) + lgamma(N + a) − lgamma(N + 1) − lgamma(a)`.
    NegativeBinomial {
        /// Shape.
        a: f64,
        /// Scale.
        b: f64,
    },
}

impl NPrior {
    fn log_density(self, n: f64) -> f64 {
        match self {
            NPrior::InverseN => -n.ln(),
            NPrior::NegativeBinomial { a, b } => {
                n * b.ln() - (n + a) * (1.0 + b).ln() + ln_gamma(n + a)
                    - ln_gamma(n + 1.0)
                    - ln_gamma(a)
            }
        }
    }
}

/// The largest shape `a` of a negative-binomial prior on `N`: its density takes
/// `lgamma(N + a) − lgamma(a)`, whose rounding grows with `a` (about 1e-5 at 10^9, whole units
/// near 10^13); this keeps a wide margin, and a larger shape is a Poisson prior in all but name.
const MAX_PRIOR_SHAPE: f64 = 1e9;
/// The largest prior mean `a · b` of `N`: more people than have ever lived.
const MAX_PRIOR_MEAN: f64 = 1e12;

/// Refuses a negative-binomial prior whose shape or mean no population needs and the density
/// cannot be worked out for (`negbin:1e200,1e200` had put the point outside its own interval).
fn check_negative_binomial_prior(a: f64, b: f64) -> Result<()> {
    let reason = if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite()) {
        format!("negative-binomial a and b must be positive; got a = {a}, b = {b}")
    } else if a > MAX_PRIOR_SHAPE {
        format!(
            "the negative-binomial shape a = {a:e} is past {MAX_PRIOR_SHAPE:e}, beyond which its density cannot be trusted; for a prior this tight use a ≤ {MAX_PRIOR_SHAPE:e}"
        )
    } else if a * b > MAX_PRIOR_MEAN {
        format!(
            "the prior mean a · b = {:e} is past {MAX_PRIOR_MEAN:e} people; choose a and b whose product is a plausible total",
            a * b
        )
    } else {
        return Ok(());
    };
    Err(EstimateError::InvalidOption {
        option: "prior",
        reason,
    })
}

/// Options for [`dga`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DgaOptions {
    /// Prior count per cell of the complete table; `None` means `2^−J`.
    pub delta: Option<f64>,
    /// Prior on `N`.
    pub prior: NPrior,
    /// Unseen counts to consider, inclusive; `None` chooses `0..=M` with `M` grown until the
    /// posterior beyond it is negligible.
    pub missing: Option<(u64, u64)>,
}

impl Default for DgaOptions {
    fn default() -> Self {
        Self {
            delta: None,
            prior: NPrior::InverseN,
            missing: None,
        }
    }
}

/// A decomposable graph on the lists, with its cliques and (non-empty) separators as list masks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Edges as list-mask pairs `(1 << a) | (1 << b)`.
    pub edges: Vec<usize>,
    /// Maximal cliques.
    pub cliques: Vec<usize>,
    /// Separators of a junction tree, empty ones left out.
    pub separators: Vec<usize>,
}

/// One graph's share of the posterior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DgaModel {
    /// Cliques in bracket notation, e.g. `[L1,L2][L3]`.
    pub model: String,
    /// Posterior probability of the graph.
    pub probability: f64,
    /// Bayes estimate of `N` under this graph alone (relative squared loss).
    pub bayes_estimate: f64,
    /// Posterior mode of `N` under this graph alone.
    pub mode: f64,
}

/// Posterior over models and over `N`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DgaResult {
    /// `δ` used.
    pub delta: f64,
    /// Prior on `N` used.
    pub prior: NPrior,
    /// Grid of unseen counts, inclusive.
    pub missing: (u64, u64),
    /// The model-averaged posterior probability of each `N` on the grid, as `(N, probability)`.
    #[serde(skip)]
    pub posterior: Vec<(f64, f64)>,
    /// The most probable graphs first (at most 20 kept).
    pub models: Vec<DgaModel>,
    /// Number of decomposable graphs averaged over.
    pub graphs: usize,
    /// Model-averaged Bayes estimate under relative squared loss.
    pub bayes_estimate: f64,
    /// Model-averaged posterior mode.
    pub mode: f64,
    /// Model-averaged posterior median.
    pub median: f64,
    /// 95% equal-tailed credible interval.
    pub interval: (f64, f64),
    /// The end of the grid of unseen counts that cuts the posterior off, when one does: more
    /// than 0.1% of the posterior sits in the top 5% of the grid or, when the grid was given and
    /// starts above 0, in the bottom 5% (the end with more, when both do).
    pub grid_truncated_at: Option<u64>,
}

/// All decomposable graphs on `j` lists (8 for 3 lists, 61 for 4, 822 for 5).
pub fn decomposable_graphs(j: usize) -> Vec<Graph> {
    let pairs: Vec<usize> = (0..j)
        .flat_map(|a| (a + 1..j).map(move |b| (1 << a) | (1 << b)))
        .collect();
    (0usize..1 << pairs.len())
        .filter_map(|subset| {
            let edges: Vec<usize> = pairs
                .iter()
                .enumerate()
                .filter(|(i, _)| subset & (1 << i) != 0)
                .map(|(_, e)| *e)
                .collect();
            graph_if_chordal(j, edges)
        })
        .collect()
}

fn graph_if_chordal(j: usize, edges: Vec<usize>) -> Option<Graph> {
    let mut neighbours = vec![0usize; j];
    for e in &edges {
        let a = e.trailing_zeros() as usize;
        let b = (usize::BITS - 1 - e.leading_zeros()) as usize;
        neighbours[a] |= 1 << b;
        neighbours[b] |= 1 << a;
    }
    let complete = |set: usize| {
        (0..j)
            .filter(|v| set & (1 << v) != 0)
            .all(|v| set & !(1 << v) & !neighbours[v] == 0)
    };
    // Chordal iff vertices can be eliminated one by one, each simplicial when removed.
    let mut remaining = (1usize << j) - 1;
    while remaining != 0 {
        let v =
            (0..j).find(|v| remaining & (1 << v) != 0 && complete(neighbours[*v] & remaining))?;
        remaining &= !(1 << v);
    }
    let complete_sets: Vec<usize> = (1usize..1 << j).filter(|s| complete(*s)).collect();
    let cliques: Vec<usize> = complete_sets
        .iter()
        .copied()
        .filter(|s| !complete_sets.iter().any(|t| t != s && t & s == *s))
        .collect();
    // A maximum-weight spanning tree of the clique graph is a junction tree (Prim).
    let mut separators = Vec::new();
    let mut in_tree = vec![false; cliques.len()];
    in_tree[0] = true;
    for _ in 1..cliques.len() {
        let mut best: Option<(u32, usize, usize)> = None;
        for (a, ca) in cliques.iter().enumerate().filter(|(a, _)| in_tree[*a]) {
            for (b, cb) in cliques.iter().enumerate().filter(|(b, _)| !in_tree[*b]) {
                let w = (ca & cb).count_ones();
                if best.is_none_or(|(bw, _, _)| w > bw) {
                    best = Some((w, a, b));
                }
            }
        }
        let (_, a, b) = best?;
        in_tree[b] = true;
        let separator = cliques[a] & cliques[b];
        if separator != 0 {
            separators.push(separator);
        }
    }
    Some(Graph {
        edges,
        cliques,
        separators,
    })
}

/// Runs the model averaging. Needs 2 to 5 lists.
pub fn dga(table: &CaptureTable, options: &DgaOptions) -> Result<DgaResult> {
    let j = table.list_count();
    // Settings first: one out of range is refused whatever the table, even where dga could not
    // run on it anyway.
    if let Some(delta) = options.delta.filter(|d| !(d.is_finite() && *d > 0.0)) {
        return Err(EstimateError::InvalidOption {
            option: "delta",
            reason: format!("must be a positive number; got {delta}"),
        });
    }
    if let NPrior::NegativeBinomial { a, b } = options.prior {
        check_negative_binomial_prior(a, b)?;
    }
    if let Some((from, to)) = options.missing.filter(|(from, to)| from > to) {
        return Err(EstimateError::InvalidOption {
            option: "missing",
            reason: format!("the grid must run upwards; got {from}..{to}"),
        });
    }
    if !(2..=MAX_DGA_LISTS).contains(&j) {
        return Err(EstimateError::UnsupportedLists {
            method: "dga",
            lists: j,
            min: 2,
            max: MAX_DGA_LISTS,
        });
    }
    let delta = options.delta.unwrap_or(1.0 / (1u64 << j) as f64);
    let graphs = decomposable_graphs(j);
    let n = table.observed();
    let most = max_grid_points(j);
    match options.missing {
        Some((from, to)) if to - from >= most => Err(EstimateError::InvalidOption {
            option: "missing",
            reason: format!(
                "{from}..{to} is {} unseen counts, and at most {most} fit in dga's memory on {j} \
                 lists: narrow it, or leave it out so that dga chooses",
                u128::from(to - from) + 1
            ),
        }),
        Some(grid) => run(table, &graphs, delta, options.prior, grid),
        None => {
            let mut to = 300u64.max(2 * n);
            if to >= most {
                return Err(EstimateError::CannotRun {
                    method: "dga",
                    reason: format!(
                        "its grid of unseen counts would need {} points and at most {most} fit in memory on this table: use lcmcr or loglinear for a population this large",
                        to + 1
                    ),
                });
            }
            // Widened below the cap (`to + 1 < most` on every round), so every grid fits.
            loop {
                let result = run(table, &graphs, delta, options.prior, (0, to))?;
                if result.grid_truncated_at.is_none()
                    || to >= 1_000_000.max(64 * n)
                    || to + 1 >= most
                {
                    return Ok(result);
                }
                to = (to * 2).min(most - 1);
            }
        }
    }
}

/// dga keeps one row of log-likelihoods over the grid of unseen counts per list subset, so its
/// memory is `8 · (2^J − 1)` bytes a grid point; this caps it at [`MAX_GRID_BYTES`].
fn max_grid_points(lists: usize) -> u64 {
    (MAX_GRID_BYTES / (8 * ((1 << lists) - 1))) as u64
}

/// Posterior mass in the outer 5% of the grid above which the grid cuts the posterior off.
const CUT_OFF_MASS: f64 = 1e-3;

/// The model averaging over the grid `from..=to` of unseen counts, which [`dga`] has checked
/// fits in memory ([`max_grid_points`]).
fn run(
    table: &CaptureTable,
    graphs: &[Graph],
    delta: f64,
    prior: NPrior,
    (from, to): (u64, u64),
) -> Result<DgaResult> {
    let j = table.list_count();
    let cells = 1usize << j;
    let n = table.observed() as f64;
    let grid: Vec<f64> = (from..=to).map(|m| m as f64).collect();
    let len = grid.len();
    // Log marginal likelihood of every marginal table (one per list subset) at every m.
    let mut component = vec![Vec::new(); cells];
    for (subset, slot) in component.iter_mut().enumerate().skip(1) {
        let alpha = delta * (1u64 << (j - subset.count_ones() as usize)) as f64;
        let mut margin = vec![0u64; cells];
        for (mask, count) in table.counts().iter().enumerate() {
            margin[mask & subset] += count;
        }
        let fixed: f64 = margin
            .iter()
            .enumerate()
            .filter(|(cell, _)| *cell != 0 && cell & !subset == 0)
            .map(|(_, y)| ln_gamma(*y as f64 + alpha) - ln_gamma(alpha))
            .sum();
        let zero = margin[0] as f64;
        *slot = grid
            .iter()
            .map(|m| fixed + ln_gamma(zero + m + alpha) - ln_gamma(alpha))
            .collect::<Vec<f64>>();
    }
    let total_alpha = delta * cells as f64;
    let denominator: Vec<f64> = grid
        .iter()
        .map(|m| ln_gamma(total_alpha) - ln_gamma(n + m + total_alpha))
        .collect();
    let common: Vec<f64> = grid
        .iter()
        .map(|m| ln_gamma(n + m + 1.0) - ln_gamma(m + 1.0) + prior.log_density(n + m))
        .collect();
    let row = |graph: &Graph, out: &mut Vec<f64>| {
        out.clear();
        out.extend_from_slice(&common);
        let parts = graph.cliques.len() as f64 - graph.separators.len() as f64;
        for (o, d) in out.iter_mut().zip(&denominator) {
            *o += parts * d;
        }
        for c in &graph.cliques {
            for (o, v) in out.iter_mut().zip(&component[*c]) {
                *o += v;
            }
        }
        for s in &graph.separators {
            for (o, v) in out.iter_mut().zip(&component[*s]) {
                *o -= v;
            }
        }
    };
    let mut buffer = Vec::with_capacity(len);
    let mut maxima = Vec::with_capacity(graphs.len());
    for graph in graphs {
        row(graph, &mut buffer);
        maxima.push(buffer.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    }
    let top = maxima.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return Err(EstimateError::CannotRun {
            method: "dga",
            reason: "the posterior is not finite on this grid".into(),
        });
    }
    let mut posterior = vec![0.0; len];
    let mut masses = Vec::with_capacity(graphs.len());
    for graph in graphs {
        row(graph, &mut buffer);
        let mut mass = 0.0;
        for (p, w) in posterior.iter_mut().zip(&buffer) {
            let e = (w - top).exp();
            *p += e;
            mass += e;
        }
        masses.push(mass);
    }
    let total: f64 = masses.iter().sum();
    posterior.iter_mut().for_each(|p| *p /= total);
    let mut order: Vec<usize> = (0..graphs.len()).collect();
    order.sort_by(|a, b| masses[*b].total_cmp(&masses[*a]));
    let models = order
        .iter()
        .take(20)
        .map(|g| {
            row(&graphs[*g], &mut buffer);
            let weights: Vec<f64> = buffer.iter().map(|w| (w - top).exp()).collect();
            let (bayes, mode) = bayes_and_mode(n, &grid, &weights);
            DgaModel {
                model: clique_name(table, &graphs[*g]),
                probability: masses[*g] / total,
                bayes_estimate: bayes,
                mode,
            }
        })
        .collect();
    let (bayes_estimate, mode) = bayes_and_mode(n, &grid, &posterior);
    let quantile = |q: f64| {
        let mut acc = 0.0;
        for (m, p) in grid.iter().zip(&posterior) {
            acc += p;
            if acc >= q {
                return n + m;
            }
        }
        n + grid[len - 1]
    };
    let edge = (len / 20).max(1);
    let mass_at_top: f64 = posterior[len - edge..].iter().sum();
    let mass_at_bottom: f64 = posterior[..edge].iter().sum();
    let bottom = if from > 0 { mass_at_bottom } else { 0.0 };
    let (end, mass) = if bottom > mass_at_top {
        (from, bottom)
    } else {
        (to, mass_at_top)
    };
    let grid_truncated_at = (mass > CUT_OFF_MASS).then_some(end);
    Ok(DgaResult {
        delta,
        prior,
        missing: (from, to),
        posterior: grid
            .iter()
            .zip(&posterior)
            .map(|(m, p)| (n + m, *p))
            .collect(),
        models,
        graphs: graphs.len(),
        bayes_estimate,
        mode,
        median: quantile(0.5),
        interval: (quantile(0.025), quantile(0.975)),
        grid_truncated_at,
    })
}

/// Bayes estimate under relative squared loss and the mode, from unnormalised weights over `m`.
fn bayes_and_mode(n: f64, grid: &[f64], weights: &[f64]) -> (f64, f64) {
    let (mut first, mut second) = (0.0, 0.0);
    let (mut best, mut mode) = (f64::NEG_INFINITY, n);
    for (m, w) in grid.iter().zip(weights) {
        let total = n + m;
        first += w / total;
        second += w / (total * total);
        if *w > best {
            best = *w;
            mode = total;
        }
    }
    (first / second, mode)
}

fn clique_name(table: &CaptureTable, graph: &Graph) -> String {
    graph
        .cliques
        .iter()
        .map(|c| format!("[{}]", table.term_name(*c).replace(':', ",")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_population_too_large_for_the_grid_is_refused_not_allocated() {
        // 5 lists, a billion people on each single list: the grid would run to 10^10.
        let mut counts = vec![0; 32];
        for list in 0..5 {
            counts[1 << list] = 1_000_000_000;
        }
        counts[3] = 7;
        let lists = (0..5).map(|j| format!("l{j}")).collect();
        let table = CaptureTable::from_counts(lists, counts).unwrap();
        let error = dga(&table, &DgaOptions::default()).unwrap_err();
        assert!(
            matches!(&error, EstimateError::CannotRun { method: "dga", reason } if reason.contains("fit in memory")),
            "{error}"
        );
        let options = DgaOptions {
            missing: Some((0, max_grid_points(5))),
            ..DgaOptions::default()
        };
        let error = dga(&table, &options).unwrap_err();
        assert!(
            matches!(&error, EstimateError::InvalidOption { option: "missing", reason } if reason.contains("narrow it")),
            "an explicit grid is capped too: {error}"
        );
    }

    #[test]
    fn a_grid_running_downwards_is_refused_whatever_the_table() {
        let backwards = DgaOptions {
            missing: Some((300, 1)),
            ..DgaOptions::default()
        };
        // Six lists, more than dga runs on: the setting is still what is refused.
        let mut counts = vec![0; 64];
        counts[1..].iter_mut().for_each(|c| *c = 2);
        let lists = (0..6).map(|j| format!("l{j}")).collect();
        let table = CaptureTable::from_counts(lists, counts).unwrap();
        let error = dga(&table, &backwards).unwrap_err();
        assert!(
            matches!(&error, EstimateError::InvalidOption { option: "missing", reason } if reason.contains("upwards")),
            "{error}"
        );
    }

    #[test]
    fn a_negative_binomial_prior_no_population_needs_is_refused_by_name() {
        let table = CaptureTable::from_counts(
            vec!["a".into(), "b".into(), "c".into()],
            vec![0, 30, 20, 5, 25, 4, 3, 1],
        )
        .unwrap();
        for (a, b, reason) in [
            (1e200, 1e200, "shape"),
            (2e9, 1.0, "shape"),
            (1e6, 1e7, "prior mean"),
            (-1.0, 3.0, "positive"),
        ] {
            let options = DgaOptions {
                prior: NPrior::NegativeBinomial { a, b },
                ..DgaOptions::default()
            };
            let error = dga(&table, &options).unwrap_err();
            assert!(
                matches!(&error, EstimateError::InvalidOption { option: "prior", reason: r } if r.contains(reason)),
                "{a}, {b}: {error}"
            );
        }
        let plausible = DgaOptions {
            prior: NPrior::NegativeBinomial { a: 2.0, b: 100.0 },
            ..DgaOptions::default()
        };
        assert!(dga(&table, &plausible).is_ok());
    }

    #[test]
    fn decomposable_graphs_are_counted_like_the_literature() {
        for (j, count) in [(2, 2), (3, 8), (4, 61), (5, 822)] {
            assert_eq!(decomposable_graphs(j).len(), count, "{j} lists");
        }
    }

    #[test]
    fn a_four_cycle_is_not_decomposable_but_a_chorded_one_is() {
        let e = |a: usize, b: usize| (1 << a) | (1 << b);
        assert!(graph_if_chordal(4, vec![e(0, 1), e(1, 2), e(2, 3), e(0, 3)]).is_none());
        let g = graph_if_chordal(4, vec![e(0, 1), e(1, 2), e(2, 3), e(0, 3), e(0, 2)]).unwrap();
        assert_eq!(g.cliques.len(), 2);
        assert_eq!(g.separators, vec![0b0101]);
    }
}
