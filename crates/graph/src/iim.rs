//! Sector inoperability (PRODUCT §2.8): the demand-reduction Inoperability Input–Output Model
//! (Haimes & Jiang 2001; Santos & Haimes 2004) and its dynamic recovery form (DIIM, Lian &
//! Haimes 2006).
//!
//! * Static: `q = A* q + c*`, so `q = (I − A*)⁻¹ c*`, solved by a dense LU factorisation with
//!   partial pivoting (sector counts are at most a few hundred).
//! * Dynamic: `q(t+1) = q(t) + K [A* q(t) + c*(t) − q(t)]` with `K = diag(k)`, `0 ≤ k_i < 1`.
//! * Economic loss given sector outputs `x` (per time step): `Σ_i x_i q_i` per step, cumulative
//!   over the DIIM horizon.
//!
//! `q_i` is the inoperability of sector `i` (share of its planned output lost, in `[0, 1]`),
//! `c*_i` the normalised final-demand reduction and `a*_ij` the inoperability that a unit
//! inoperability of sector `j` passes to sector `i`. The model is linear, so `q` is clamped to
//! `[0, 1]` on output (both reference implementations do the same).
//!
//! An interdependency matrix comes from a CSV ([`Interdependency::from_csv`]) or is derived from
//! the atlas ([`Interdependency::from_graph`], whose doc comment gives the derivation). Every
//! constructor checks that the model is well posed: entries finite and non-negative, and
//! `ρ(A*) < 1`, tested exactly through the M-matrix criterion — for `A* ≥ 0`, `ρ(A*) < 1` if
//! and only if `I − A*` is non-singular and `(I − A*)⁻¹ ≥ 0`.

use std::collections::HashMap;

use crate::csr::Graph;

#[cfg(test)]
mod tests;

/// Why an interdependency matrix or a model input was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IimError {
    /// Malformed CSV; `line` and `column` are 1-based (column = field number).
    #[error("line {line}, column {column}: {message}")]
    Csv {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("matrix must be square with one row per sector: {sectors} sectors, {entries} entries")]
    Shape { sectors: usize, entries: usize },
    #[error("a*[{row}][{column}] = {value}: entries must be finite and non-negative")]
    Entry {
        row: String,
        column: String,
        value: f64,
    },
    #[error(
        "I − A* is singular (pivot {pivot} at elimination step {step}): A* has the eigenvalue 1, \
         so the dependencies do not damp out"
    )]
    Singular { step: usize, pivot: f64 },
    #[error(
        "spectral radius of A* is about {spectral_radius:.6}, not below 1: (I − A*)⁻¹ is not \
         non-negative, so the dependencies amplify instead of damping out (largest row sum \
         {max_row_sum} in sector {max_row}, largest column sum {max_column_sum} in sector {max_column})"
    )]
    NotProductive {
        spectral_radius: f64,
        max_row: String,
        max_row_sum: f64,
        max_column: String,
        max_column_sum: f64,
    },
    #[error("{what} has {found} values, expected {expected} (one per sector)")]
    Length {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error(
        "residual {0} is outside (0, 1): it is the share of inoperability left at the recovery time"
    )]
    Residual(f64),
    #[error("{what}[{index}] = {value} is outside {range}")]
    Value {
        what: &'static str,
        index: usize,
        value: f64,
        range: &'static str,
    },
}

/// A validated interdependency matrix `A*` over named sectors (row-major, `a[i * n + j]` =
/// `a*_ij`), with its LU factorisation of `I − A*` kept for repeated solves.
#[derive(Debug, Clone)]
pub struct Interdependency {
    sectors: Vec<String>,
    a: Vec<f64>,
    lu: Lu,
}

/// How the final-demand perturbation `c*(t)` evolves over a DIIM run.
#[derive(Debug, Clone, Copy)]
pub enum Perturbation<'a> {
    /// The same `c*` at every step.
    Constant(&'a [f64]),
    /// `c*(t)` = `steps[t]` while `t < steps.len()`, zero afterwards.
    Steps(&'a [Vec<f64>]),
}

/// A DIIM trajectory: `q[t]` is the inoperability vector at step `t`, for `t = 0..=T`
/// (`q[0]` is the initial state).
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub q: Vec<Vec<f64>>,
}

