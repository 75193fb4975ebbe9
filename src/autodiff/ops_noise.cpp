// Noise ops: dropout, masking noise, additive Gaussian noise.
//
// The random draw happens in the forward pass from the Rng the caller
// passes (same seed, same mask); a multiplicative mask is kept in the
// node's `saved` tensor so backward sends dy through exactly the entries
// that were kept: dx += dy ⊙ mask.
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/elementwise.hpp"

namespace hg {

// y = x ⊙ m, m_i = keep_scale with probability 1 − p, else 0; dx += dy ⊙ m.
static Var masked(const char* op, Var x, float p, float keep_scale, Rng& rng) {
  Tape& tape = x.tape();
  check(p >= 0.0f && p < 1.0f, op, ": p = ", p, " (expected 0 <= p < 1)");
  Node& y = tape.push(op, x.shape(), {x});
  y.saved.resize(x.shape());
  for (float& m : y.saved) m = rng.bernoulli(p) ? 0.0f : keep_scale;
  kernels::mul(tape.node(x.index()).val().data(), y.saved.data(),
               y.value.data(), y.value.size());
  y.backward = [](Tape& tape, Node& y) {
    if (float* dx = tape.grad_of(y, 0))
      kernels::mul_acc(y.grad().data(), y.saved.data(), dx, y.value.size());
  };
  return tape.last();
}

Var dropout(Var x, float p, Rng& rng) {
  return masked("dropout", x, p, 1.0f / (1.0f - p), rng);
}
Var mask_noise(Var x, float p, Rng& rng) {
  return masked("mask_noise", x, p, 1.0f, rng);
}

// y = x + σ·ε: ε is drawn into `saved`; ∂y/∂x = 1, so dx += dy.
Var gaussian_noise(Var x, float stddev, Rng& rng) {
  Tape& tape = x.tape();
  check(stddev >= 0.0f, "gaussian_noise: stddev = ", stddev,
        " (expected >= 0)");
  Node& y = tape.push("gaussian_noise", x.shape(), {x});
  y.saved.resize(x.shape());
  rng.fill_normal(y.saved, 0.0f, stddev);
  kernels::add(tape.node(x.index()).val().data(), y.saved.data(),
               y.value.data(), y.value.size());
  y.backward = [](Tape& tape, Node& y) {
    if (float* dx = tape.grad_of(y, 0))
      kernels::axpy(1.0f, y.grad().data(), dx, y.value.size());
  };
  return tape.last();
}

}  // namespace hg
