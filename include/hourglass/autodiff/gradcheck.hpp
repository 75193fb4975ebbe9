// gradcheck: is the tape's gradient right? Compare it with finite differences.
//
// For a scalar function f of some tensors, the tape gives ∂f/∂xᵢ for every
// element in one backward pass; the central difference
//   (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h
// approximates the same number with error O(h²), one element at a time.
// f is computed in float, so h cannot be tiny: rounding in f (≈ 6e-8·|f|,
// times the number of terms) is divided by 2h, while the truncation error
// grows as h². The sum is smallest near h ≈ ∛(float epsilon) ≈ 4e-3, which
// is why h = eps · max(1, |xᵢ|) with eps = 4e-3 (1e-3 already shows float
// noise of a few 1e-3 on a small two-layer network).
// An element passes when |analytic − numeric| <= atol + rtol · max(|a|, |n|).
//
// What it is not: a proof. Kinks (relu at 0, abs at 0) fool it; keep test
// inputs further than h from them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "hourglass/autodiff/tape.hpp"

namespace hg {

struct GradcheckOptions {
  float eps = 4e-3f;   // relative step: h = eps · max(1, |x|)
  float atol = 1e-3f;  // absolute tolerance
  float rtol = 1e-2f;  // relative tolerance
};

struct GradcheckResult {
  bool ok = true;
  double worst_rel_error = 0;  // |a − n| / max(|a|, |n|) at the worst element
  int input = -1;              // which input tensor, -1 if none checked
  std::size_t index = 0;       // flat element index inside it
  double analytic = 0, numeric = 0;
  std::string message;         // one readable line
};

// f builds a one-number Var from one Var per input (in order). The inputs
// become Parameters on a fresh tape, so f sees them as trainable leaves.
using GradcheckFn = std::function<Var(const std::vector<Var>& inputs)>;

GradcheckResult gradcheck(const GradcheckFn& f, std::vector<Tensor> inputs,
                          const GradcheckOptions& options = {});

}  // namespace hg
