// Exercise 03 · one step of SGD with momentum
//
// The math. Plain gradient descent steps straight down the current slope,
// w ← w − η·g, and zig-zags across a narrow valley. Momentum keeps a
// velocity v, a running sum of past gradients that decays by μ each step:
//   v ← μ·v + g
//   w ← w − η·v
// Along the valley the gradients agree and v grows (up to g/(1 − μ));
// across it they alternate in sign and cancel. η is the learning rate, μ
// the momentum (0.9 is usual); v starts at 0. This is the form PyTorch
// and hg::SGD use (include/hourglass/optim/sgd.hpp).
//
// What to do: write momentum_step below: one update of n weights.
//
// The approach, in steps: for every element i,
//   1. update the velocity: v[i] = μ·v[i] + g[i];
//   2. step the weight along the NEW velocity: w[i] -= η·v[i].
//
// Example: w = 1, v = 0.5, g = 0.2, η = 0.1, μ = 0.9
//   → v = 0.9·0.5 + 0.2 = 0.65, w = 1 − 0.1·0.65 = 0.935.
//
// Hint: the order matters: the step uses the velocity after this
// gradient is added, not before. One loop does both lines.
//
// Check it:  scripts/exercise 03_momentum_step
#include <cstddef>

#include "../exercise.hpp"

// w: (n) weights, updated; g: (n) gradient dloss/dw; v: (n) velocity, updated.
void momentum_step(float* w, const float* g, float* v, std::size_t n, float lr, float mu) {
  // TODO: for every i, v[i] = mu·v[i] + g[i], then w[i] -= lr·v[i]
  (void)w, (void)g, (void)v, (void)n, (void)lr, (void)mu;  // (delete this line and the next)
  exercise::not_written_yet("momentum_step");
}
