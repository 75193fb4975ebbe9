// Adam and AdamW: gradient descent with a per-weight step size.
//
// Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) keeps two running
// averages per weight: m of the gradient (momentum) and v of its square (how
// large the gradient usually is). Dividing by √v makes the step about η in
// every coordinate, whatever the gradient's scale, which is why one learning
// rate (1e-3) works for most networks. At step t:
//
//   g = ∇L(w) + λ·w                 L2 decay (only when decoupled = false)
//   m = β₁·m + (1 − β₁)·g           first moment
//   v = β₂·v + (1 − β₂)·g²          second moment
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   bias correction: m, v start at 0
//   w = w − η·( m̂ / (√v̂ + ε)  + λ·w )     the λ·w here only when decoupled
//
// AdamW (Loshchilov & Hutter 2019, https://arxiv.org/abs/1711.05101): with
// L2 decay inside g, the decay is divided by √v̂ too, so weights with large
// gradients are barely decayed. Decoupling applies λ·w straight to w, the
// same pull on every weight, which is what "weight decay" was meant to be.
// What it is not: AMSGrad, or a schedule; call set_lr between steps.
#pragma once

#include <vector>

#include "hourglass/optim/optimizer.hpp"

namespace hg {

struct AdamOptions {
  float lr = 1e-3f;           // η > 0
  float beta1 = 0.9f;         // β₁ in [0, 1)
  float beta2 = 0.999f;       // β₂ in [0, 1)
  float eps = 1e-8f;          // ε > 0, keeps the division finite
  float weight_decay = 0.0f;  // λ ≥ 0
  bool decoupled = false;     // true = AdamW
};

class Adam : public Optimizer {
 public:
  Adam(ParameterList params, AdamOptions options);
  void step() override;
  const AdamOptions& options() const { return options_; }
  long steps_taken() const { return t_; }
  OptimizerState state() override;  // m, v per parameter, and t

 private:
  AdamOptions options_;
  std::vector<Tensor> m_, v_;  // first and second moments, per parameter
  long t_ = 0;                 // steps taken, for the bias correction
};

}  // namespace hg
