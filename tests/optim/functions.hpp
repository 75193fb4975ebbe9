// Test functions with a known minimum, their gradients written by hand into
// Parameter::grad, and a loop that runs an optimizer on them.
#pragma once

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/optim/optimizer.hpp"

namespace hg::testing {

// f(w) = ½ Σ aᵢ (wᵢ − cᵢ)², curvatures aᵢ from 1 to 10: minimum at w = c.
//   ∂f/∂wᵢ = aᵢ (wᵢ − cᵢ)
inline float quadratic_a(int i) { return 1.0f + 1.5f * float(i); }
inline float quadratic_c(int i) { return 0.5f * float(i) - 1.0f; }
inline void quadratic_grad(Parameter& w) {
  for (int i = 0; i < int(w.value.size()); ++i)
    w.grad[i] += quadratic_a(i) * (w.value[i] - quadratic_c(i));
}

// Rosenbrock's banana: f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1)
// at the end of a long, curved, flat-bottomed valley.
//   ∂f/∂x = −2 (1 − x) − 400 x (y − x²),  ∂f/∂y = 200 (y − x²)
inline void rosenbrock_grad(Parameter& w) {
  const float x = w.value[0], y = w.value[1];
  w.grad[0] += -2.0f * (1.0f - x) - 400.0f * x * (y - x * x);
  w.grad[1] += 200.0f * (y - x * x);
}

template <class GradFn>
void minimise(Optimizer& opt, Parameter& w, GradFn grad, int steps) {
  for (int t = 0; t < steps; ++t) {
    opt.zero_grad();
    grad(w);
    opt.step();
  }
}

}  // namespace hg::testing
