// Adam's update: one branch-free loop per parameter (see adam.hpp for the
// math). It vectorises because the build passes -fno-math-errno (see
// src/optim/meson.build): without it, sqrt may set errno, a hidden branch.
// Each element's update is independent of every other, so each parameter
// is cut into one range per thread (Optimizer::for_each_part).
#include "hourglass/optim/adam.hpp"

#include <cmath>

namespace hg {

namespace {

// The whole update on flat arrays of n floats, as the math reads.
//   w: (n) weights, updated      g_in: (n) gradients ∇L, read only
//   m, v: (n) first and second moments, updated
// l2 is λ for Adam (decay inside the gradient) and 0 for AdamW; decay is
// η·λ for AdamW (decay applied to w directly) and 0 for Adam. The bias
// corrections are scalars for this step, computed once outside the loop.
void adam_update(float* __restrict w, const float* __restrict g_in,
                 float* __restrict m, float* __restrict v, std::size_t n,
                 float step_size, float inv_sqrt_bc2, float beta1, float beta2,
                 float eps, float l2, float decay) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const float g = g_in[i] + l2 * w[i];                // g = ∇L + λw (Adam)
    m[i] = beta1 * m[i] + (1.0f - beta1) * g;           // m = β₁m + (1−β₁)g
    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;       // v = β₂v + (1−β₂)g²
    const float denom = std::sqrt(v[i]) * inv_sqrt_bc2 + eps;  // √v̂ + ε
    // w −= η·m̂/(√v̂ + ε) + ηλw, with m̂ = m/(1−β₁ᵗ) folded into step_size
    w[i] -= step_size * m[i] / denom + decay * w[i];
  }
}

// Its faster twin, the one step() runs: the same update (the same numbers),
// in blocks of 64 floats (4 cache lines), each first announcing the lines
// of w four blocks ahead with a prefetch-for-write. On several threads, the
// other threads have just read these weights (in the forward pass), so
// each line must be taken back from them before it can be written; one at
// a time, as the stores reach them, those waits cost more than the
// arithmetic. Announced early, they overlap.
void adam_update_claiming_ahead(float* __restrict w, const float* __restrict g_in,
                                float* __restrict m, float* __restrict v, std::size_t n,
                                float step_size, float inv_sqrt_bc2, float beta1,
                                float beta2, float eps, float l2, float decay) {
  constexpr std::size_t kBlock = 64, kAhead = 4 * kBlock;
  for (std::size_t i0 = 0; i0 < n; i0 += kBlock) {
    for (std::size_t l = 0; l < kBlock; l += 16) __builtin_prefetch(w + i0 + kAhead + l, 1);
    const std::size_t len = i0 + kBlock < n ? kBlock : n - i0;
    adam_update(w + i0, g_in + i0, m + i0, v + i0, len, step_size, inv_sqrt_bc2, beta1,
                beta2, eps, l2, decay);
  }
}

}  // namespace

Adam::Adam(ParameterList params, AdamOptions options)
    : Optimizer("Adam", std::move(params), options.lr), options_(options) {
  const auto in_unit = [](float b) {
    return std::isfinite(b) && b >= 0.0f && b < 1.0f;
  };
  check(in_unit(options.beta1), "Adam: beta1 must be in [0, 1), got ",
        options.beta1);
  check(in_unit(options.beta2), "Adam: beta2 must be in [0, 1), got ",
        options.beta2);
  check(std::isfinite(options.eps) && options.eps > 0.0f,
        "Adam: eps must be > 0, got ", options.eps);
  check(std::isfinite(options.weight_decay) && options.weight_decay >= 0.0f,
        "Adam: weight_decay must be >= 0, got ", options.weight_decay);
  m_.reserve(parameters().size());
  v_.reserve(parameters().size());
  for (Parameter* p : parameters()) {
    m_.emplace_back(p->value.shape());
    v_.emplace_back(p->value.shape());
  }
}

void Adam::step() {
  options_.lr = lr();
  ++t_;
  const auto& o = options_;
  // Bias corrections 1 − βᵗ, in double: βᵗ underflows gracefully to 0.
  const double bc1 = 1.0 - std::pow(double(o.beta1), double(t_));
  const double bc2 = 1.0 - std::pow(double(o.beta2), double(t_));
  const float step_size = float(o.lr / bc1);
  const float inv_sqrt_bc2 = float(1.0 / std::sqrt(bc2));
  const float l2 = o.decoupled ? 0.0f : o.weight_decay;
  const float decay = o.decoupled ? o.lr * o.weight_decay : 0.0f;
  for (std::size_t i = 0; i < params_.size(); ++i) check_sizes(i, m_[i].size());
  // ~10 flops and 28 bytes per element: 16k elements are worth a thread.
  for_each_part(16384, [&](std::size_t i, std::size_t lo, std::size_t hi) {
    Parameter& p = *params_[i];
    adam_update_claiming_ahead(p.value.data() + lo, p.grad.data() + lo, m_[i].data() + lo,
                               v_[i].data() + lo, hi - lo, step_size, inv_sqrt_bc2,
                               o.beta1, o.beta2, o.eps, l2, decay);
  });
}

OptimizerState Adam::state() {
  OptimizerState s{.tensors = {}, .steps = &t_};
  for (std::size_t i = 0; i < params_.size(); ++i) {
    s.tensors.emplace_back("adam.m." + params_[i]->name, &m_[i]);
    s.tensors.emplace_back("adam.v." + params_[i]->name, &v_[i]);
  }
  return s;
}

}  // namespace hg
