// The shared part of every optimizer: checking the parameter list once,
// zeroing gradients, and the learning rate.
#include "hourglass/optim/optimizer.hpp"

#include <algorithm>
#include <cmath>

namespace hg {

Optimizer::Optimizer(const char* who, ParameterList params, float lr)
    : who_(who), params_(std::move(params)) {
  set_lr(lr);
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Parameter* p = params_[i];
    check(p != nullptr, who_, ": parameter ", i, " is null; expected pointers "
          "to Parameters that outlive the optimizer");
    check(p->grad.shape() == p->value.shape(), who_, ": parameter '", p->name,
          "' has value ", p->value.shape(), " but grad ", p->grad.shape(),
          "; expected the same shape");
    // The same parameter twice would be updated twice per step.
    for (std::size_t j = 0; j < i; ++j)
      check(params_[j] != p, who_, ": parameter '", p->name, "' is listed ",
            "twice; gather lists with hg::params(), which drops duplicates");
  }
}

void Optimizer::zero_grad() {
  // Pure memory traffic: worth a second thread past 64k floats (256 KiB).
  for_each_part(65536, [&](std::size_t i, std::size_t lo, std::size_t hi) {
    float* g = params_[i]->grad.data();
    std::fill(g + lo, g + hi, 0.0f);
  });
}

void Optimizer::set_lr(float lr) {
  check(std::isfinite(lr) && lr > 0.0f, who_,
        ": learning rate must be finite and > 0, got ", lr);
  lr_ = lr;
}

void Optimizer::check_sizes(std::size_t i, std::size_t state_size) const {
  const Parameter& p = *params_[i];
  check(p.value.size() == state_size && p.grad.size() == state_size, who_,
        ": parameter '", p.name, "' is now ", p.value.shape(), " with grad ",
        p.grad.shape(), "; expected ", state_size,
        " elements as when the optimizer was made");
}

}  // namespace hg
