//! Monte Carlo cascades (PRODUCT §2.6): per-asset initial failure probabilities → `T` seeded,
//! reproducible, parallel trials → per-NCF degradation mean and 5th/95th percentiles, impact
//! statistics, and each asset's share of trials in which it failed.
//!
//! **One trial.** Trial `i` draws from `ChaCha8Rng::seed_from_u64(seed)` on stream `i`
//! (CONVENTIONS, "Randomness"), so its outcome depends only on `(seed, i)`, never on the
//! thread count or batch size:
//! 1. initial failures: for each asset in index order, it fails with its probability `p_a`
//!    (one uniform draw `u < p_a` for `0 < p_a < 1`; `p_a = 0` never fails and `p_a = 1`
//!    always does, both without a draw);
//! 2. propagation under the PRODUCT §1 group semantics, where a failed provider's failure
//!    reaches the dependent of an edge with probability `strength`: the decision is drawn once
//!    per edge per trial, when the provider fails while the dependent is still up (one draw
//!    `u < strength`; none for strength 1), in the deterministic order of
//!    [`cascade::failure_set_with`]. A group fails when every provider in it has failed
//!    *and* transmitted; the dependent fails when one of its groups fails. Tolerances do not
//!    change final failure sets and are ignored.
//!
//! **Statistics.** An NCF's degradation in a trial is the failed share of its total weight;
//! the impact is the sum of the degradations (computed in fixed point by the cascade module,
//! so it is exact for a given failure set). Means are summed in trial order. Percentiles use
//! the *nearest-rank* definition: with the `T` trial values sorted ascending as
//! `x_1 ≤ … ≤ x_T`, the q-th percentile is `x_k` with `k = max(1, ⌈q·T/100⌉)`; no interpolation,
//! so every reported value occurred in some trial.
//!
//! Work is split into batches of trials run in parallel with rayon; the optional progress
//! callback is called once per finished batch with that batch's trial count.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::cascade::{self, Scratch};
use crate::csr::Graph;

#[cfg(test)]
pub(crate) mod tests;

/// Invalid input to a Monte Carlo run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MonteCarloError {
    #[error("{what} has {found} values, expected {expected} (one per asset)")]
    Length {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{what}[{asset}] = {value} is not a probability in [0, 1]")]
    Probability {
        what: &'static str,
        asset: usize,
        value: f64,
    },
    #[error("at least one trial is needed")]
    NoTrials,
}

/// Run parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub trials: u64,
    pub seed: u64,
    /// Trials per batch (the progress granularity; 0 means 1). Results do not depend on it.
    pub batch: u64,
}

impl Options {
    pub fn new(trials: u64, seed: u64) -> Options {
        Options {
            trials,
            seed,
            batch: 64,
        }
    }
}

/// Mean and nearest-rank 5th/95th percentiles of one quantity over the trials.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
}

/// Degradation statistics of one NCF (index into `model::ncfs()`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NcfStats {
    pub ncf: u8,
    pub degradation: Stats,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub trials: u64,
    /// Every NCF supported by some asset of positive weight, ascending NCF index.
    pub ncfs: Vec<NcfStats>,
    pub impact: Stats,
    /// `asset_failure_share[a]`: the share of trials in which asset `a` failed.
    pub asset_failure_share: Vec<f64>,
}

/// Initial failure probabilities from per-asset scores in `[0, 1]`: `p_a = exposure_a ·
/// threat_a`, the probability that the asset is both targeted (threat, e.g. from incidents and
/// sightings) and successfully attacked (exposure, e.g. from exploitable findings).
pub fn probabilities_from_scores(
    exposure: &[f64],
    threat: &[f64],
) -> Result<Vec<f64>, MonteCarloError> {
    check_probabilities("exposure", exposure, exposure.len())?;
    check_probabilities("threat", threat, exposure.len())?;
    Ok(exposure.iter().zip(threat).map(|(e, t)| e * t).collect())
}