/// Economic loss over a trajectory, in the unit of the sector outputs per step.
#[derive(Debug, Clone, PartialEq)]
pub struct Loss {
    /// `per_step[t] = Σ_i x_i q_i(t)`.
    pub per_step: Vec<f64>,
    /// `cumulative[t] = Σ_{s ≤ t} per_step[s]` (left Riemann sum of `∫ x·q dt`, `Δt` = 1 step).
    pub cumulative: Vec<f64>,
    /// `per_sector[i] = x_i Σ_t q_i(t)`: each sector's loss over the whole horizon.
    pub per_sector: Vec<f64>,
}

impl Interdependency {
    /// Validates `a` (row-major, `sectors.len()²` entries) and factorises `I − A*`.
    pub fn new(sectors: Vec<String>, a: Vec<f64>) -> Result<Interdependency, IimError> {
        let n = sectors.len();
        if a.len() != n * n {
            return Err(IimError::Shape {
                sectors: n,
                entries: a.len(),
            });
        }
        if let Some(k) = a.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(IimError::Entry {
                row: sectors[k / n].clone(),
                column: sectors[k % n].clone(),
                value: a[k],
            });
        }
        let mut m: Vec<f64> = a.iter().map(|v| -v).collect();
        for i in 0..n {
            m[i * n + i] += 1.0;
        }
        let lu = Lu::factor(m, n)?;
        let productive = (0..n).all(|j| {
            let mut col = vec![0.0; n];
            col[j] = 1.0;
            lu.solve(&mut col);
            // Round-off can leave tiny negatives where the exact inverse has zeros.
            let scale = col.iter().fold(1.0f64, |acc, v| acc.max(v.abs()));
            col.iter().all(|&v| v >= -1e-9 * scale)
        });
        if !productive {
            let largest = |sum: &dyn Fn(usize) -> f64| {
                let best = (0..n)
                    .max_by(|&x, &y| sum(x).total_cmp(&sum(y)))
                    .expect("n > 0");
                (sectors[best].clone(), sum(best))
            };
            let (max_row, max_row_sum) = largest(&|i| a[i * n..(i + 1) * n].iter().sum());
            let (max_column, max_column_sum) = largest(&|j| (0..n).map(|i| a[i * n + j]).sum());
            return Err(IimError::NotProductive {
                spectral_radius: spectral_radius(&a, n),
                max_row,
                max_row_sum,
                max_column,
                max_column_sum,
            });
        }
        Ok(Interdependency { sectors, a, lu })
    }

    /// Parses a square matrix: the header row names the sectors (its first cell is a free
    /// label), each following row starts with a sector id and holds `a*_row,column`. Rows may
    /// come in any order but every header sector needs exactly one row. Fields are separated
    /// by commas, trimmed, and may be wrapped in double quotes (no embedded commas); blank
    /// lines are skipped and CRLF is accepted.
    pub fn from_csv(text: &str) -> Result<Interdependency, IimError> {
        let csv_err = |line: usize, column: usize, message: String| IimError::Csv {
            line,
            column,
            message,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty());
        let (header_line, header) = lines
            .next()
            .ok_or_else(|| csv_err(1, 1, "empty input".into()))?;
        let sectors: Vec<String> = fields(header).skip(1).map(str::to_owned).collect();
        let n = sectors.len();
        if n == 0 {
            return Err(csv_err(header_line, 2, "header names no sectors".into()));
        }
        let mut index = HashMap::with_capacity(n);
        for (j, s) in sectors.iter().enumerate() {
            if s.is_empty() {
                return Err(csv_err(header_line, j + 2, "empty sector id".into()));
            }
            if index.insert(s.as_str(), j).is_some() {
                return Err(csv_err(
                    header_line,
                    j + 2,
                    format!("sector {s:?} appears twice"),
                ));
            }
        }
        let mut a = vec![0.0; n * n];
        let mut seen = vec![false; n];
        for (line, text) in lines {
            let mut cells = fields(text);
            let id = cells.next().unwrap_or_default();
            let &i = index
                .get(id)
                .ok_or_else(|| csv_err(line, 1, format!("sector {id:?} is not in the header")))?;
            if std::mem::replace(&mut seen[i], true) {
                return Err(csv_err(line, 1, format!("second row for sector {id:?}")));
            }
            let mut count = 0;
            for (j, cell) in cells.enumerate() {
                if j >= n {
                    return Err(csv_err(line, j + 2, format!("more than {n} values")));
                }
                a[i * n + j] = cell
                    .parse::<f64>()
                    .map_err(|_| csv_err(line, j + 2, format!("{cell:?} is not a number")))?;
                count += 1;
            }
            if count < n {
                return Err(csv_err(
                    line,
                    count + 2,
                    format!("{count} values, expected {n}"),
                ));
            }
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            let line = text.lines().count().max(header_line);
            return Err(csv_err(
                line,
                1,
                format!("no row for sector {:?}", sectors[missing]),
            ));
        }
        Interdependency::new(sectors, a)
    }

    /// Derives `A*` over the 16 sectors of [`model::sectors`] from the atlas' dependencies, as
    /// compiled into a [`Graph`] (whose redundancy groups follow PRODUCT §1).
    ///
    /// For every asset `d` with at least one sector, let `S(d)` be its sectors and `w_d` its
    /// effective weight ([`Graph::weight`]). Each dependency edge `e = (d needs p)` with strength
    /// `s_e` in redundancy group `G` of `d` carries `c_e = s_e / |G|` (a group of `|G|` redundant
    /// providers is fully lost only when all are, so each member carries an equal share of the
    /// group's strength; the default group — the provider alone — has `|G| = 1`; a provider
    /// listed twice in a group counts twice). Every edge counts, whatever its kind or tolerance.
    /// The asset's total dependency mass is `M_d = 1 + Σ_e c_e`, where the `1` stands for the
    /// asset's own operation, which no modelled dependency carries. Then
    ///
    /// ```text
    /// a*_ij = Σ_{d: i ∈ S(d)} (w_d/|S(d)|) · Σ_{e = (d,p): j ∈ S(p)} (c_e/|S(p)|) / M_d
    ///         ─────────────────────────────────────────────────────────────────────
    ///                         Σ_{d: i ∈ S(d)} w_d/|S(d)|
    /// ```
    ///
    /// i.e. the output-weighted mean, over sector `i`'s assets, of the share of each asset's
    /// dependency mass that rests on sector `j`'s assets (an asset in several sectors counts
    /// for each with an equal share). Row `i` sums to the weighted mean of `(M_d − 1)/M_d`
    /// minus what rests on assets without a sector, so every row sum is `< 1`, hence
    /// `ρ(A*) < 1` and the model is always well posed. Sectors without assets (or with zero
    /// total weight) get a zero row. Cost `O(N + E)`.
    pub fn from_graph(graph: &Graph) -> Result<Interdependency, IimError> {
        let sectors: Vec<String> = model::sectors().iter().map(|s| s.id.to_owned()).collect();
        let n = sectors.len();
        let share = |mask: u16| 1.0 / f64::from(mask.count_ones());
        let mut a = vec![0.0; n * n];
        let mut output = vec![0.0; n];
        // Sector j's share of the current asset's dependency mass, before dividing by M_d.
        let mut on = vec![0.0; n];
        for d in 0..graph.asset_count() as u32 {
            let sd = graph.sectors(d);
            if sd == 0 {
                continue;
            }
            let w = graph.weight(d) * share(sd);
            let mut mass = 1.0;
            on.fill(0.0);
            for g in graph.groups_of(d) {
                let slots = graph.group_slots(g);
                let size = f64::from(slots.end - slots.start);
                for s in slots {
                    let c = graph.slot_strength(s) / size;
                    mass += c;
                    let sp = graph.sectors(graph.slot_provider(s));
                    for j in bits(sp) {
                        on[j] += c * share(sp);
                    }
                }
            }
            for i in bits(sd) {
                output[i] += w;
                let row = &mut a[i * n..(i + 1) * n];
                row.iter_mut()
                    .zip(&on)
                    .for_each(|(v, o)| *v += w * o / mass);
            }
        }
        for (i, &o) in output.iter().enumerate() {
            if o > 0.0 {
                a[i * n..(i + 1) * n].iter_mut().for_each(|v| *v /= o);
            }
        }
        Interdependency::new(sectors, a)
    }

    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }

    /// `a*_ij`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.sectors.len() + j]
    }

    /// Static inoperability `q = (I − A*)⁻¹ c*`, clamped to `[0, 1]`; `c*_i ∈ [0, 1]`.
    pub fn static_inoperability(&self, c_star: &[f64]) -> Result<Vec<f64>, IimError> {
        self.check_vector("c*", c_star)?;
        let mut q = c_star.to_vec();
        self.lu.solve(&mut q);
        q.iter_mut().for_each(|v| *v = v.clamp(0.0, 1.0));
        Ok(q)
    }

    /// The resilience coefficients for recovery targets: sector `i`, left alone, recovers from
    /// `q_i(0)` to `residual · q_i(0)` in `recovery_steps[i]` steps, so
    /// `k_i = ln(1/residual) / (T_i (1 − a*_ii))`, clamped to `[0, 1)` (a value ≥ 1 would
    /// overshoot the discrete update). The customary `residual` is `0.01` (99 % recovery).
    pub fn resilience(&self, recovery_steps: &[f64], residual: f64) -> Result<Vec<f64>, IimError> {
        self.check_len("recovery_steps", recovery_steps)?;
        if !(residual > 0.0 && residual < 1.0) {
            return Err(IimError::Residual(residual));
        }
        if let Some(i) = recovery_steps
            .iter()
            .position(|t| !(t.is_finite() && *t > 0.0))
        {
            let value = recovery_steps[i];
            return Err(IimError::Value {
                what: "recovery_steps",
                index: i,
                value,
                range: "(0, ∞)",
            });
        }
        let max_k = 1.0 - f64::EPSILON;
        Ok(recovery_steps
            .iter()
            .enumerate()
            .map(|(i, t)| ((1.0 / residual).ln() / (t * (1.0 - self.get(i, i)))).clamp(0.0, max_k))
            .collect())
    }

    /// Runs the DIIM for `steps` steps from `q0`; `q` is clamped to `[0, 1]` after each step.
    /// `k_i ∈ [0, 1)` is sector `i`'s resilience (see [`Interdependency::resilience`]).
    pub fn dynamic(
        &self,
        q0: &[f64],
        k: &[f64],
        perturbation: Perturbation<'_>,
        steps: usize,
    ) -> Result<Trajectory, IimError> {
        let n = self.sectors.len();
        self.check_vector("q0", q0)?;
        self.check_len("k", k)?;
        if let Some(i) = k.iter().position(|v| !(*v >= 0.0 && *v < 1.0)) {
            return Err(IimError::Value {
                what: "k",
                index: i,
                value: k[i],
                range: "[0, 1)",
            });
        }
        match perturbation {
            Perturbation::Constant(c) => self.check_vector("c*", c)?,
            Perturbation::Steps(cs) => cs.iter().try_for_each(|c| self.check_vector("c*(t)", c))?,
        }
        let zero = vec![0.0; n];
        let mut q = Vec::with_capacity(steps + 1);
        q.push(q0.to_vec());
        for t in 0..steps {
            let c = match perturbation {
                Perturbation::Constant(c) => c,
                Perturbation::Steps(cs) => cs.get(t).map_or(zero.as_slice(), Vec::as_slice),
            };
            let cur = &q[t];
            let next = (0..n)
                .map(|i| {
                    let row = &self.a[i * n..(i + 1) * n];
                    let aq: f64 = row.iter().zip(cur).map(|(a, q)| a * q).sum();
                    (cur[i] + k[i] * (aq + c[i] - cur[i])).clamp(0.0, 1.0)
                })
                .collect();
            q.push(next);
        }
        Ok(Trajectory { q })
    }

    fn check_len(&self, what: &'static str, v: &[f64]) -> Result<(), IimError> {
        let expected = self.sectors.len();
        if v.len() == expected {
            Ok(())
        } else {
            Err(IimError::Length {
                what,
                expected,
                found: v.len(),
            })
        }
    }

    /// Length = sector count and every value in `[0, 1]`.
    fn check_vector(&self, what: &'static str, v: &[f64]) -> Result<(), IimError> {
        self.check_len(what, v)?;
        match v.iter().position(|x| !(0.0..=1.0).contains(x)) {
            Some(index) => Err(IimError::Value {
                what,
                index,
                value: v[index],
                range: "[0, 1]",
            }),
            None => Ok(()),
        }
    }
}

