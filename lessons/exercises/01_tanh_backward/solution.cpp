// Exercise 01 · the backward of tanh: the reference solution.
#include <cstddef>

// y: (n) the forward's output, dy: (n) dloss/dy, dx: (n) dloss/dx, added to.
void tanh_backward(const float* y, const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * (1.0f - y[i] * y[i]);  // (tanh x)' = 1 − y²
}