/// Runs `options.trials` trials with initial failure probabilities `probability` (one per
/// asset). `progress`, when given, is called from worker threads with 0 before each batch and
/// with its number of trials once it is finished; the caller may unwind from it to stop the run
/// (the engine keeps no state outside the call).
pub fn run(
    graph: &Graph,
    probability: &[f64],
    options: &Options,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Summary, MonteCarloError> {
    let n = graph.asset_count();
    check_probabilities("probability", probability, n)?;
    if options.trials == 0 {
        return Err(MonteCarloError::NoTrials);
    }
    let ncfs: Vec<usize> = (0..graph.ncf_count())
        .filter(|&f| graph.ncf_total(f) > 0.0)
        .collect();
    // NCF index → position in `ncfs`, for accumulating failed weight.
    let mut slot = vec![usize::MAX; graph.ncf_count()];
    for (k, &f) in ncfs.iter().enumerate() {
        slot[f] = k;
    }
    let plan = Plan {
        graph,
        at_risk: (0..n as u32)
            .zip(probability.iter().copied())
            .filter(|&(_, p)| p > 0.0)
            .collect(),
        ncfs: &ncfs,
        slot,
        seed: options.seed,
    };
    let batch = options.batch.max(1);
    let batches = options.trials.div_ceil(batch);
    let init = || Worker {
        scratch: Scratch::new(graph),
        failures: vec![0; n],
        initial: Vec::new(),
        trials: Vec::new(),
    };
    let merged = (0..batches)
        .into_par_iter()
        .fold(init, |mut w, b| {
            let range = b * batch..((b + 1) * batch).min(options.trials);
            let count = range.end - range.start;
            if let Some(report) = progress {
                report(0);
            }
            for trial in range {
                let result = w.trial(&plan, trial);
                w.trials.push(result);
            }
            if let Some(report) = progress {
                report(count);
            }
            w
        })
        .map(|w| (w.failures, w.trials))
        .reduce(
            || (vec![0; n], Vec::new()),
            |(mut fa, mut ta), (fb, tb)| {
                fa.iter_mut().zip(fb).for_each(|(a, b)| *a += b);
                ta.extend(tb);
                (fa, ta)
            },
        );
    let (failures, mut trials) = merged;
    trials.sort_unstable_by_key(|t| t.index);
    let t = options.trials as f64;
    let impact = stats(trials.iter().map(|r| r.impact).collect());
    let ncfs = ncfs
        .iter()
        .enumerate()
        .map(|(k, &f)| NcfStats {
            ncf: f as u8,
            degradation: stats(trials.iter().map(|r| r.degradation[k]).collect()),
        })
        .collect();
    Ok(Summary {
        trials: options.trials,
        ncfs,
        impact,
        asset_failure_share: failures.iter().map(|&c| c as f64 / t).collect(),
    })
}

/// What every trial reads.
struct Plan<'a> {
    graph: &'a Graph,
    /// Assets with a positive initial failure probability, ascending.
    at_risk: Vec<(u32, f64)>,
    /// NCFs reported (positive total weight), ascending.
    ncfs: &'a [usize],
    /// NCF index → position in `ncfs`, `usize::MAX` when not reported.
    slot: Vec<usize>,
    seed: u64,
}

/// Per-thread state: cascade buffers, failure counts and the finished trials' results.
struct Worker {
    scratch: Scratch,
    failures: Vec<u64>,
    initial: Vec<u32>,
    trials: Vec<TrialResult>,
}

struct TrialResult {
    index: u64,
    impact: f64,
    /// Degradation per reported NCF (positions of `ncfs` in [`run`]).
    degradation: Vec<f64>,
}

impl Worker {
    fn trial(&mut self, plan: &Plan<'_>, index: u64) -> TrialResult {
        let graph = plan.graph;
        let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
        rng.set_stream(index);
        self.initial.clear();
        self.initial.extend(
            plan.at_risk
                .iter()
                .filter(|&&(_, p)| p >= 1.0 || rng.random::<f64>() < p)
                .map(|&(a, _)| a),
        );
        let impact = cascade::failure_set_with(graph, &self.initial, &mut self.scratch, |s| {
            let strength = graph.slot_strength(s);
            strength >= 1.0 || rng.random::<f64>() < strength
        });
        let mut failed_weight = vec![0.0; plan.ncfs.len()];
        for &a in self.scratch.failed() {
            self.failures[a as usize] += 1;
            for &f in graph.asset_ncfs(a) {
                let k = plan.slot[usize::from(f)];
                if k != usize::MAX {
                    failed_weight[k] += graph.weight(a);
                }
            }
        }
        let degradation = plan
            .ncfs
            .iter()
            .zip(failed_weight)
            .map(|(&f, w)| (w / graph.ncf_total(f)).min(1.0))
            .collect();
        TrialResult {
            index,
            impact,
            degradation,
        }
    }
}

fn check_probabilities(
    what: &'static str,
    p: &[f64],
    expected: usize,
) -> Result<(), MonteCarloError> {
    if p.len() != expected {
        return Err(MonteCarloError::Length {
            what,
            expected,
            found: p.len(),
        });
    }
    match p.iter().position(|v| !(0.0..=1.0).contains(v)) {
        Some(asset) => Err(MonteCarloError::Probability {
            what,
            asset,
            value: p[asset],
        }),
        None => Ok(()),
    }
}

/// Mean (summed in the given order) and nearest-rank 5th/95th percentiles; `values` non-empty.
fn stats(mut values: Vec<f64>) -> Stats {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.sort_unstable_by(f64::total_cmp);
    Stats {
        mean,
        p5: nearest_rank(&values, 5),
        p95: nearest_rank(&values, 95),
    }
}

/// The `q`-th percentile of ascending `sorted` (non-empty): `x_k`, `k = max(1, ⌈q·T/100⌉)`.
fn nearest_rank(sorted: &[f64], q: u64) -> f64 {
    let t = sorted.len() as u64;
    let k = (q * t).div_ceil(100).max(1);
    sorted[(k - 1) as usize]
}
