#include <doctest/doctest.h>

#include <cmath>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/nn/losses.hpp"
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

  TEST_CASE("bce_of_image by hand, against the bce_with_logits op, and a length error") {
    // z = 0: σ = ½, so −log ½ whatever the pixel; z = 2, x = 1: log(1 + e^−2).
    const float z1[] = {0, 2}, x1[] = {0.3f, 1};
    CHECK(hg::bce_of_image(z1, x1) == doctest::Approx(std::log(2.0) + std::log1p(std::exp(-2.0))));
    // Far logits stay finite and exact: z = −100 for a black pixel costs ~e^−100.
    const float z2[] = {-100, 100}, x2[] = {0, 1};
    CHECK(hg::bce_of_image(z2, x2) == doctest::Approx(0.0).epsilon(1e-30));
    const hg::Tensor z(hg::Shape{2, 3}, {-3, 0.5f, 8, 1, -2, 0});
    const hg::Tensor x(hg::Shape{2, 3}, {0, 0.5f, 1, 0.25f, 0, 1});
    hg::Tape tape;
    const double op = hg::bce_with_logits(tape.input(z), tape.input(x)).item();
    CHECK((hg::bce_of_image(z.row(0), x.row(0)) + hg::bce_of_image(z.row(1), x.row(1))) / 2 ==
          doctest::Approx(op).epsilon(1e-6));
    CHECK_THROWS_AS(hg::bce_of_image(z.row(0), std::span<const float>(x1)), hg::Error);
  }
}
