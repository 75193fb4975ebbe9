// Seeing the tape: a listing of its nodes, and a picture of its graph.
//
//   hg::Parameter pa("a", hg::Tensor({1}, {0.5f})), pb("b", hg::Tensor({1}, {-1.5f}));
//   hg::Tape tape;
//   hg::Var a = tape.param(pa), b = tape.param(pb);
//   hg::Var f = hg::sigmoid(a * b + a);        // f(a, b) = σ(a·b + a)
//   tape.backward(f);
//   hg::print_tape(tape, std::cout, {.loss = f, .gradients = true});
//   hg::save_tape_svg(tape, "out/00_tape/tape.svg", {.loss = f, .gradients = true});
//
// The listing has one line per node in creation order: its index, op,
// input indices, shape, the value's min / mean / max, the gradient's norm
// ‖dloss/dvalue‖, whether it needs a gradient, and a mark for parameters
// (with their names), inputs and the loss. The picture draws one box per
// node (op, shape, and the number itself for one-number values) and one
// arrow per input, in columns by depth: a node sits one column right of its
// deepest input, and a leaf one column left of its first user.
//
// Whether the gradients belong to this pass only the caller knows: the
// tape keeps its buffers from one pass to the next, so a buffer may hold an
// earlier pass's numbers. Say `gradients = true` after backward(loss); until
// then, and for nodes that need no gradient or come after the loss, the
// listing prints "—". A parameter's gradient is Parameter::grad, which
// accumulates until an optimizer zeroes it.
//
// What it is not: a debugger or an interactive view. A tape longer than
// `max_nodes` is drawn as its first max_nodes nodes, and the picture says
// how many were left out.
#pragma once

#include <iosfwd>
#include <string>

#include "hourglass/autodiff/tape.hpp"

namespace hg {

struct TapeListingOptions {
  Var loss{};              // marked "loss"; empty: no node is marked
  bool gradients = false;  // backward(loss) has run on this pass
};

// The listing as text, one line per node after a header line.
std::string tape_listing(const Tape& tape, const TapeListingOptions& options = {});
// The same, written to `out`.
void print_tape(const Tape& tape, std::ostream& out,
                const TapeListingOptions& options = {});

struct TapeSvgOptions {
  Var loss{};              // drawn with a thick red border
  bool gradients = false;  // backward(loss) has run: boxes show gradients
  std::string title = "the tape";
  int max_nodes = 40;      // a longer tape is drawn as its first max_nodes
};

// The picture as SVG text, and written to `path` (atomically).
std::string render_tape_svg(const Tape& tape, const TapeSvgOptions& options = {});
void save_tape_svg(const Tape& tape, const std::string& path,
                   const TapeSvgOptions& options = {});

}  // namespace hg
