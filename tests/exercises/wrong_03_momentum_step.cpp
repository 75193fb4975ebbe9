// A planted wrong answer to exercise 03: the step uses the old velocity,
// before this gradient is added. The checker must catch it.
#include <cstddef>

void momentum_step(float* w, const float* g, float* v, std::size_t n, float lr, float mu) {
  for (std::size_t i = 0; i < n; ++i) {
    w[i] -= lr * v[i];
    v[i] = mu * v[i] + g[i];
  }
}
