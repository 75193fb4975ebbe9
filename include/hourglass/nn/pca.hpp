// PCA: principal component analysis, the linear baseline every lesson's
// autoencoder is compared against.
//
// PCA finds the k orthonormal directions (the rows of `components`, V: (k, D))
// along which centred data varies most: the top-k eigenvectors of the
// covariance Σ = (1/N)·X̃ᵀX̃, with X̃ = X − μ. Encoding is a projection and
// decoding its transpose:
//
//   z = (x − μ)·Vᵀ        (N, D) → (N, k)
//   x̂ = z·V + μ           (N, k) → (N, D)
//
// Why it is the best *linear* autoencoder: among all maps through a
// k-dimensional bottleneck made of a linear encoder and decoder, the one with
// the least mean squared error projects onto the top-k principal subspace
// (Eckart–Young), and that error is exactly the sum of the discarded
// eigenvalues, λ_{k+1} + … + λ_D. A linear autoencoder trained by gradient
// descent can at best find this same subspace (Baldi & Hornik 1989); only a
// non-linearity can beat PCA's error at the same k.
//
// How: the covariance with one GEMM, then subspace iteration (multiply a
// block of vectors by Σ, re-orthonormalise, repeat: the block turns towards
// the top eigenvectors), then Rayleigh–Ritz: the small (p, p) matrix QΣQᵀ is
// diagonalised exactly by Jacobi rotations. What it is not: a full SVD, an
// incremental or randomised PCA, or whitening.
#pragma once

#include <cstdint>
#include <vector>

#include "hourglass/tensor.hpp"

namespace hg {

struct PCAOptions {
  int iterations = 60;      // subspace iterations (each: one (p, D)·(D, D) GEMM)
  int oversample = 8;       // p = k + oversample vectors: faster convergence
  std::uint64_t seed = 1;   // for the random starting block
};

class PCA {
 public:
  Tensor mean;                // μ: (1, D)
  Tensor components;          // V: (k, D), orthonormal rows, largest first
  Tensor explained_variance;  // λ₁ ≥ … ≥ λ_k: (k)
  double total_variance = 0;  // trace Σ = λ₁ + … + λ_D

  int dim() const { return components.empty() ? 0 : components.cols(); }
  int k() const { return components.empty() ? 0 : components.rows(); }
  // λᵢ / trace Σ: the share of the variance component i keeps.
  float explained_variance_ratio(int i) const;
  // The mean squared reconstruction error per sample on the training data,
  // trace Σ − (λ₁ + … + λ_k): what the discarded directions held.
  double discarded_variance() const;

  Tensor encode(const Tensor& X) const;       // (N, D) → (N, k)
  Tensor decode(const Tensor& Z) const;       // (N, k) → (N, D)
  Tensor reconstruct(const Tensor& X) const;  // decode(encode(X))

 private:
  friend PCA fit_pca(const Tensor&, int, PCAOptions);
  Tensor mean_code_;  // μ·Vᵀ: (1, k), so encode needs no centred copy
};

// Fits the top-k principal components of the rows of X: (N, D), N ≥ 2.
PCA fit_pca(const Tensor& X, int k, PCAOptions options = {});

// Eigen-decomposition of a small symmetric n × n matrix by cyclic Jacobi
// rotations, in double. `values` are sorted largest first; `vectors` holds
// the matching unit eigenvectors as rows (n × n, row-major).
struct SymmetricEigen {
  std::vector<double> values;
  std::vector<double> vectors;
};
SymmetricEigen symmetric_eigen(std::vector<double> A, int n);

}  // namespace hg
