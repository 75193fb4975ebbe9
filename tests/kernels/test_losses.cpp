// Loss kernels against a double-precision reference, entry by entry, on odd
// sizes so every vector tail runs.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hourglass/kernels/losses.hpp"

namespace k = hg::kernels;

TEST_SUITE("loss kernels") {
  TEST_CASE("bce_with_logits_sum and its backward match the formula in double") {
    std::mt19937 gen(7);
    std::uniform_real_distribution<float> logit(-30.0f, 30.0f), target(0.0f, 1.0f);
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{33},
                          std::size_t{127}, std::size_t{1000}, std::size_t{100'000}}) {
      CAPTURE(n);
      std::vector<float> z(n), t(n), dz(n, 0.5f);
      for (std::size_t i = 0; i < n; ++i) {
        z[i] = logit(gen);
        t[i] = i % 3 == 0 ? 0.0f : (i % 3 == 1 ? 1.0f : target(gen));
      }
      double ref = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double zd = z[i];
        ref += std::max(zd, 0.0) - t[i] * zd + std::log1p(std::exp(-std::fabs(zd)));
      }
      CHECK(k::bce_with_logits_sum(z.data(), t.data(), n) ==
            doctest::Approx(ref).epsilon(1e-5));
      const float g = 0.25f;
      k::bce_with_logits_backward(z.data(), t.data(), g, dz.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        const double s = 1.0 / (1.0 + std::exp(-double(z[i])));
        REQUIRE(dz[i] == doctest::Approx(0.5 + g * (s - t[i])).epsilon(1e-6));
      }
    }
  }

  TEST_CASE("bce_with_logits_sum by hand: z = 0 costs log 2 for any target") {
    const float z[] = {0.0f, 0.0f, 0.0f}, t[] = {0.0f, 0.5f, 1.0f};
    CHECK(k::bce_with_logits_sum(z, t, 3) == doctest::Approx(3 * std::log(2.0)));
    const float big[] = {100.0f}, one[] = {1.0f};  // confident and right: ~0
    CHECK(k::bce_with_logits_sum(big, one, 1) == doctest::Approx(0.0).epsilon(1e-30));
  }
}
