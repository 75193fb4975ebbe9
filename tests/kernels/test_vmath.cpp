// The vectorised e^x, σ and softplus (src/kernels/vmath.hpp, reached through
// exp_forward, sigmoid_forward and softplus_forward) against double-
// precision references over the whole float range: relative error in
// float ulps where the result is normal, and the special cases (±inf, NaN,
// overflow, denormal results) exactly.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hourglass/kernels/elementwise.hpp"

namespace k = hg::kernels;

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kUlp = 5.96e-8;  // 2^−24: half the gap between 1 and the next float

// Evenly spaced inputs in [lo, hi], with an odd count so vector tails run.
std::vector<float> grid(float lo, float hi, int n) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / (n - 1);
  return x;
}

double rel_err(double got, double want) {
  return std::fabs(got - want) / std::fabs(want);
}
}  // namespace

TEST_SUITE("vmath") {
  TEST_CASE("exp is within 4 ulps of e^x wherever the result is a normal float") {
    const std::vector<float> x = grid(-87.0f, 88.7f, 100'003);
    std::vector<float> y(x.size());
    k::exp_forward(x.data(), y.data(), x.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
      worst = std::max(worst, rel_err(y[i], std::exp(double(x[i]))));
    CHECK(worst < 4 * kUlp);
  }

  TEST_CASE("exp at the edges: overflow, denormals, underflow to 0, inf and NaN") {
    const float x[] = {89.0f, 1000.0f, kInf, -90.0f, -100.0f, -104.5f, -kInf,
                       std::numeric_limits<float>::quiet_NaN(), 0.0f};
    float y[9];
    k::exp_forward(x, y, 9);
    CHECK(y[0] == kInf);  // e^89 > FLT_MAX
    CHECK(y[1] == kInf);
    CHECK(y[2] == kInf);
    CHECK(y[3] == doctest::Approx(std::exp(-90.0)).epsilon(1e-3));  // denormal
    CHECK(y[4] == doctest::Approx(std::exp(-100.0)).epsilon(0.05));  // few bits left
    CHECK(y[5] == 0.0f);
    CHECK(y[6] == 0.0f);
    CHECK(std::isnan(y[7]));
    CHECK(y[8] == 1.0f);
  }

  TEST_CASE("sigmoid and softplus keep their relative precision far out") {
    const std::vector<float> x = grid(-100.0f, 100.0f, 20'001);
    std::vector<float> s(x.size()), sp(x.size());
    k::sigmoid_forward(x.data(), s.data(), x.size());
    k::softplus_forward(x.data(), sp.data(), x.size());
    double worst_s = 0.0, worst_sp = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xd = x[i];
      const double ref_s = 1.0 / (1.0 + std::exp(-xd));
      const double ref_sp = std::max(xd, 0.0) + std::log1p(std::exp(-std::fabs(xd)));
      if (ref_s > 1e-37) worst_s = std::max(worst_s, rel_err(s[i], ref_s));
      if (ref_sp > 1e-37) worst_sp = std::max(worst_sp, rel_err(sp[i], ref_sp));
    }
    CHECK(worst_s < 8 * kUlp);
    CHECK(worst_sp < 8 * kUlp);
  }

  TEST_CASE("sigmoid and softplus pass NaN through and saturate at ±inf") {
    const float x[] = {std::numeric_limits<float>::quiet_NaN(), kInf, -kInf};
    float s[3], sp[3];
    k::sigmoid_forward(x, s, 3);
    k::softplus_forward(x, sp, 3);
    CHECK(std::isnan(s[0]));
    CHECK(std::isnan(sp[0]));
    CHECK(s[1] == 1.0f);
    CHECK(s[2] == 0.0f);
    CHECK(sp[1] == kInf);
    CHECK(sp[2] == 0.0f);
  }
}
