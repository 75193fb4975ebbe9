// Exercise 02 · the backward of the KL sparsity penalty: the reference solution.
#include <cstddef>
#include <vector>

// h: (B, units) activations in (0, 1); dh: (B, units) dloss/dh, added to.
void kl_sparsity_backward(const float* h, int B, int units, float rho, float dloss,
                          float* dh) {
  const auto at = [units](int i, int j) { return std::size_t(i) * std::size_t(units) + std::size_t(j); };
  std::vector<double> rho_hat(std::size_t(units), 0.0);  // ρ̂_j = (1/B) Σ_i h_ij
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < units; ++j) rho_hat[std::size_t(j)] += h[at(i, j)];
  for (double& r : rho_hat) r /= B;
  for (int j = 0; j < units; ++j) {
    const double r = rho_hat[std::size_t(j)];
    const double slope = -rho / r + (1.0 - rho) / (1.0 - r);  // ∂KL/∂ρ̂_j
    const float g = static_cast<float>(dloss * slope / B);    // · ∂ρ̂_j/∂h_ij = 1/B
    for (int i = 0; i < B; ++i) dh[at(i, j)] += g;
  }
}
