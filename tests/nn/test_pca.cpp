#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "hourglass/nn/pca.hpp"
#include "hourglass/rng.hpp"

using hg::PCA;
using hg::Shape;
using hg::Tensor;

namespace {

// Random orthonormal rows (k, D): Gram–Schmidt on Gaussian vectors.
Tensor random_directions(int k, int D, hg::Rng& rng) {
  Tensor U(Shape{k, D});
  rng.fill_normal(U, 0.0f, 1.0f);
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < i; ++j) {
      double dot = 0;
      for (int d = 0; d < D; ++d) dot += U.at(i, d) * U.at(j, d);
      for (int d = 0; d < D; ++d) U.at(i, d) -= float(dot) * U.at(j, d);
    }
    double norm = 0;
    for (int d = 0; d < D; ++d) norm += U.at(i, d) * U.at(i, d);
    for (int d = 0; d < D; ++d) U.at(i, d) /= float(std::sqrt(norm));
  }
  return U;
}

// N points x = c + Σᵢ sᵢ·√varᵢ·uᵢ + noise: sᵢ ~ N(0, 1), noise N(0, σ²) in
// every coordinate. The covariance is Σᵢ varᵢ uᵢuᵢᵀ + σ²I, so the principal
// directions are the uᵢ with variances varᵢ + σ².
Tensor sample_along(const Tensor& U, const std::vector<float>& var, int N,
                    float sigma, hg::Rng& rng) {
  const int D = U.cols();
  Tensor X(Shape{N, D});
  for (int n = 0; n < N; ++n) {
    for (int d = 0; d < D; ++d) X.at(n, d) = 2.0f + 0.1f * d + sigma * rng.normal();
    for (std::size_t i = 0; i < var.size(); ++i) {
      const float s = std::sqrt(var[i]) * rng.normal();
      for (int d = 0; d < D; ++d) X.at(n, d) += s * U.at(int(i), d);
    }
  }
  return X;
}

double abs_dot_row(const Tensor& A, int i, const Tensor& B, int j) {
  double dot = 0;
  for (int d = 0; d < A.cols(); ++d) dot += A.at(i, d) * B.at(j, d);
  return std::abs(dot);
}

double mean_squared_error(const Tensor& X, const Tensor& Xh) {
  double sum = 0;
  for (std::size_t i = 0; i < X.size(); ++i)
    sum += double(X[i] - Xh[i]) * (X[i] - Xh[i]);
  return sum / X.rows();  // per sample, summed over the D coordinates
}

}  // namespace

