// PCA by covariance + subspace iteration + Rayleigh–Ritz (see pca.hpp).
#include "hourglass/nn/pca.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/rng.hpp"

namespace hg {

using kernels::gemm;
using kernels::Trans;

// ---- small symmetric eigenproblem: cyclic Jacobi -------------------------
//
// Each rotation J in the (p, q) plane is chosen so that (JᵀAJ)_pq = 0. It
// may undo earlier zeros, but the off-diagonal mass Σ a_ij² shrinks every
// time, so sweeping over all pairs converges (quadratically near the end).
// The product of the rotations is the eigenvector matrix.
SymmetricEigen symmetric_eigen(std::vector<double> A, int n) {
  check(n >= 1 && A.size() == std::size_t(n) * std::size_t(n),
        "symmetric_eigen: expected an n × n matrix with n >= 1, got ",
        A.size(), " numbers for n = ", n);
  auto a = [&](int i, int j) -> double& { return A[std::size_t(i) * n + j]; };
  std::vector<double> V(std::size_t(n) * n, 0.0);  // columns: eigenvectors
  for (int i = 0; i < n; ++i) V[std::size_t(i) * n + i] = 1.0;

  double total = 0.0;
  for (double x : A) total += x * x;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0.0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += a(p, q) * a(p, q);
    if (off <= 1e-30 * total || off == 0.0) break;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const double apq = a(p, q);
        if (std::abs(apq) < 1e-300) continue;
        // tan of the rotation angle, the smaller root of t² + 2θt − 1 = 0
        const double theta = (a(q, q) - a(p, p)) / (2.0 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) /
                         (std::abs(theta) + std::sqrt(theta * theta + 1.0));
        const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) {  // A ← A·J (columns p, q)
          const double akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) {  // A ← Jᵀ·A (rows p, q)
          const double apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {  // V ← V·J
          double& vkp = V[std::size_t(k) * n + p];
          double& vkq = V[std::size_t(k) * n + q];
          const double x = vkp, y = vkq;
          vkp = c * x - s * y;
          vkq = s * x + c * y;
        }
      }
    }
  }
  // Sort by eigenvalue, largest first; eigenvectors become rows.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int i, int j) { return a(i, i) > a(j, j); });
  SymmetricEigen out;
  out.values.resize(n);
  out.vectors.resize(std::size_t(n) * n);
  for (int r = 0; r < n; ++r) {
    out.values[r] = a(order[r], order[r]);
    for (int k = 0; k < n; ++k)
      out.vectors[std::size_t(r) * n + k] = V[std::size_t(k) * n + order[r]];
  }
  return out;
}

namespace {

// Makes the rows of Q: (p, D) orthonormal, by modified Gram–Schmidt done
// twice ("twice is enough" for float round-off). A row that vanishes (the
// data has fewer than p directions) is replaced by a fresh random one.
void orthonormalise_rows(Tensor& Q, Rng& rng) {
  const int p = Q.rows(), D = Q.cols();
  for (int i = 0; i < p; ++i) {
    float* qi = Q.data() + std::size_t(i) * D;
    for (int attempt = 0; attempt < 3; ++attempt) {
      double before = 0.0;
      for (int d = 0; d < D; ++d) before += double(qi[d]) * qi[d];
      for (int pass = 0; pass < 2; ++pass) {
        for (int j = 0; j < i; ++j) {  // qᵢ −= (qᵢ·qⱼ) qⱼ
          const float* qj = Q.data() + std::size_t(j) * D;
          double dot = 0.0;
          for (int d = 0; d < D; ++d) dot += double(qi[d]) * qj[d];
          for (int d = 0; d < D; ++d) qi[d] -= float(dot) * qj[d];
        }
      }
      double norm2 = 0.0;
      for (int d = 0; d < D; ++d) norm2 += double(qi[d]) * qi[d];
      if (norm2 > 1e-10 * before && norm2 > 1e-30) {
        const float inv = float(1.0 / std::sqrt(norm2));
        for (int d = 0; d < D; ++d) qi[d] *= inv;
        break;
      }
      for (int d = 0; d < D; ++d) qi[d] = rng.normal();
      check(attempt < 2, "fit_pca: could not orthonormalise the basis");
    }
  }
}

}  // namespace

