// Linear: the fully connected layer, y = x·Wᵀ + b.
//
//   x: (B, in)   W: (out, in)   b: (1, out)   y: (B, out)
//
// Each output unit j holds one row W_j of the weights and computes the dot
// product W_j·x plus its bias: a learned linear feature of the input. W is
// stored (out, in), as in the math y = W·x for one column x, so row j of W
// is "what unit j looks for"; for a first layer on images, each row is a
// picture (a filter) you can draw.
//
// The layer owns its two Parameters; the tape only refers to them while it
// records a pass (x.tape().param(W)). Gradients, from the linear op:
//   dW = dyᵀ·x,  db = Σ_rows dy,  dx = dy·W
//
// Keep a layer where it is once an optimizer holds its parameters (do not
// move or copy it afterwards: the optimizer points at the originals). What
// it is not: a module system; there is no registry and no forward hook.
#pragma once

#include <string>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/nn/init.hpp"
#include "hourglass/rng.hpp"

namespace hg {

class Linear {
 public:
  // W drawn by `init` with fan_in = in, fan_out = out; b = 0. Parameters
  // are named "<name>.W" and "<name>.b".
  Linear(int in, int out, Rng& rng, Init init = Init::Xavier,
         std::string name = "linear");

  // y = x·Wᵀ + b on x's tape: x (B, in) → (B, out).
  Var operator()(Var x);

  ParameterList params() { return {&W_, &b_}; }
  Parameter& W() { return W_; }  // (out, in): to tie weights, draw filters
  Parameter& b() { return b_; }  // (1, out)
  const Parameter& W() const { return W_; }
  const Parameter& b() const { return b_; }
  int in_features() const { return W_.value.dim(1); }
  int out_features() const { return W_.value.dim(0); }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  Parameter W_, b_;
};

}  // namespace hg
