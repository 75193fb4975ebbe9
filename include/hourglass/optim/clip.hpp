// Gradient clipping by global norm: keep the direction, cap the length.
//
// With g the gradients of all parameters laid end to end and ‖g‖ its
// Euclidean norm, clip_grad_norm rescales every gradient by
//   s = min(1, max_norm / ‖g‖)
// so a step never moves the weights further than max_norm allows, while
// its direction is unchanged (Pascanu, Mikolov & Bengio 2013,
// https://arxiv.org/abs/1211.5063). A rare huge gradient (a bad batch, a
// saturated unit) then nudges the weights instead of throwing them away.
// Call it between tape.backward and opt.step.
// What it is not: per-parameter or per-value clipping, or a NaN fix: a
// non-finite norm is an hg::Error (see hourglass/autodiff/guard.hpp).
#pragma once

#include "hourglass/autodiff/parameter.hpp"

namespace hg {

// Scales all gradients by min(1, max_norm / ‖g‖) and returns ‖g‖ as it was
// before clipping (worth logging: it shows how often clipping bites).
// max_norm must be finite and > 0.
float clip_grad_norm(ParameterList& params, float max_norm);

}  // namespace hg
