// A planted wrong answer to exercise 01: = instead of +=, which drops the
// other share of dx (from x·c). The checker must catch it.
#include <cstddef>

void tanh_backward(const float* y, const float* dy, float* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}
