// What the tape's listing and its picture share. Private to src/io.
#pragma once

#include <cstddef>
#include <string>

#include "hourglass/autodiff/tape.hpp"

namespace hg::tape_view {

// The loss's index, -1 when no loss is given; throws if it is another
// tape's.
int loss_index(const Tape& tape, const Var& loss);
// Does node i hold a gradient of this pass? Only if the caller says
// backward ran, the node needs one and comes no later than the loss.
bool has_gradient(const Tape& tape, int i, int loss, bool gradients);
// ‖t‖₂, summed in double.
double norm(const Tensor& t);
// Characters as a reader counts them: UTF-8 continuation bytes do not
// count, so "‖grad‖" is 6 wide, not 10.
std::size_t chars(const std::string& s);
// "%.4g": four significant digits, enough to compare with a hand calculation.
std::string number(double v);

}  // namespace hg::tape_view
