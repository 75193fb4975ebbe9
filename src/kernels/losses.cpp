// Loss kernels: see losses.hpp. One pass each, vectorised through vmath.hpp
// (e^−|z| and log(1 + t) as inline float arithmetic): with std::exp and
// std::log1p this loss cost more than all the GEMMs of a deep autoencoder.
#include "hourglass/kernels/losses.hpp"

#include <cmath>

#include "vmath.hpp"

namespace hg::kernels {

double bce_with_logits_sum(const float* __restrict z, const float* __restrict t,
                           std::size_t n) {
  // Sixteen float lanes summed per block, then into a double: float keeps
  // the lanes wide, the double total keeps 10⁵ terms from losing digits.
  constexpr std::size_t kBlock = 256;
  double total = 0.0;
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    const std::size_t i1 = i0 + kBlock < n ? i0 + kBlock : n;
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (std::size_t i = i0; i < i1; ++i) s += vmath::softplus(z[i]) - t[i] * z[i];
    total += s;
  }
  return total;
}

void bce_with_logits_backward(const float* __restrict z, const float* __restrict t,
                              float g, float* __restrict dz, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dz[i] += g * (vmath::sigmoid(z[i]) - t[i]);
}

}  // namespace hg::kernels
