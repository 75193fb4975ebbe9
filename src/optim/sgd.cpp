// SGD's update: one branch-free loop per parameter (see sgd.hpp for the math).
#include "hourglass/optim/sgd.hpp"

#include <cmath>

namespace hg {

namespace {

// The whole update on flat arrays of n floats.
//   w: (n) weights, updated      g_in: (n) gradients ∇L, read only
//   v: (n) velocity, updated
// `nesterov` is 0 or 1 and blends the two directions, so the loop has no
// branch and vectorises.
void sgd_update(float* __restrict w, const float* __restrict g_in,
                float* __restrict v, std::size_t n, float lr, float mu,
                float nesterov, float lambda) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const float g = g_in[i] + lambda * w[i];         // g = ∇L + λw
    v[i] = mu * v[i] + g;                            // v = μv + g
    const float d = v[i] + nesterov * (g + mu * v[i] - v[i]);  // v or g + μv
    w[i] -= lr * d;                                  // w = w − ηd
  }
}

}  // namespace

SGD::SGD(ParameterList params, SGDOptions options)
    : Optimizer("SGD", std::move(params), options.lr), options_(options) {
  check(std::isfinite(options.momentum) && options.momentum >= 0.0f &&
            options.momentum < 1.0f,
        "SGD: momentum must be in [0, 1), got ", options.momentum);
  check(std::isfinite(options.weight_decay) && options.weight_decay >= 0.0f,
        "SGD: weight_decay must be >= 0, got ", options.weight_decay);
  check(!options.nesterov || options.momentum > 0.0f,
        "SGD: nesterov needs momentum > 0, got momentum ", options.momentum);
  velocity_.reserve(parameters().size());
  for (Parameter* p : parameters()) velocity_.emplace_back(p->value.shape());
}

void SGD::step() {
  options_.lr = lr();
  for (std::size_t i = 0; i < params_.size(); ++i) check_sizes(i, velocity_[i].size());
  // Independent per element: each parameter is cut into one range per thread.
  for_each_part(32768, [&](std::size_t i, std::size_t lo, std::size_t hi) {
    Parameter& p = *params_[i];
    sgd_update(p.value.data() + lo, p.grad.data() + lo, velocity_[i].data() + lo, hi - lo,
               lr(), options_.momentum, options_.nesterov ? 1.0f : 0.0f,
               options_.weight_decay);
  });
}

OptimizerState SGD::state() {
  OptimizerState s;
  for (std::size_t i = 0; i < params_.size(); ++i)
    s.tensors.emplace_back("sgd.velocity." + params_[i]->name, &velocity_[i]);
  return s;
}

}  // namespace hg
