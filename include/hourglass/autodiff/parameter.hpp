// Parameter: a trainable tensor and its gradient, living outside any tape.
//
// A layer owns its Parameters; a Tape refers to them while it records one
// forward pass; backward accumulates into `grad` (+=), and an optimizer
// reads `grad` and updates `value`. Zeroing the gradient is explicit
// (Optimizer::zero_grad), so gradients of several passes can be summed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hourglass/tensor.hpp"

namespace hg {

struct Parameter {
  Parameter() = default;
  Parameter(std::string name_, Tensor value_)
      : name(std::move(name_)), value(std::move(value_)), grad(value.shape()) {}

  std::string name;  // "enc.W": used in messages and checkpoints
  Tensor value;
  Tensor grad;       // same shape as value
};

// The list an optimizer updates: pointers into layers that outlive it.
using ParameterList = std::vector<Parameter*>;

}  // namespace hg