impl Trajectory {
    /// Economic loss for sector outputs `x` (output per step, same unit for every sector).
    pub fn loss(&self, output: &[f64]) -> Result<Loss, IimError> {
        let n = self.q.first().map_or(0, Vec::len);
        if output.len() != n {
            return Err(IimError::Length {
                what: "output",
                expected: n,
                found: output.len(),
            });
        }
        let per_step: Vec<f64> = self.q.iter().map(|q| economic_loss(q, output)).collect();
        let cumulative = per_step
            .iter()
            .scan(0.0, |acc, v| {
                *acc += v;
                Some(*acc)
            })
            .collect();
        let per_sector = (0..n)
            .map(|i| output[i] * self.q.iter().map(|q| q[i]).sum::<f64>())
            .collect();
        Ok(Loss {
            per_step,
            cumulative,
            per_sector,
        })
    }
}

/// Static economic loss for one period: `Σ_i x_i q_i`.
pub fn economic_loss(q: &[f64], output: &[f64]) -> f64 {
    q.iter().zip(output).map(|(q, x)| q * x).sum()
}

/// Indices of the set bits of a sector mask, ascending.
fn bits(mask: u16) -> impl Iterator<Item = usize> {
    (0..16).filter(move |b| mask & (1 << b) != 0)
}

