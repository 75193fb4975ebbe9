// k-means clustering: k centroids c_1..c_k that make the points' squared
// distance to their nearest centroid small,
//   inertia = Σ_n min_k ‖x_n − c_k‖²,
// found by Lloyd's iterations from a k-means++ start. In the lessons it asks
// "do the codes group the images by class without being told the classes?",
// measured by cluster purity.
//
// Lloyd's algorithm alternates two steps, neither of which can raise the
// inertia, so it stops at a local minimum:
//   assign:  a_n = argmin_k ‖x_n − c_k‖²
//   update:  c_k = mean of the points with a_n = k
// The distances of all N points to all k centroids come from one GEMM, by
//   ‖x − c‖² = ‖x‖² − 2 x·c + ‖c‖²
// so the O(N·k·D) work is the matrix product X·Cᵀ, the fastest kernel we
// have. (The expansion can round slightly below 0; it is clamped.)
//
// k-means++ seeding (Arthur & Vassilvitskii, "k-means++: The Advantages of
// Careful Seeding", SODA 2007): the first centroid is a random point; each
// next one is a point drawn with probability ∝ D(x)², its squared distance
// to the nearest centroid chosen so far. Far-apart starts make a bad local
// minimum much less likely than k random points would.
//
// What it is not: mini-batch k-means, k-medoids, or a way to choose k.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

struct KMeansOptions {
  int max_iterations = 100;  // Lloyd iterations per run
  int restarts = 1;          // independent k-means++ runs; the lowest inertia wins
};

struct KMeans {
  Tensor centroids;                // C: (k, D)
  std::vector<int> assignments;    // a_n ∈ [0, k) for each row of X
  double inertia = 0;              // Σ_n ‖x_n − c_{a_n}‖² of the returned run
  int iterations = 0;              // Lloyd iterations of that run
  bool converged = false;          // it stopped because nothing moved
  int k() const { return centroids.rows(); }
};

// Clusters the rows of X: (N, D) into k groups, 1 <= k <= N.
KMeans fit_kmeans(const Tensor& X, int k, Rng& rng,
                  const KMeansOptions& options = {});

// Squared distances of every row of X to every row of C through one GEMM:
//   X: (N, D), C: (k, D) → D2: (N, k), D2_nk = ‖x_n‖² − 2 x_n·c_k + ‖c_k‖² (≥ 0)
Tensor squared_distances(const Tensor& X, const Tensor& C);

// The nearest centroid of each row of X (first one on ties).
std::vector<int> nearest_centroid(const Tensor& X, const Tensor& C);

// Purity: each cluster votes for its most common label, and purity is the
// fraction of points that carry their cluster's label,
//   purity = (1/N) Σ_k max_c |{n : a_n = k, y_n = c}|.
// 1 when every cluster holds one class; about the largest class's share
// when clusters ignore the classes. It rewards many clusters, so compare
// only at the same k.
double cluster_purity(std::span<const int> assignments,
                      std::span<const std::uint8_t> labels);

}  // namespace hg
