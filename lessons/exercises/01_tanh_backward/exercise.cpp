// Exercise 01 · the backward of tanh
//
// The math. tanh squashes any number into (−1, 1):
//   y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)
// Its slope can be read from its own output, which the forward pass has
// already computed:
//   dy/dx = 1 − tanh²(x) = 1 − y²
// In reverse mode the tape hands each node dy = dloss/dy, and the node adds
// its share of dloss/dx to its input's gradient (the chain rule):
//   dx += dy · (1 − y²)
//
// What to do: write tanh_backward below. check.cpp plugs it into the tape
// as the library's own ops are (src/autodiff/ops_unary.cpp): a forward that
// computes y, and this function as the node's backward step.
//
// The approach, in steps:
//   1. loop over the n elements;
//   2. read y[i] and dy[i], compute the local slope 1 − y[i]²;
//   3. ADD dy[i] times the slope to dx[i].
//
// Example: y = 0.5, dy = 2, dx = 0.25 before  →  dx = 0.25 + 2 · 0.75 = 1.75.
//
// Hint: += and not =. x may feed other nodes too (x·c as well as tanh(x)),
// and each adds its own share to dx; = would throw the others' away.
//
// Check it:  scripts/exercise 01_tanh_backward
#include <cstddef>

#include "../exercise.hpp"

// y: (n) the forward's output, dy: (n) dloss/dy, dx: (n) dloss/dx, added to.
void tanh_backward(const float* y, const float* dy, float* dx, std::size_t n) {
  // TODO: for every i, dx[i] += dy[i] · (1 − y[i]²)
  (void)y, (void)dy, (void)dx, (void)n;  // (delete this line and the next)
  exercise::not_written_yet("tanh_backward");
}
