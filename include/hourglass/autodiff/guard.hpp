// The finiteness guard: stop training at the first NaN or Inf, and say where.
//
// One NaN anywhere spreads to every weight within a step or two (NaN + x is
// NaN), after which training goes on quietly producing garbage. Calling
// check_finite after each backward catches it at the step where it appears
// and names the step, the op and the tensor, e.g.
//   training step 17: the value of node 5 (op "log", shape (128, 784)) holds
//   nan at element 3 (first non-finite value in forward order)
// so the caller can stop before the optimizer writes NaN into the weights
// (and before a checkpoint of them is saved). What it is not: a fix. It
// does not skip the step or rescale anything; clip_grad_norm
// (hourglass/optim/clip.hpp) is the tool against gradients that are large
// but finite.
#pragma once

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/autodiff/tape.hpp"

namespace hg {

// Checks, in this order, every value on `tape` up to and including `loss`
// (forward order: the first bad one is where the trouble started), then
// every gradient the backward pass computed (in the order backward computed
// them), parameters' included. Throws hg::Error naming `step`, the op that
// made the tensor, its shape and the first bad element.
void check_finite(const Tape& tape, Var loss, long step);

// Checks each parameter's value and grad; the message names the parameter.
void check_finite(const ParameterList& params, long step);

}  // namespace hg
