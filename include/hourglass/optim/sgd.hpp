// SGD: stochastic gradient descent, with momentum, Nesterov momentum and
// L2 weight decay, in the form PyTorch uses (so figures can be compared).
//
//   g = ∇L(w) + λ·w          weight decay λ (the gradient of λ/2·‖w‖²)
//   v = μ·v + g              momentum μ: a running, decaying sum of steps
//   d = v                    (classical)   or   d = g + μ·v   (Nesterov)
//   w = w − η·d              learning rate η
//
// With μ = 0 this is plain gradient descent, w −= η·(g + λw). Nesterov looks
// ahead: it applies the momentum it is about to have, which damps the
// overshoot of classical momentum in narrow valleys (Sutskever et al. 2013,
// https://proceedings.mlr.press/v28/sutskever13.html).
// What it is not: a learning-rate schedule; call set_lr between steps.
#pragma once

#include <vector>

#include "hourglass/optim/optimizer.hpp"

namespace hg {

struct SGDOptions {
  float lr = 0.01f;           // η > 0
  float momentum = 0.0f;      // μ in [0, 1)
  bool nesterov = false;      // needs μ > 0
  float weight_decay = 0.0f;  // λ ≥ 0
};

class SGD : public Optimizer {
 public:
  SGD(ParameterList params, SGDOptions options);
  void step() override;
  const SGDOptions& options() const { return options_; }
  OptimizerState state() override;  // the velocity v of each parameter

 private:
  SGDOptions options_;
  std::vector<Tensor> velocity_;  // v, one per parameter, same shape
};

}  // namespace hg
