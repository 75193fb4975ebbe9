// A planted wrong answer to exercise 02: the 1/B of ∂ρ̂_j/∂h_ij forgotten.
// The checker must catch it.
#include <cstddef>
#include <vector>

void kl_sparsity_backward(const float* h, int B, int units, float rho, float dloss,
                          float* dh) {
  std::vector<double> rho_hat(std::size_t(units), 0.0);
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < units; ++j) rho_hat[std::size_t(j)] += h[i * units + j];
  for (double& r : rho_hat) r /= B;
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < units; ++j) {
      const double r = rho_hat[std::size_t(j)];
      dh[i * units + j] += static_cast<float>(dloss * (-rho / r + (1.0 - rho) / (1.0 - r)));
    }
}
