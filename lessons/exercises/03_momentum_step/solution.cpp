// Exercise 03 · one step of SGD with momentum: the reference solution.
#include <cstddef>

// w: (n) weights, updated; g: (n) gradient dloss/dw; v: (n) velocity, updated.
void momentum_step(float* w, const float* g, float* v, std::size_t n, float lr, float mu) {
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = mu * v[i] + g[i];  // v = μv + g
    w[i] -= lr * v[i];        // w = w − ηv
  }
}
