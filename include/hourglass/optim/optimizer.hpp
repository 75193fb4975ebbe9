// Optimizer: what every update rule shares, and hg::params() to gather the
// parameters of several layers into one list.
//
// An optimizer holds pointers to Parameters that live in layers (which must
// outlive it), reads each `grad` and changes each `value` in `step()`. Its
// state (velocity, moments) is allocated once, at construction, in flat
// arrays beside the parameter, so each update is one loop the compiler can
// vectorise. What it is not: a scheduler (change the rate with set_lr), a
// gradient clipper (see clip.hpp), or a deep class hierarchy: one base,
// one virtual step (and a virtual state, for checkpoints).
#pragma once

#include <concepts>
#include <string>
#include <utility>
#include <vector>

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

// An optimizer's memory, for checkpoints: its arrays by name ("adam.m.enc.W")
// and its step counter (nullptr if it keeps none). The pointers are into
// the optimizer: writing through them restores a saved one.
struct OptimizerState {
  std::vector<std::pair<std::string, Tensor*>> tensors;
  long* steps = nullptr;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // One update of every parameter from its current gradient.
  virtual void step() = 0;

  // grad = 0 for every parameter. Backward accumulates (+=), so call this
  // before each new forward pass unless you mean to sum gradients.
  void zero_grad();

  float lr() const { return lr_; }
  void set_lr(float lr);  // lr must be finite and > 0

  const ParameterList& parameters() const { return params_; }

  // Everything besides the weights that the next step depends on.
  virtual OptimizerState state() { return {}; }

 protected:
  // `who` names the optimizer in error messages ("SGD", "Adam").
  Optimizer(const char* who, ParameterList params, float lr);

  // Throws if a parameter's value or grad changed size since construction,
  // which would make the state arrays (sized then) run off the end.
  void check_sizes(std::size_t i, std::size_t state_size) const;

  // Runs part(i, lo, hi) on slices that cover the elements of every
  // parameter i, in ONE parallel loop: on T threads, thread t takes the
  // t-th of T equal parts of each parameter. One hand-off serves the whole
  // model, and a thread gets the same parts at every step (the parts
  // DataParallel's gradient sum gives it too), so they stay in its core's
  // cache. Below `grain` elements in all, the calling thread does it all.
  template <class Part>
  void for_each_part(std::size_t grain, const Part& part) const {
    std::size_t total = 0;
    for (const Parameter* p : params_) total += p->value.size();
    const int threads = total < grain ? 1 : kernels::num_threads();
    const auto t_count = static_cast<std::size_t>(threads);
    kernels::parallel_for(0, threads, [&](int t0, int t1) {
      for (auto t = static_cast<std::size_t>(t0); t < static_cast<std::size_t>(t1); ++t)
        for (std::size_t i = 0; i < params_.size(); ++i) {
          const std::size_t n = params_[i]->value.size();
          part(i, kernels::part_begin(n, t, t_count),
               kernels::part_begin(n, t + 1, t_count));
        }
    });
  }

  const char* who_;
  ParameterList params_;
  float lr_ = 0.0f;
};

// ---- hg::params(enc, dec, ...): one list from many layers ----------------

// Anything with a `ParameterList params()` member: Linear, a user's model...
template <class Layer>
concept HasParams = requires(Layer& layer) {
  { layer.params() } -> std::convertible_to<ParameterList>;
};

namespace detail {
// A parameter shared by two layers (tied weights) is listed once, so it is
// updated once per step, not twice.
inline void append_unique(ParameterList& out, Parameter* p) {
  for (Parameter* q : out)
    if (q == p) return;
  out.push_back(p);
}
inline void append_params(ParameterList& out, Parameter& p) {
  append_unique(out, &p);
}
inline void append_params(ParameterList& out, const ParameterList& list) {
  for (Parameter* p : list) append_unique(out, p);
}
template <HasParams Layer>
void append_params(ParameterList& out, Layer& layer) {
  append_params(out, ParameterList(layer.params()));
}
}  // namespace detail

// params(enc, dec) == enc.params() followed by dec.params(), duplicates
// dropped. Also accepts single Parameters and ParameterLists.
template <class... Sources>
ParameterList params(Sources&&... sources) {
  ParameterList out;
  (detail::append_params(out, sources), ...);
  return out;
}

}  // namespace hg
