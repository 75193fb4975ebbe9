#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "hourglass/rng.hpp"

TEST_SUITE("rng") {
  TEST_CASE("the same seed gives the same numbers, another seed others") {
    hg::Rng a(7), b(7), c(8);
    for (int i = 0; i < 100; ++i) {
      const auto x = a.next_u64();
      CHECK(x == b.next_u64());
      CHECK(x != c.next_u64());
    }
  }

  TEST_CASE("the stream is pinned: these numbers never change") {
    // If this fails, every lesson's figures in the README change too.
    hg::Rng r(42);
    const auto first = r.next_u64();
    hg::Rng again(42);
    CHECK(again.next_u64() == first);
    // Known-answer values of xoshiro256** after splitmix64(42) seeding.
    hg::Rng k(0);
    CHECK(k.next_u64() == 0x99EC5F36CB75F2B4ull);
  }

  TEST_CASE("uniform has the moments of U(0,1) and stays in range") {
    hg::Rng r(1);
    const int n = 200000;
    double sum = 0, sq = 0;
    for (int i = 0; i < n; ++i) {
      const float u = r.uniform();
      REQUIRE(u >= 0.0f);
      REQUIRE(u < 1.0f);
      sum += u;
      sq += u * u;
    }
    CHECK(sum / n == doctest::Approx(0.5).epsilon(0.01));
    CHECK(sq / n - (sum / n) * (sum / n) == doctest::Approx(1.0 / 12).epsilon(0.02));
  }

  TEST_CASE("normal has mean 0, variance 1 and light tails") {
    hg::Rng r(2);
    const int n = 200000;
    double sum = 0, sq = 0;
    int beyond3 = 0;
    for (int i = 0; i < n; ++i) {
      const double z = r.normal();
      sum += z;
      sq += z * z;
      beyond3 += std::abs(z) > 3.0;
    }
    CHECK(std::abs(sum / n) < 0.01);
    CHECK(sq / n == doctest::Approx(1.0).epsilon(0.02));
    CHECK(beyond3 < n * 0.004);  // 0.27% expected
  }

  TEST_CASE("bernoulli, below and shuffle") {
    hg::Rng r(3);
    int ones = 0;
    for (int i = 0; i < 100000; ++i) ones += r.bernoulli(0.3f);
    CHECK(ones / 100000.0 == doctest::Approx(0.3).epsilon(0.03));

    std::vector<int> counts(7, 0);
    for (int i = 0; i < 70000; ++i) ++counts[r.below(7)];
    for (int c : counts) CHECK(c == doctest::Approx(10000).epsilon(0.05));
    CHECK_THROWS_AS(r.below(0), hg::Error);

    std::vector<int> v(50);
    std::iota(v.begin(), v.end(), 0);
    r.shuffle(v);
    CHECK(!std::is_sorted(v.begin(), v.end()));
    std::sort(v.begin(), v.end());
    for (int i = 0; i < 50; ++i) CHECK(v[i] == i);
  }
}
