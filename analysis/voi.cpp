// SPDX-License-Identifier: MIT
#include "analysis/voi.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>

#include <Eigen/Dense>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include "analysis/calibration.hpp"

namespace mhsim::analysis::voi {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Generalised cross-validation with each degree of freedom counted 1.4 times,
// n RSS / (n - 1.4 edf)^2 (Kim and Gu 2004; the `gamma` of R's mgcv, Wood 2017 section
// 4.6.1): plain GCV (1.0) undersmooths at a few hundred points and fewer, fitting a wiggle
// to noise (seen: 12 degrees of freedom for an input with no effect, on 100 replications).
constexpr double kGcvGamma = 1.4;

// Fixed seed of the posterior draws: the same inputs give the same standard errors.
constexpr std::uint32_t kDrawSeed = 20140311u;

Index ix(std::size_t i) { return static_cast<Index>(i); }

// (rank - 1/2) / R, ties sharing their average rank.
std::vector<double> rank_scale(const std::vector<double>& x) {
  const std::size_t R = x.size();
  std::vector<std::size_t> order(R);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> u(R);
  for (std::size_t i = 0; i < R;) {
    std::size_t j = i;
    while (j + 1 < R && x[order[j + 1]] == x[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // 1-based average rank
    for (std::size_t k = i; k <= j; ++k) u[order[k]] = (rank - 0.5) / static_cast<double>(R);
    i = j + 1;
  }
  return u;
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (const double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

// A fitted metamodel that can also draw its fitted values from their posterior.
class Fit {
 public:
  virtual ~Fit() = default;
  Fit() = default;
  Fit(const Fit&) = delete;
  Fit& operator=(const Fit&) = delete;
  std::vector<double> fitted;
  Method method = Method::kSpline;
  double edf = std::numeric_limits<double>::quiet_NaN();
  /// Points a posterior draw covers (the first `points()` replications).
  virtual std::size_t points() const = 0;
  virtual void draw(boost::random::mt19937& rng, std::vector<double>& out) const = 0;
};

// y does not vary, or the inputs do not: the fit is the mean, with no uncertainty.
class ConstantFit final : public Fit {
 public:
  ConstantFit(double mean, std::size_t R) {
    fitted.assign(R, mean);
    edf = 1;
  }
  std::size_t points() const override { return fitted.size(); }
  void draw(boost::random::mt19937&, std::vector<double>& out) const override { out = fitted; }
};

// ---- one input: P-spline -----------------------------------------------------------------

// Cubic B-splines on `segments` equal segments of [0, 1]: R x (segments + 3).
MatrixXd bspline_basis(const std::vector<double>& u, std::size_t segments) {
  MatrixXd B = MatrixXd::Zero(ix(u.size()), ix(segments + 3));
  for (std::size_t r = 0; r < u.size(); ++r) {
    const double t = std::clamp(u[r], 0.0, 1.0) * static_cast<double>(segments);
    const std::size_t s = std::min(static_cast<std::size_t>(t), segments - 1);
    const double x = t - static_cast<double>(s);
    const double x2 = x * x, x3 = x2 * x;
    B(ix(r), ix(s)) = (1 - x) * (1 - x) * (1 - x) / 6;
    B(ix(r), ix(s + 1)) = (3 * x3 - 6 * x2 + 4) / 6;
    B(ix(r), ix(s + 2)) = (-3 * x3 + 3 * x2 + 3 * x + 1) / 6;
    B(ix(r), ix(s + 3)) = x3 / 6;
  }
  return B;
}

class SplineFit final : public Fit {
 public:
  SplineFit(const std::vector<double>& u, const std::vector<double>& y) {
    const std::size_t R = y.size();
    const std::size_t segments = std::clamp<std::size_t>(R / 10, 4, 20);
    B_ = bspline_basis(u, segments);
    const Index m = B_.cols();
    MatrixXd D = MatrixXd::Zero(m - 2, m);
    for (Index i = 0; i < m - 2; ++i) {
      D(i, i) = 1;
      D(i, i + 1) = -2;
      D(i, i + 2) = 1;
    }
    const MatrixXd P = D.transpose() * D;
    const MatrixXd BtB = B_.transpose() * B_;
    const VectorXd Y = Eigen::Map<const VectorXd>(y.data(), ix(R));
    const VectorXd BtY = B_.transpose() * Y;
    const double scale = BtB.trace() / P.trace();
    // Generalised cross-validation over a grid of smoothing parameters (log10 steps of 1/4).
    double best_gcv = std::numeric_limits<double>::infinity();
    MatrixXd best_A;
    for (int k = -24; k <= 32; ++k) {
      const double lambda = scale * std::pow(10.0, 0.25 * k);
      const MatrixXd A = BtB + lambda * P;
      const Eigen::LDLT<MatrixXd> ldlt(A);
      if (ldlt.info() != Eigen::Success) continue;
      const VectorXd beta = ldlt.solve(BtY);
      const double rss = (Y - B_ * beta).squaredNorm();
      const double e = ldlt.solve(BtB).trace();
      const double dof = static_cast<double>(R) - e;
      const double charged = static_cast<double>(R) - kGcvGamma * e;
      if (!(dof > 1) || !(charged > 1)) continue;
      const double gcv = static_cast<double>(R) * rss / (charged * charged);
      if (gcv < best_gcv) {
        best_gcv = gcv;
        beta_ = beta;
        edf = e;
        sigma2_ = rss / dof;
        best_A = A;
      }
    }
    if (!std::isfinite(best_gcv)) throw std::runtime_error("voi: the spline fit failed for every smoothing parameter");
    const VectorXd f = B_ * beta_;
    fitted.assign(f.data(), f.data() + f.size());
    method = Method::kSpline;
    // Posterior of the coefficients: N(beta, sigma^2 A^-1) (the Bayesian view of the
    // penalised fit, Wood 2017 section 6.10): beta + sigma L^-T z with A = L L^T.
    const Eigen::LLT<MatrixXd> llt(best_A);
    if (llt.info() != Eigen::Success) throw std::runtime_error("voi: the spline's posterior is not positive definite");
    L_ = llt.matrixL();
  }
  std::size_t points() const override { return fitted.size(); }
  void draw(boost::random::mt19937& rng, std::vector<double>& out) const override {
    boost::random::normal_distribution<double> normal;
    VectorXd z(L_.rows());
    for (Index i = 0; i < z.size(); ++i) z(i) = normal(rng);
    const VectorXd beta = beta_ + std::sqrt(sigma2_) * L_.transpose().triangularView<Eigen::Upper>().solve(z);
    const VectorXd f = B_ * beta;
    out.assign(f.data(), f.data() + f.size());
  }

 private:
  MatrixXd B_, L_;
  VectorXd beta_;
  double sigma2_ = 0;
};

// ---- a group: Gaussian process -------------------------------------------------------------

// Squared-exponential correlation exp(-sum_j ((a_j - b_j) / ell_j)^2) between every row a
// of A and every row b of B (points x inputs), through |a|^2 + |b|^2 - 2 a.b on the scaled
// inputs (one matrix product).
MatrixXd cross_correlation(const MatrixXd& A, const MatrixXd& B, const VectorXd& ell) {
  const MatrixXd As = A.array().rowwise() / ell.transpose().array();
  const MatrixXd Bs = B.array().rowwise() / ell.transpose().array();
  MatrixXd D = -2.0 * As * Bs.transpose();
  D.colwise() += As.rowwise().squaredNorm();
  D.rowwise() += Bs.rowwise().squaredNorm().transpose();
  return (-D.array().max(0.0)).exp().matrix();
}

// The same among the first n rows of U, with an exact unit diagonal.
MatrixXd correlation(const MatrixXd& U, Index n, const VectorXd& ell) {
  MatrixXd C = cross_correlation(U.topRows(n), U.topRows(n), ell);
  C.diagonal().setOnes();
  return C;
}

class GaussianProcessFit final : public Fit {
 public:
  GaussianProcessFit(const MatrixXd& U, const std::vector<double>& y, const Options& o) {
    const std::size_t R = y.size();
    const Index d = U.cols();
    method = Method::kGaussianProcess;
    // The prior mean is linear in the inputs (Strong et al. 2014, section 4.2), fitted by
    // least squares; the process models what the line leaves.
    H_.resize(ix(R), d + 1);
    H_.col(0).setOnes();
    H_.rightCols(d) = U;
    const Eigen::Map<const VectorXd> Y(y.data(), ix(R));
    const Eigen::ColPivHouseholderQR<MatrixXd> qr(H_);
    const VectorXd line = H_ * qr.solve(Y);
    const VectorXd resid = Y - line;
    const double sy = std::sqrt(resid.squaredNorm() / static_cast<double>(R));
    edf = static_cast<double>(d + 1);
    if (!(sy > 0)) {  // the line fits exactly
      line_alone(line);
      return;
    }
    const VectorXd ys = resid / sy;
    // Coefficients' uncertainty: N(beta, s^2 (H^T H)^-1), drawn as beta + s L^-T z.
    const Eigen::LLT<MatrixXd> hth(H_.transpose() * H_);
    if (hth.info() == Eigen::Success) {
      Lh_ = hth.matrixL();
      sh_ = std::sqrt(resid.squaredNorm() / static_cast<double>(R - static_cast<std::size_t>(d) - 1));
    }

    // Hyperparameters: log length scales and log(noise / signal variance), chosen on the
    // first gp_hyper_points points by generalised cross-validation, the criterion of the
    // one-input spline: with K = C + eta I the fit to the residuals is H y, H = C K^-1,
    // whose residuals are eta K^-1 y and whose degrees of freedom are
    // tr H = n - eta tr K^-1, so GCV = n RSS / (n - 1.4 (d + 1 + tr H))^2 counting the
    // line's d + 1. (The marginal likelihood, which Strong et al. maximise, and leave-one-out
    // error both let a process with several inputs and few points pass through every
    // point, its noise taken for signal, which inflates EVPPI towards EVPI; GCV charges
    // for every degree of freedom such a fit uses.)
    const Index nh = ix(std::min(R, std::max<std::size_t>(o.gp_hyper_points, kMinReplications)));
    const VectorXd yh = ys.head(nh);
    const MatrixXd I = MatrixXd::Identity(nh, nh);
    const double n_h = static_cast<double>(nh);
    const auto gcv = [&](const VectorXd& theta) {
      const VectorXd ell = theta.head(d).array().exp();
      const double eta = std::exp(theta(d));
      MatrixXd K = correlation(U, nh, ell);
      K.diagonal().array() += eta;
      const Eigen::LLT<MatrixXd> llt(K);
      if (llt.info() != Eigen::Success) return 1e300;
      const VectorXd a = llt.solve(yh);
      const double trace_inv = llt.solve(I).trace();
      const double residual_dof = n_h - kGcvGamma * (static_cast<double>(d + 1) + n_h - eta * trace_inv);
      if (!(residual_dof > 0.5)) return 1e300;
      return n_h * eta * eta * a.squaredNorm() / (residual_dof * residual_dof);
    };
    VectorXd x0(d + 1), step(d + 1);
    MinimiseOptions nm;
    nm.lower.resize(d + 1);
    nm.upper.resize(d + 1);
    for (Index j = 0; j < d; ++j) {
      x0(j) = std::log(2.0);
      step(j) = 1.0;
      nm.lower(j) = std::log(0.05);
      nm.upper(j) = std::log(1000.0);
    }
    x0(d) = std::log(1.0);
    step(d) = 1.0;
    nm.lower(d) = std::log(1e-6);
    nm.upper(d) = std::log(1e4);
    nm.max_evaluations = static_cast<int>(std::min<Index>(60 * (d + 1), 600));
    nm.x_tolerance = 1e-3;
    const MinimiseResult best = minimise(gcv, x0, step, nm);
    if (!(best.f < 1e299)) {  // too few points for any process beside the line
      line_alone(line);
      return;
    }
    const VectorXd ell = best.x.head(d).array().exp();
    const double eta = std::exp(best.x(d));

    // The fit on the first n points, through the eigen-decomposition C = Q diag(l) Q^T:
    // alpha = (C + eta I)^-1 y, posterior covariance of f there s2 eta Q diag(l / (l + eta)) Q^T.
    const Index n = ix(std::min(R, std::max<std::size_t>(o.gp_points, kMinReplications)));
    n_ = static_cast<std::size_t>(n);
    const MatrixXd C = correlation(U, n, ell);
    const Eigen::SelfAdjointEigenSolver<MatrixXd> eig(C);
    if (eig.info() != Eigen::Success) throw std::runtime_error("voi: the Gaussian process's correlation matrix did not decompose");
    const VectorXd l = eig.eigenvalues().cwiseMax(0.0);
    const MatrixXd& Q = eig.eigenvectors();
    const VectorXd qy = Q.transpose() * ys.head(n);
    const VectorXd alpha = Q * (qy.array() / (l.array() + eta)).matrix();
    const double s2 = ys.head(n).dot(alpha) / static_cast<double>(n);  // profile MLE of the signal variance
    edf = static_cast<double>(d + 1) + (l.array() / (l.array() + eta)).sum();
    W_ = Q * (s2 * eta * l.array() / (l.array() + eta)).sqrt().matrix().asDiagonal();
    W_ *= sy;
    const VectorXd f = line + sy * (cross_correlation(U, U.topRows(n), ell) * alpha);
    fitted.assign(f.data(), f.data() + f.size());
  }
  std::size_t points() const override { return n_; }
  void draw(boost::random::mt19937& rng, std::vector<double>& out) const override {
    boost::random::normal_distribution<double> normal;
    VectorXd z(W_.cols());
    for (Index i = 0; i < z.size(); ++i) z(i) = normal(rng);
    VectorXd e = W_ * z;
    if (Lh_.size() > 0) {
      VectorXd zb(Lh_.rows());
      for (Index i = 0; i < zb.size(); ++i) zb(i) = normal(rng);
      const VectorXd db = sh_ * Lh_.transpose().triangularView<Eigen::Upper>().solve(zb);
      e += H_.topRows(e.size()) * db;
    }
    out.resize(points());
    for (std::size_t r = 0; r < out.size(); ++r) out[r] = fitted[r] + e(ix(r));
  }

 private:
  // The least-squares line alone, with no process beside it.
  void line_alone(const VectorXd& line) {
    fitted.assign(line.data(), line.data() + line.size());
    n_ = fitted.size();
    W_ = MatrixXd::Zero(line.size(), 0);
  }

  // Only what a posterior draw needs is kept: the process's square-root covariance at the
  // first n_ points, and the line's design and coefficients' Cholesky factor.
  MatrixXd W_, H_, Lh_;
  double sh_ = 0;
  std::size_t n_ = 0;
};

void check_inputs(const char* function, const std::vector<const std::vector<double>*>& x, std::size_t R) {
  const auto fail = [&](const std::string& what) {
    throw std::invalid_argument(std::string("voi::") + function + ": " + what);
  };
  if (x.empty() || x.size() > kMaxGroup) {
    fail("a group of " + std::to_string(x.size()) + " inputs, expected 1 to " + std::to_string(kMaxGroup));
  }
  if (R < kMinReplications) {
    fail(std::to_string(R) + " replications, expected at least " + std::to_string(kMinReplications));
  }
  for (std::size_t j = 0; j < x.size(); ++j) {
    if (x[j] == nullptr || x[j]->size() != R) fail("input " + std::to_string(j) + " does not have " + std::to_string(R) + " values");
    for (const double v : *x[j]) {
      if (!std::isfinite(v)) fail("input " + std::to_string(j) + " has a value that is not a finite number");
    }
  }
}

std::unique_ptr<Fit> fit(const std::vector<const std::vector<double>*>& x, const std::vector<double>& y,
                         const Options& o) {
  // The inputs are checked once by the public function that calls this.
  for (const double v : y) {
    if (!std::isfinite(v)) throw std::invalid_argument("voi: an output value is not a finite number");
  }
  const std::size_t R = y.size();
  std::vector<std::vector<double>> u;
  for (const auto* col : x) {
    std::vector<double> c = rank_scale(*col);
    // An input that never varies carries no information: leave it out.
    if (std::any_of(c.begin(), c.end(), [&](double v) { return v != c.front(); })) u.push_back(std::move(c));
  }
  if (u.empty() || !(variance_of(y) > 0)) return std::make_unique<ConstantFit>(mean_of(y), R);
  if (u.size() == 1) return std::make_unique<SplineFit>(u.front(), y);
  // The Gaussian process takes standardised inputs, (x - mean) / sd: on the rank scale a
  // straight line in a normal input becomes steep in the tails, which a smooth kernel with
  // one length scale per input follows badly.
  std::vector<const std::vector<double>*> varying;
  for (const auto* col : x) {
    if (variance_of(*col) > 0) varying.push_back(col);
  }
  MatrixXd U(ix(R), ix(varying.size()));
  for (std::size_t j = 0; j < varying.size(); ++j) {
    const double m = mean_of(*varying[j]), sd = std::sqrt(variance_of(*varying[j]));
    for (std::size_t r = 0; r < R; ++r) U(ix(r), ix(j)) = ((*varying[j])[r] - m) / sd;
  }
  return std::make_unique<GaussianProcessFit>(U, y, o);
}

// max(0, g_1, ..., g_K) averaged over the first n points, minus max(0, mean g_1, ...).
double evppi_of(const std::vector<const std::vector<double>*>& g, std::size_t n) {
  double mean_max = 0;
  std::vector<double> means(g.size(), 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    double best = 0;
    for (std::size_t k = 0; k < g.size(); ++k) {
      best = std::max(best, (*g[k])[r]);
      means[k] += (*g[k])[r];
    }
    mean_max += best;
  }
  double max_mean = 0;
  for (const double m : means) max_mean = std::max(max_mean, m / static_cast<double>(n));
  return std::max(0.0, mean_max / static_cast<double>(n) - max_mean);
}

}  // namespace

const char* method_name(Method m) { return m == Method::kSpline ? "gam" : "gp"; }

Evppi evppi(const std::vector<const std::vector<double>*>& x, const std::vector<std::vector<double>>& nb,
            const Options& options) {
  if (nb.size() < 2) throw std::invalid_argument("voi::evppi: " + std::to_string(nb.size()) + " arms, expected at least 2");
  const std::size_t R = nb.front().size();
  for (const auto& arm : nb) {
    if (arm.size() != R) throw std::invalid_argument("voi::evppi: the arms' net benefits differ in length");
  }
  check_inputs("evppi", x, R);
  std::vector<std::unique_ptr<Fit>> fits;
  std::vector<double> inc(R);
  for (std::size_t k = 1; k < nb.size(); ++k) {
    for (std::size_t r = 0; r < R; ++r) inc[r] = nb[k][r] - nb[0][r];
    fits.push_back(fit(x, inc, options));
  }
  Evppi out;
  out.method = Method::kSpline;
  std::vector<const std::vector<double>*> g;
  std::size_t n = R;
  for (const auto& f : fits) {
    g.push_back(&f->fitted);
    n = std::min(n, f->points());
    if (f->method == Method::kGaussianProcess) out.method = Method::kGaussianProcess;
  }
  out.value = evppi_of(g, R);
  // Standard error: EVPPI recomputed on posterior draws of every arm's fitted values.
  if (options.draws >= 2) {
    boost::random::mt19937 rng(kDrawSeed);
    std::vector<std::vector<double>> drawn(fits.size());
    std::vector<const std::vector<double>*> gd;
    for (const auto& d : drawn) gd.push_back(&d);
    double mean = 0, m2 = 0;
    for (std::size_t s = 0; s < options.draws; ++s) {
      for (std::size_t k = 0; k < fits.size(); ++k) fits[k]->draw(rng, drawn[k]);
      const double e = evppi_of(gd, n);
      const double delta = e - mean;
      mean += delta / static_cast<double>(s + 1);
      m2 += delta * (e - mean);
    }
    out.se = std::sqrt(m2 / static_cast<double>(options.draws - 1));
  }
  return out;
}

double variance_share(const std::vector<const std::vector<double>*>& x, const std::vector<double>& y,
                      const Options& options) {
  check_inputs("variance_share", x, y.size());
  const double vy = variance_of(y);
  if (!(vy > 0)) return 0.0;
  const std::unique_ptr<Fit> f = fit(x, y, options);
  const double R = static_cast<double>(y.size());
  double resid = 0;
  for (std::size_t r = 0; r < y.size(); ++r) resid += (y[r] - f->fitted[r]) * (y[r] - f->fitted[r]);
  // Adjusted R^2: 1 - (residual variance per residual degree of freedom) / (variance per
  // R - 1), so a fit that bends to noise with edf degrees of freedom is not credited for it.
  const double edf = std::isnan(f->edf) ? 1.0 : f->edf;
  // A fit with about as many degrees of freedom as points says nothing about its share.
  if (!(R - edf > 1)) return std::numeric_limits<double>::quiet_NaN();
  return std::clamp(1 - (resid / (R - edf)) / (R * vy / (R - 1)), 0.0, 1.0);
}

double population_factor(double decisions_per_year, std::size_t years, double rate) {
  if (!(decisions_per_year >= 0) || !std::isfinite(decisions_per_year)) {
    throw std::invalid_argument("voi::population_factor: decisions a year must be a finite number >= 0");
  }
  if (!(rate > -1)) throw std::invalid_argument("voi::population_factor: the discount rate must be > -1");
  double f = 0;
  for (std::size_t t = 0; t < years; ++t) f += decisions_per_year / std::pow(1 + rate, static_cast<double>(t));
  return f;
}

}  // namespace mhsim::analysis::voi
