// Loss kernels: the elementwise sums under the reconstruction losses, fused
// and vectorised, for nn/ to call from its loss ops.
//
// Binary cross-entropy from logits z against targets t ∈ [0, 1], per entry
//   ℓ(z, t) = max(z, 0) − t·z + log(1 + e^−|z|)  = softplus(z) − t·z,
//   ∂ℓ/∂z   = σ(z) − t,
// the form that never overflows (no e^z for large z, no log 0).
// What it is not: aware of batches or means; the caller scales by 1/B.
// z, t, dz: (n).
#pragma once

#include <cstddef>

namespace hg::kernels {

// Σ_i ℓ(z_i, t_i), accumulated in double (n can be 10⁵ terms).
double bce_with_logits_sum(const float* __restrict z, const float* __restrict t,
                           std::size_t n);
// dz += g · (σ(z) − t): the backward, g the upstream gradient times 1/B.
void bce_with_logits_backward(const float* __restrict z, const float* __restrict t,
                              float g, float* __restrict dz, std::size_t n);

}  // namespace hg::kernels