TEST_SUITE("pca") {
  TEST_CASE("Jacobi eigen-decomposition of a known symmetric matrix") {
    // [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: eigenvalues 5, 3, 1 with vectors
    // e₃, (1, 1, 0)/√2, (1, −1, 0)/√2.
    const hg::SymmetricEigen e =
        hg::symmetric_eigen({2, 1, 0, 1, 2, 0, 0, 0, 5}, 3);
    CHECK(e.values[0] == doctest::Approx(5.0));
    CHECK(e.values[1] == doctest::Approx(3.0));
    CHECK(e.values[2] == doctest::Approx(1.0));
    CHECK(std::abs(e.vectors[2]) == doctest::Approx(1.0));
    CHECK(std::abs(e.vectors[3]) == doctest::Approx(std::sqrt(0.5)));
    CHECK(e.vectors[3] == doctest::Approx(e.vectors[4]));   // (1, 1, 0)
    CHECK(e.vectors[6] == doctest::Approx(-e.vectors[7]));  // (1, −1, 0)
    CHECK_THROWS_AS(hg::symmetric_eigen({1, 2, 3}, 2), hg::Error);
  }

  TEST_CASE("Jacobi: A·v = λ·v on a random 33 × 33 matrix") {
    const int n = 33;
    hg::Rng rng(3);
    std::vector<double> A(n * n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j <= i; ++j) A[i * n + j] = A[j * n + i] = rng.normal();
    const hg::SymmetricEigen e = hg::symmetric_eigen(A, n);
    for (int r = 0; r < n; ++r) {
      if (r > 0) CHECK(e.values[r] <= e.values[r - 1]);
      for (int i = 0; i < n; ++i) {
        double Av = 0;
        for (int j = 0; j < n; ++j) Av += A[i * n + j] * e.vectors[r * n + j];
        CHECK(Av == doctest::Approx(e.values[r] * e.vectors[r * n + i])
                        .epsilon(1e-9).scale(10));
      }
    }
  }

  TEST_CASE("recovers known directions and variances") {
    hg::Rng rng(11);
    const int D = 20, N = 20000;
    const std::vector<float> var = {9.0f, 4.0f, 1.0f};
    const float sigma = 0.05f;  // noise variance 0.0025 in every direction
    const Tensor U = random_directions(3, D, rng);
    const Tensor X = sample_along(U, var, N, sigma, rng);
    const PCA pca = hg::fit_pca(X, 3);
    REQUIRE(pca.k() == 3);
    REQUIRE(pca.dim() == D);
    for (int i = 0; i < 3; ++i) {
      CAPTURE(i);
      CHECK(abs_dot_row(pca.components, i, U, i) > 0.999);  // up to sign
      // sampling error of a variance from N points is about √(2/N) ≈ 1 %
      CHECK(pca.explained_variance[i] ==
            doctest::Approx(var[i] + sigma * sigma).epsilon(0.04));
      for (int j = 0; j < 3; ++j)  // orthonormal rows
        CHECK(abs_dot_row(pca.components, i, pca.components, j) ==
              doctest::Approx(i == j ? 1.0 : 0.0).scale(1.0).epsilon(1e-5));
    }
    CHECK(pca.mean.at(0, 5) == doctest::Approx(2.5).epsilon(0.02));
    CHECK(pca.explained_variance_ratio(0) > 0.6f);
  }

  TEST_CASE("reconstruction error = the sum of the discarded variances") {
    hg::Rng rng(12);
    const int D = 16, N = 5000;
    const std::vector<float> var = {6.0f, 3.0f, 2.0f, 0.5f};
    const float sigma = 0.1f;
    const Tensor X = sample_along(random_directions(4, D, rng), var, N, sigma, rng);
    for (int k : {1, 2, 4, 7}) {
      CAPTURE(k);
      const PCA pca = hg::fit_pca(X, k);
      const Tensor Z = pca.encode(X);
      CHECK(Z.shape() == Shape{N, k});
      const double mse = mean_squared_error(X, pca.decode(Z));
      CHECK(mse == doctest::Approx(pca.discarded_variance()).epsilon(1e-3));
      // and by the construction of the data, roughly:
      double expected = (D - k) * sigma * sigma;
      for (int i = k; i < 4; ++i) expected += var[i];
      CHECK(mse == doctest::Approx(expected).epsilon(0.06));
    }
    // All D components keep everything.
    const PCA full = hg::fit_pca(X, D);
    CHECK(mean_squared_error(X, full.reconstruct(X)) < 1e-6);
  }

  TEST_CASE("subspace iteration agrees with Jacobi on the whole covariance") {
    hg::Rng rng(13);
    const int D = 33, N = 400, k = 7;
    Tensor X(Shape{N, D});
    // Correlated data with a smoothly decaying spectrum: column d scaled.
    rng.fill_normal(X, 0.0f, 1.0f);
    const Tensor R = random_directions(D, D, rng);
    Tensor Y(Shape{N, D});
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < D; ++d) {
        double s = 0;
        for (int j = 0; j < D; ++j) s += X.at(n, j) * (3.0 / (1 + j)) * R.at(j, d);
        Y.at(n, d) = float(s);
      }
    const PCA pca = hg::fit_pca(Y, k);
    // The naive way: full covariance in double, all its eigenvalues.
    std::vector<double> mu(D, 0), C(D * D, 0);
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < D; ++d) mu[d] += Y.at(n, d) / double(N);
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < D; ++i)
        for (int j = 0; j < D; ++j)
          C[i * D + j] += (Y.at(n, i) - mu[i]) * (Y.at(n, j) - mu[j]) / N;
    const hg::SymmetricEigen e = hg::symmetric_eigen(C, D);
    double trace = 0;
    for (int i = 0; i < D; ++i) trace += C[i * D + i];
    CHECK(pca.total_variance == doctest::Approx(trace).epsilon(1e-4));
    for (int i = 0; i < k; ++i) {
      CAPTURE(i);
      CHECK(pca.explained_variance[i] == doctest::Approx(e.values[i]).epsilon(1e-4));
      double dot = 0;
      for (int d = 0; d < D; ++d) dot += pca.components.at(i, d) * e.vectors[i * D + d];
      CHECK(std::abs(dot) == doctest::Approx(1.0).epsilon(1e-3));
    }
  }

  TEST_CASE("bad input throws hg::Error naming the shapes") {
    hg::Rng rng(14);
    Tensor X(Shape{10, 4});
    rng.fill_normal(X, 0.0f, 1.0f);
    CHECK_THROWS_AS(hg::fit_pca(X, 0), hg::Error);
    CHECK_THROWS_WITH_AS(hg::fit_pca(X, 5), doctest::Contains("(10, 4)"),
                         hg::Error);
    CHECK_THROWS_AS(hg::fit_pca(Tensor(Shape{1, 4}), 1), hg::Error);
    CHECK_THROWS_AS(hg::fit_pca(Tensor(Shape{40}), 1), hg::Error);
    Tensor bad = X;
    bad[7] = std::nanf("");
    CHECK_THROWS_AS(hg::fit_pca(bad, 2), hg::Error);
    const PCA pca = hg::fit_pca(X, 2);
    CHECK_THROWS_WITH_AS(pca.encode(Tensor(Shape{3, 5})),
                         doctest::Contains("(3, 5)"), hg::Error);
    CHECK_THROWS_AS(pca.decode(Tensor(Shape{3, 3})), hg::Error);
    CHECK_THROWS_AS(PCA{}.encode(X), hg::Error);
  }

  TEST_CASE("rank-deficient data: more components than directions") {
    // Points on a line in 5-D: one direction holds everything, the others
    // have zero variance, yet asking for 3 components must not give NaN.
    Tensor X(Shape{50, 5});
    for (int n = 0; n < 50; ++n)
      for (int d = 0; d < 5; ++d) X.at(n, d) = float(n) * float(d + 1);
    const PCA pca = hg::fit_pca(X, 3);
    for (float v : pca.components) CHECK(std::isfinite(v));
    CHECK(pca.explained_variance[1] == doctest::Approx(0.0).epsilon(1e-3).scale(pca.explained_variance[0]));
    CHECK(mean_squared_error(X, pca.reconstruct(X)) < 1e-3 * pca.total_variance);
  }
}