/// The fields of one CSV line, trimmed, with one pair of surrounding double quotes removed.
fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').map(|f| {
        let f = f.trim();
        f.strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or(f)
    })
}

/// The Perron root of a non-negative matrix, for error messages: power iteration on
/// `B = (A + I)/2` (primitive, so the iteration converges even for periodic `A`) with
/// Collatz–Wielandt bounds `min_i (Bx)_i/x_i ≤ ρ(B) ≤ max_i (Bx)_i/x_i` for `x > 0`.
fn spectral_radius(a: &[f64], n: usize) -> f64 {
    let mut x = vec![1.0; n];
    let mut bounds = (0.0, f64::INFINITY);
    for _ in 0..2_000 {
        let y: Vec<f64> = (0..n)
            .map(|i| {
                0.5 * (x[i]
                    + a[i * n..(i + 1) * n]
                        .iter()
                        .zip(&x)
                        .map(|(a, x)| a * x)
                        .sum::<f64>())
            })
            .collect();
        let ratios = y.iter().zip(&x).map(|(y, x)| y / x);
        bounds = ratios.fold((f64::INFINITY, 0.0), |(lo, hi), r| {
            (f64::min(lo, r), f64::max(hi, r))
        });
        let norm = y.iter().cloned().fold(0.0, f64::max);
        x = y.iter().map(|v| v / norm).collect();
        if bounds.1 - bounds.0 <= 1e-12 * bounds.1 {
            break;
        }
    }
    // ρ(A) = 2ρ(B) − 1, with ρ(B) estimated by the midpoint of its bounds.
    bounds.0 + bounds.1 - 1.0
}

