// Weight initialisation schemes (see init.hpp for which suits what, and why).
#include "hourglass/nn/init.hpp"

#include <cmath>

namespace hg {

namespace {
void check_fans(const char* who, int fan_in, int fan_out) {
  check(fan_in >= 1 && fan_out >= 1, who, ": fan_in and fan_out must be >= 1,",
        " got fan_in = ", fan_in, ", fan_out = ", fan_out);
}
}  // namespace

const char* init_name(Init init) {
  switch (init) {
    case Init::Xavier: return "xavier";
    case Init::XavierNormal: return "xavier_normal";
    case Init::He: return "he";
  }
  return "?";
}

void xavier_uniform(Tensor& W, int fan_in, int fan_out, Rng& rng) {
  check_fans("xavier_uniform", fan_in, fan_out);
  const float a = std::sqrt(6.0f / float(fan_in + fan_out));
  rng.fill_uniform(W, -a, a);
}

void xavier_normal(Tensor& W, int fan_in, int fan_out, Rng& rng) {
  check_fans("xavier_normal", fan_in, fan_out);
  rng.fill_normal(W, 0.0f, std::sqrt(2.0f / float(fan_in + fan_out)));
}

void he_normal(Tensor& W, int fan_in, Rng& rng) {
  check_fans("he_normal", fan_in, 1);
  rng.fill_normal(W, 0.0f, std::sqrt(2.0f / float(fan_in)));
}

void init_weights(Tensor& W, Init init, int fan_in, int fan_out, Rng& rng) {
  switch (init) {
    case Init::Xavier: return xavier_uniform(W, fan_in, fan_out, rng);
    case Init::XavierNormal: return xavier_normal(W, fan_in, fan_out, rng);
    case Init::He: return he_normal(W, fan_in, rng);
  }
  fail("init_weights: unknown Init value ", int(init));
}

}  // namespace hg
