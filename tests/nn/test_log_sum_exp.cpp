// log_sum_exp and log_mean_exp: small sums by hand, huge and tiny terms that
// a direct log(Σ exp) gets wrong, and the bad inputs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hourglass/error.hpp"
#include "hourglass/nn/log_sum_exp.hpp"

using doctest::Approx;

TEST_SUITE("log_sum_exp") {
  TEST_CASE("small sums match the direct formula") {
    const std::vector<double> a{0.0, std::log(2.0), std::log(5.0)};
    CHECK(hg::log_sum_exp(a) == Approx(std::log(8.0)));  // 1 + 2 + 5
    CHECK(hg::log_mean_exp(a) == Approx(std::log(8.0 / 3.0)));
    const std::vector<double> one{-3.5};
    CHECK(hg::log_sum_exp(one) == Approx(-3.5));
    CHECK(hg::log_mean_exp(one) == Approx(-3.5));
  }

  TEST_CASE("terms far outside exp's range") {
    // e^1000 overflows and e^-1000 underflows in double; the shifted form
    // is exact: log(2 e^m) = m + log 2.
    const std::vector<double> big{1000.0, 1000.0};
    CHECK(hg::log_sum_exp(big) == Approx(1000.0 + std::log(2.0)));
    const std::vector<double> tiny{-1000.0, -1000.0, -1000.0, -1000.0};
    CHECK(hg::log_sum_exp(tiny) == Approx(-1000.0 + std::log(4.0)));
    CHECK(hg::log_mean_exp(tiny) == Approx(-1000.0));
    // A term 800 below the largest adds e^-800, invisible in double.
    const std::vector<double> mixed{-1200.0, -400.0};
    CHECK(hg::log_sum_exp(mixed) == Approx(-400.0));
    // Log-likelihoods of images, a few nats apart: the mean of weights.
    const std::vector<double> w{-250.0, -251.0, -253.0};
    const double expect =
        -250.0 + std::log((1 + std::exp(-1.0) + std::exp(-3.0)) / 3.0);
    CHECK(hg::log_mean_exp(w) == Approx(expect).epsilon(1e-12));
  }

  TEST_CASE("infinities and bad input") {
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<double> zeros{-inf, -inf};
    CHECK(hg::log_sum_exp(zeros) == -inf);
    const std::vector<double> some{-inf, 2.0};
    CHECK(hg::log_sum_exp(some) == Approx(2.0));
    const std::vector<double> up{1.0, inf};
    CHECK(hg::log_sum_exp(up) == inf);
    const std::vector<double> none;
    CHECK_THROWS_WITH_AS(hg::log_sum_exp(none),
                         doctest::Contains("log_sum_exp: got no terms"), hg::Error);
    const std::vector<double> nan{0.0, std::nan("")};
    CHECK_THROWS_WITH_AS(hg::log_mean_exp(nan),
                         doctest::Contains("term 1 of 2 is NaN"), hg::Error);
  }
}