/// Dense LU factorisation with partial pivoting, `P M = L U`, stored in place (row-major).
#[derive(Debug, Clone)]
struct Lu {
    n: usize,
    lu: Vec<f64>,
    perm: Vec<usize>,
}

impl Lu {
    /// Fails when a pivot is negligible relative to the matrix' largest entry.
    fn factor(mut m: Vec<f64>, n: usize) -> Result<Lu, IimError> {
        let scale = m.iter().fold(0.0f64, |acc, v| acc.max(v.abs()));
        let tiny = scale * n as f64 * f64::EPSILON;
        let mut perm: Vec<usize> = (0..n).collect();
        for k in 0..n {
            let mut p = k;
            for r in k + 1..n {
                if m[r * n + k].abs() > m[p * n + k].abs() {
                    p = r;
                }
            }
            let pivot = m[p * n + k];
            if pivot.abs() <= tiny || !pivot.is_finite() {
                return Err(IimError::Singular { step: k, pivot });
            }
            if p != k {
                for c in 0..n {
                    m.swap(p * n + c, k * n + c);
                }
                perm.swap(p, k);
            }
            let (top, bottom) = m.split_at_mut((k + 1) * n);
            let pivot_row = &top[k * n..];
            for row in bottom.chunks_exact_mut(n) {
                let f = row[k] / pivot;
                row[k] = f;
                if f != 0.0 {
                    for c in k + 1..n {
                        row[c] -= f * pivot_row[c];
                    }
                }
            }
        }
        Ok(Lu { n, lu: m, perm })
    }

    /// Solves `M x = b` in place.
    fn solve(&self, b: &mut [f64]) {
        let n = self.n;
        let mut x: Vec<f64> = self.perm.iter().map(|&p| b[p]).collect();
        for i in 0..n {
            let s: f64 = (0..i).map(|j| self.lu[i * n + j] * x[j]).sum();
            x[i] -= s;
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|j| self.lu[i * n + j] * x[j]).sum();
            x[i] = (x[i] - s) / self.lu[i * n + i];
        }
        b.copy_from_slice(&x);
    }
}