PCA fit_pca(const Tensor& X, int k, PCAOptions options) {
  check(X.rank() == 2, "fit_pca: X must be (N, D), got ", X.shape());
  const int N = X.rows(), D = X.cols();
  check(N >= 2, "fit_pca: need at least 2 samples, got X ", X.shape());
  check(k >= 1 && k <= D, "fit_pca: k must be in [1, D] = [1, ", D,
        "], got k = ", k, " for X ", X.shape());
  check(options.iterations >= 1 && options.oversample >= 0,
        "fit_pca: iterations must be >= 1 and oversample >= 0, got ",
        options.iterations, " and ", options.oversample);
  for (float x : X)
    check(std::isfinite(x), "fit_pca: X ", X.shape(), " holds NaN or inf");

  PCA pca;
  // μ = mean of the rows, in double so 60000 rows lose no digits.
  pca.mean = Tensor(Shape{1, D});
  {
    std::vector<double> sum(D, 0.0);
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < D; ++d) sum[d] += X[std::size_t(n) * D + d];
    for (int d = 0; d < D; ++d) pca.mean[d] = float(sum[d] / N);
  }
  Tensor Xc = X;  // X̃ = X − μ
  for (int n = 0; n < N; ++n)
    for (int d = 0; d < D; ++d) Xc[std::size_t(n) * D + d] -= pca.mean[d];

  // Σ = (1/N)·X̃ᵀX̃: (D, D). The 1/N (not 1/(N−1)) makes the sum of the
  // discarded eigenvalues exactly the mean squared reconstruction error.
  Tensor S(Shape{D, D});
  gemm({.trans_a = Trans::Yes, .M = D, .N = D, .K = N, .alpha = 1.0f / N,
        .A = Xc.data(), .lda = D, .B = Xc.data(), .ldb = D, .C = S.data(),
        .ldc = D});
  pca.total_variance = 0.0;
  for (int d = 0; d < D; ++d) pca.total_variance += S[std::size_t(d) * D + d];

  // Subspace iteration on the rows of Q: (p, D). Σ is symmetric, so the
  // block Σ·Qᵀ is (Q·Σ)ᵀ and we never form a transpose: Y = Q·Σ.
  const int p = std::min(D, k + options.oversample);
  Rng rng(options.seed);
  Tensor Q(Shape{p, D}), Y(Shape{p, D});
  rng.fill_normal(Q, 0.0f, 1.0f);
  orthonormalise_rows(Q, rng);
  for (int it = 0; it < options.iterations; ++it) {
    gemm({.M = p, .N = D, .K = D, .A = Q.data(), .lda = D, .B = S.data(),
          .ldb = D, .C = Y.data(), .ldc = D});
    std::swap(Q, Y);
    orthonormalise_rows(Q, rng);
  }

  // Rayleigh–Ritz: T = Q·Σ·Qᵀ: (p, p) is Σ seen inside the subspace; its
  // eigenvectors U rotate the basis onto the eigenvectors: V = Uᵀ·Q.
  gemm({.M = p, .N = D, .K = D, .A = Q.data(), .lda = D, .B = S.data(),
        .ldb = D, .C = Y.data(), .ldc = D});
  Tensor T(Shape{p, p});
  gemm({.trans_b = Trans::Yes, .M = p, .N = p, .K = D, .A = Y.data(),
        .lda = D, .B = Q.data(), .ldb = D, .C = T.data(), .ldc = p});
  std::vector<double> Td(std::size_t(p) * p);
  for (int i = 0; i < p; ++i)  // symmetrise away the round-off
    for (int j = 0; j < p; ++j)
      Td[std::size_t(i) * p + j] =
          0.5 * (double(T[std::size_t(i) * p + j]) + T[std::size_t(j) * p + i]);
  const SymmetricEigen eig = symmetric_eigen(std::move(Td), p);
  Tensor U(Shape{k, p});  // the top-k eigenvectors of T, as rows
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < p; ++j)
      U[std::size_t(i) * p + j] = float(eig.vectors[std::size_t(i) * p + j]);
  pca.components = Tensor(Shape{k, D});
  gemm({.M = k, .N = D, .K = p, .A = U.data(), .lda = p, .B = Q.data(),
        .ldb = D, .C = pca.components.data(), .ldc = D});
  pca.explained_variance = Tensor(Shape{k});
  for (int i = 0; i < k; ++i)
    pca.explained_variance[i] = float(std::max(0.0, eig.values[i]));

  pca.mean_code_ = Tensor(Shape{1, k});  // μ·Vᵀ
  gemm({.trans_b = Trans::Yes, .M = 1, .N = k, .K = D,
        .A = pca.mean.data(), .lda = D, .B = pca.components.data(), .ldb = D,
        .C = pca.mean_code_.data(), .ldc = k});
  return pca;
}

float PCA::explained_variance_ratio(int i) const {
  check(i >= 0 && i < k(), "PCA::explained_variance_ratio: component ", i,
        " out of range [0, ", k(), ")");
  return total_variance > 0 ? float(explained_variance[i] / total_variance)
                            : 0.0f;
}

double PCA::discarded_variance() const {
  double kept = 0.0;
  for (float l : explained_variance) kept += l;
  return std::max(0.0, total_variance - kept);
}

Tensor PCA::encode(const Tensor& X) const {
  check(k() > 0, "PCA::encode: this PCA was never fitted (use fit_pca)");
  check(X.rank() == 2 && X.cols() == dim(), "PCA::encode: X must be (N, ",
        dim(), "), got ", X.shape());
  // Z = (X − μ)·Vᵀ = X·Vᵀ − μ·Vᵀ
  const int N = X.rows(), D = dim(), K = k();
  Tensor Z(Shape{N, K});
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < K; ++j) Z[std::size_t(n) * K + j] = -mean_code_[j];
  gemm({.trans_b = Trans::Yes, .M = N, .N = K, .K = D, .A = X.data(),
        .lda = D, .B = components.data(), .ldb = D, .beta = 1.0f,
        .C = Z.data(), .ldc = K});
  return Z;
}

Tensor PCA::decode(const Tensor& Z) const {
  check(k() > 0, "PCA::decode: this PCA was never fitted (use fit_pca)");
  check(Z.rank() == 2 && Z.cols() == k(), "PCA::decode: Z must be (N, ", k(),
        "), got ", Z.shape());
  // X̂ = Z·V + μ
  const int N = Z.rows(), D = dim(), K = k();
  Tensor Xh(Shape{N, D});
  for (int n = 0; n < N; ++n)
    std::copy(mean.begin(), mean.end(), Xh.data() + std::size_t(n) * D);
  gemm({.M = N, .N = D, .K = K, .A = Z.data(), .lda = K,
        .B = components.data(), .ldb = D, .beta = 1.0f, .C = Xh.data(),
        .ldc = D});
  return Xh;
}

Tensor PCA::reconstruct(const Tensor& X) const { return decode(encode(X)); }

}  // namespace hg
