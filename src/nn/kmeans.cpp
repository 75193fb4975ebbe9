// k-means: k-means++ seeding and Lloyd's iterations, with distances through
// GEMM. See nn/kmeans.hpp for the algorithm.
#include "hourglass/nn/kmeans.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>

#include "hourglass/error.hpp"
#include "hourglass/kernels/gemm.hpp"

namespace hg {

namespace {
using std::size_t;

// ‖row‖² for each row of M: (rows, D).
std::vector<float> row_sq_norms(const Tensor& M) {
  const int rows = M.rows(), D = M.cols();
  std::vector<float> out(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const float* m = M.data() + static_cast<size_t>(r) * D;
    double s = 0;
    for (int i = 0; i < D; ++i) s += static_cast<double>(m[i]) * m[i];
    out[static_cast<size_t>(r)] = static_cast<float>(s);
  }
  return out;
}

// ‖x − c‖² for one point and one centroid, directly: used by the seeding,
// which looks at one new centroid at a time.
double sq_dist(const float* x, const float* c, int D) {
  double s = 0;
  for (int i = 0; i < D; ++i) {
    const double d = static_cast<double>(x[i]) - c[i];
    s += d * d;
  }
  return s;
}

void copy_row(const Tensor& from, int row, Tensor& to, int to_row) {
  const int D = from.cols();
  std::copy_n(from.data() + static_cast<size_t>(row) * D, D,
              to.data() + static_cast<size_t>(to_row) * D);
}

// k-means++: each next centroid drawn with probability ∝ D(x)².
Tensor seed_plus_plus(const Tensor& X, int k, Rng& rng) {
  const int N = X.rows(), D = X.cols();
  Tensor C(Shape{k, D});
  copy_row(X, rng.below(N), C, 0);
  std::vector<double> d2(static_cast<size_t>(N));
  for (int n = 0; n < N; ++n)
    d2[static_cast<size_t>(n)] =
        sq_dist(X.data() + static_cast<size_t>(n) * D, C.data(), D);
  for (int c = 1; c < k; ++c) {
    double total = 0;
    for (double v : d2) total += v;
    int pick = rng.below(N);  // every point already a centroid: any will do
    if (total > 0) {
      const double target = static_cast<double>(rng.uniform()) * total;
      double run = 0;
      pick = N - 1;
      for (int n = 0; n < N; ++n) {
        run += d2[static_cast<size_t>(n)];
        if (run > target) { pick = n; break; }
      }
    }
    copy_row(X, pick, C, c);
    const float* cn = C.data() + static_cast<size_t>(c) * D;
    for (int n = 0; n < N; ++n) {
      double& d = d2[static_cast<size_t>(n)];
      d = std::min(d, sq_dist(X.data() + static_cast<size_t>(n) * D, cn, D));
    }
  }
  return C;
}

// D2 = ‖x‖² − 2 X·Cᵀ + ‖c‖², clamped at 0; xx: ‖x_n‖² computed once by the
// caller, since X does not change between Lloyd iterations.
// X: (N, D), C: (k, D), D2: (N, k)
void distances_into(const Tensor& X, const std::vector<float>& xx,
                    const Tensor& C, Tensor& D2) {
  const int N = X.rows(), k = C.rows(), D = X.cols();
  D2.resize(Shape{N, k});
  kernels::gemm({.trans_a = kernels::Trans::No, .trans_b = kernels::Trans::Yes,
                 .M = N, .N = k, .K = D, .alpha = -2.0f,
                 .A = X.data(), .lda = D, .B = C.data(), .ldb = D,
                 .beta = 0.0f, .C = D2.data(), .ldc = k});
  const std::vector<float> cc = row_sq_norms(C);
  for (int n = 0; n < N; ++n) {
    float* row = D2.data() + static_cast<size_t>(n) * k;
    for (int c = 0; c < k; ++c)
      row[c] = std::max(0.0f, row[c] + xx[static_cast<size_t>(n)] +
                                  cc[static_cast<size_t>(c)]);
  }
}

struct Run {
  Tensor C;
  std::vector<int> a;
  double inertia = 0;
  int iterations = 0;
  bool converged = false;
};

Run lloyd(const Tensor& X, Tensor C, int max_iterations) {
  const int N = X.rows(), D = X.cols(), k = C.rows();
  Run r;
  r.a.assign(static_cast<size_t>(N), -1);
  std::vector<double> sums(static_cast<size_t>(k) * D);
  std::vector<int> counts(static_cast<size_t>(k));
  std::vector<float> best(static_cast<size_t>(N));
  const std::vector<float> xx = row_sq_norms(X);
  Tensor D2;
  for (int it = 1; it <= max_iterations; ++it) {
    // assign: the nearest centroid of every point, from one GEMM
    distances_into(X, xx, C, D2);
    bool changed = false;
    for (int n = 0; n < N; ++n) {
      const float* row = D2.data() + static_cast<size_t>(n) * k;
      const int a = static_cast<int>(std::min_element(row, row + k) - row);
      best[static_cast<size_t>(n)] = row[a];
      changed |= a != r.a[static_cast<size_t>(n)];
      r.a[static_cast<size_t>(n)] = a;
    }
    r.iterations = it;
    if (!changed) { r.converged = true; break; }
    // update: each centroid moves to the mean of its points (in double)
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (int n = 0; n < N; ++n) {
      const int a = r.a[static_cast<size_t>(n)];
      ++counts[static_cast<size_t>(a)];
      const float* x = X.data() + static_cast<size_t>(n) * D;
      double* s = sums.data() + static_cast<size_t>(a) * D;
      for (int i = 0; i < D; ++i) s[i] += x[i];
    }
    for (int c = 0; c < k; ++c) {
      float* cc = C.data() + static_cast<size_t>(c) * D;
      if (counts[static_cast<size_t>(c)] == 0) {
        // An empty cluster would keep a useless centroid: move it onto the
        // point worst served by its own centroid, and stop that point from
        // being picked twice.
        const auto worst = std::max_element(best.begin(), best.end());
        copy_row(X, static_cast<int>(worst - best.begin()), C, c);
        *worst = 0;
        continue;
      }
      const double* s = sums.data() + static_cast<size_t>(c) * D;
      const double inv = 1.0 / counts[static_cast<size_t>(c)];
      for (int i = 0; i < D; ++i) cc[i] = static_cast<float>(s[i] * inv);
    }
  }
  // The inertia of the final assignment, computed directly (no rounding
  // from the expansion).
  for (int n = 0; n < N; ++n)
    r.inertia += sq_dist(X.data() + static_cast<size_t>(n) * D,
                         C.data() + static_cast<size_t>(r.a[static_cast<size_t>(n)]) * D, D);
  r.C = std::move(C);
  return r;
}
}  // namespace

Tensor squared_distances(const Tensor& X, const Tensor& C) {
  check(X.rank() == 2 && C.rank() == 2 && X.cols() == C.cols(),
        "squared_distances: X is ", X.shape(), ", C is ", C.shape(),
        " (expected (N, D) and (k, D))");
  Tensor D2;
  distances_into(X, row_sq_norms(X), C, D2);
  return D2;
}

std::vector<int> nearest_centroid(const Tensor& X, const Tensor& C) {
  const Tensor D2 = squared_distances(X, C);
  const int N = X.rows(), k = C.rows();
  std::vector<int> a(static_cast<size_t>(N));
  for (int n = 0; n < N; ++n) {
    const float* row = D2.data() + static_cast<size_t>(n) * k;
    a[static_cast<size_t>(n)] = static_cast<int>(std::min_element(row, row + k) - row);
  }
  return a;
}

KMeans fit_kmeans(const Tensor& X, int k, Rng& rng, const KMeansOptions& options) {
  check(X.rank() == 2 && X.rows() > 0 && X.cols() > 0, "fit_kmeans: X is ",
        X.shape(), " (expected (N, D) with N, D > 0)");
  check(k >= 1 && k <= X.rows(), "fit_kmeans: k = ", k, " for ", X.rows(),
        " points (expected 1 <= k <= N)");
  check(options.max_iterations >= 1 && options.restarts >= 1,
        "fit_kmeans: max_iterations ", options.max_iterations, ", restarts ",
        options.restarts, " (expected both >= 1)");
  Run best;
  best.inertia = std::numeric_limits<double>::infinity();
  for (int r = 0; r < options.restarts; ++r) {
    Run run = lloyd(X, seed_plus_plus(X, k, rng), options.max_iterations);
    if (run.inertia < best.inertia) best = std::move(run);
  }
  KMeans out;
  out.centroids = std::move(best.C);
  out.assignments = std::move(best.a);
  out.inertia = best.inertia;
  out.iterations = best.iterations;
  out.converged = best.converged;
  return out;
}

double cluster_purity(std::span<const int> assignments,
                      std::span<const std::uint8_t> labels) {
  check(!assignments.empty() && assignments.size() == labels.size(),
        "cluster_purity: ", assignments.size(), " assignments and ",
        labels.size(), " labels (expected the same number, > 0)");
  // counts[(cluster, label)]: a map, since clusters need not be 0..k-1.
  std::map<std::pair<int, int>, int> counts;
  for (size_t n = 0; n < labels.size(); ++n)
    ++counts[{assignments[n], static_cast<int>(labels[n])}];
  std::map<int, int> majority;  // cluster → its largest label count
  for (const auto& [key, count] : counts)
    majority[key.first] = std::max(majority[key.first], count);
  double agree = 0;
  for (const auto& [cluster, count] : majority) agree += count;
  return agree / static_cast<double>(labels.size());
}

}  // namespace hg
