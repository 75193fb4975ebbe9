// k-means: distances through GEMM against the direct sum, known answers on
// well-separated blobs, the properties Lloyd's algorithm guarantees, and
// purity worked out by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "hourglass/nn/kmeans.hpp"

using doctest::Approx;
using hg::Shape;
using hg::Tensor;

namespace {
// n points around each of the given centres (rows of `centres`), with
// uniform noise of half-width `spread`; labels say which centre.
struct Blobs {
  Tensor X;
  std::vector<std::uint8_t> labels;
};
Blobs blobs(const Tensor& centres, int n, float spread, hg::Rng& rng) {
  const int k = centres.rows(), D = centres.cols();
  Blobs b{Tensor(Shape{k * n, D}), {}};
  for (int c = 0; c < k; ++c)
    for (int m = 0; m < n; ++m) {
      const int row = c * n + m;
      for (int i = 0; i < D; ++i)
        b.X.at(row, i) = centres.at(c, i) + rng.uniform(-spread, spread);
      b.labels.push_back(static_cast<std::uint8_t>(c));
    }
  return b;
}
}  // namespace

TEST_SUITE("kmeans") {
  TEST_CASE("squared distances through GEMM match the direct sum, odd sizes") {
    hg::Rng rng(3);
    for (auto [N, k, D] : {std::array{1, 1, 1}, std::array{7, 3, 33},
                           std::array{127, 10, 7}, std::array{33, 7, 127}}) {
      Tensor X(Shape{N, D}), C(Shape{k, D});
      rng.fill_uniform(X, -1, 1);
      rng.fill_uniform(C, -1, 1);
      const Tensor D2 = hg::squared_distances(X, C);
      REQUIRE(D2.shape() == Shape{N, k});
      for (int n = 0; n < N; ++n)
        for (int c = 0; c < k; ++c) {
          double s = 0;
          for (int i = 0; i < D; ++i) {
            const double d = X.at(n, i) - C.at(c, i);
            s += d * d;
          }
          CHECK(D2.at(n, c) == Approx(s).epsilon(1e-4).scale(1.0));
          CHECK(D2.at(n, c) >= 0.0f);
        }
    }
    // A point on a centroid: exactly 0 after clamping, never negative.
    Tensor P(Shape{1, 3}, {100.0f, -200.0f, 300.0f});
    CHECK(hg::squared_distances(P, P)[0] >= 0.0f);
  }

  TEST_CASE("three well-separated blobs: centres and labels recovered") {
    hg::Rng rng(7);
    const Tensor centres(Shape{3, 2}, {0, 0, 10, 0, 0, 10});
    const Blobs b = blobs(centres, 40, 1.0f, rng);
    for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
      hg::Rng r(seed);
      const hg::KMeans km = hg::fit_kmeans(b.X, 3, r);
      CHECK(km.converged);
      CHECK(hg::cluster_purity(km.assignments, b.labels) == Approx(1.0));
      // Each fitted centroid sits within the noise of one true centre.
      std::set<int> matched;
      for (int c = 0; c < 3; ++c) {
        int best = -1;
        for (int t = 0; t < 3; ++t)
          if (std::hypot(km.centroids.at(c, 0) - centres.at(t, 0),
                         km.centroids.at(c, 1) - centres.at(t, 1)) < 0.5)
            best = t;
        CHECK(best >= 0);
        matched.insert(best);
      }
      CHECK(matched.size() == 3);
      // Inertia: 120 points with uniform noise of variance 1/3 per axis → ≈ 80.
      CHECK(km.inertia == Approx(80).epsilon(0.25));
    }
  }

  TEST_CASE("k = 1 gives the mean and the total variance; k = N gives 0") {
    Tensor X(Shape{4, 2}, {0, 0, 2, 0, 0, 4, 2, 4});
    hg::Rng rng(1);
    const hg::KMeans one = hg::fit_kmeans(X, 1, rng);
    CHECK(one.centroids.at(0, 0) == Approx(1));
    CHECK(one.centroids.at(0, 1) == Approx(2));
    CHECK(one.inertia == Approx(4 * (1 + 4)));  // each point is √5 from (1, 2)
    const hg::KMeans all = hg::fit_kmeans(X, 4, rng);
    CHECK(all.inertia == Approx(0));
    CHECK(std::set<int>(all.assignments.begin(), all.assignments.end()).size() == 4);
  }

  TEST_CASE("Lloyd's fixed point: every point is nearest its own centroid") {
    hg::Rng rng(11);
    Tensor X(Shape{127, 5});
    rng.fill_uniform(X, 0, 1);
    const hg::KMeans km = hg::fit_kmeans(X, 7, rng, {.max_iterations = 300});
    REQUIRE(km.converged);
    CHECK(hg::nearest_centroid(X, km.centroids) == km.assignments);
    // Each centroid is the mean of its points.
    for (int c = 0; c < 7; ++c) {
      double s = 0;
      int count = 0;
      for (int n = 0; n < 127; ++n)
        if (km.assignments[static_cast<std::size_t>(n)] == c) s += X.at(n, 0), ++count;
      REQUIRE(count > 0);
      CHECK(km.centroids.at(c, 0) == Approx(s / count).epsilon(1e-5));
    }
    // More restarts can only lower (or keep) the best inertia.
    hg::Rng r1(5), r2(5);
    const double one = hg::fit_kmeans(X, 7, r1).inertia;
    const double five = hg::fit_kmeans(X, 7, r2, {.restarts = 5}).inertia;
    CHECK(five <= one + 1e-9);
  }

  TEST_CASE("the same seed gives the same clusters") {
    hg::Rng rng(2);
    Tensor X(Shape{60, 3});
    rng.fill_uniform(X, 0, 1);
    hg::Rng a(9), b(9);
    CHECK(hg::fit_kmeans(X, 4, a).assignments == hg::fit_kmeans(X, 4, b).assignments);
  }

  TEST_CASE("purity by hand") {
    // Cluster 0 holds labels {1, 1, 2}, cluster 5 holds {2, 2, 2, 0}:
    // majorities 2 + 3 out of 7.
    const std::vector<int> a{0, 0, 0, 5, 5, 5, 5};
    const std::vector<std::uint8_t> y{1, 1, 2, 2, 2, 2, 0};
    CHECK(hg::cluster_purity(a, y) == Approx(5.0 / 7));
    const std::vector<int> one(7, 0);  // one cluster: the largest class share
    CHECK(hg::cluster_purity(one, y) == Approx(4.0 / 7));
  }

  TEST_CASE("bad input is named") {
    Tensor X(Shape{3, 2});
    hg::Rng rng(1);
    CHECK_THROWS_WITH_AS(hg::fit_kmeans(X, 4, rng),
                         doctest::Contains("fit_kmeans: k = 4 for 3 points"), hg::Error);
    CHECK_THROWS_AS(hg::fit_kmeans(X, 0, rng), hg::Error);
    CHECK_THROWS_AS(hg::fit_kmeans(X, 2, rng, {.max_iterations = 0}), hg::Error);
    CHECK_THROWS_WITH_AS(hg::squared_distances(X, Tensor(Shape{2, 3})),
                         doctest::Contains("X is (3, 2), C is (2, 3)"), hg::Error);
    const std::vector<int> a{0, 1};
    const std::vector<std::uint8_t> y{0};
    CHECK_THROWS_AS(hg::cluster_purity(a, y), hg::Error);
  }
}
