#include <doctest/doctest.h>

#include "hourglass/nn/metrics.hpp"

TEST_SUITE("metrics") {
  TEST_CASE("error_per_pixel by hand, and shape errors") {
    const hg::Tensor x(hg::Shape{2, 2}, {0, 1, 0.5f, 0.25f});
    const hg::Tensor y(hg::Shape{2, 2}, {0.5f, 1, 0, 0.25f});
    // (0.25 + 0 + 0.25 + 0) / 4
    CHECK(hg::error_per_pixel(x, y) == doctest::Approx(0.125));
    CHECK(hg::error_per_pixel(x, x) == 0.0);
    CHECK_THROWS_AS(hg::error_per_pixel(x, hg::Tensor(hg::Shape{4, 1})),
                    hg::Error);
    CHECK_THROWS_AS(hg::error_per_pixel(hg::Tensor(hg::Shape{0, 3}),
                                        hg::Tensor(hg::Shape{0, 3})),
                    hg::Error);
  }
}
