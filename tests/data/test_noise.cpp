// Corruptions and PSNR: the statistics each corruption promises (how many
// pixels change, to what), the stamp's geometry, PSNR by hand, and errors.
#include <doctest/doctest.h>

#include <cmath>

#include "hourglass/data/noise.hpp"

using doctest::Approx;
using hg::Shape;
using hg::Tensor;

namespace {
double fraction_where(const Tensor& t, float value) {
  int n = 0;
  for (float v : t) n += v == value ? 1 : 0;
  return static_cast<double>(n) / static_cast<double>(t.size());
}
}  // namespace

TEST_SUITE("noise") {
  TEST_CASE("gaussian_corrupt: mean kept, spread σ, clamped to [0, 1]") {
    hg::Rng rng(1);
    const Tensor x(Shape{100, 100}, 0.5f);
    const Tensor y = hg::gaussian_corrupt(x, 0.1f, rng);
    double mean = 0, var = 0;
    for (float v : y) mean += v;
    mean /= y.size();
    for (float v : y) var += (v - mean) * (v - mean);
    var /= y.size();
    CHECK(mean == Approx(0.5).epsilon(0.01));
    CHECK(std::sqrt(var) == Approx(0.1).epsilon(0.03));
    const Tensor wild = hg::gaussian_corrupt(x, 5.0f, rng);
    bool in_range = true;
    for (float v : wild) in_range = in_range && v >= 0.0f && v <= 1.0f;
    CHECK(in_range);
    CHECK(fraction_where(wild, 0.0f) > 0.4);  // most draws clamp to 0 or 1
    const Tensor same = hg::gaussian_corrupt(x, 0.0f, rng);
    CHECK(fraction_where(same, 0.5f) == 1.0);
    CHECK_THROWS_AS(hg::gaussian_corrupt(x, -1.0f, rng), hg::Error);
  }

  TEST_CASE("mask_corrupt: a fraction p of the pixels becomes 0") {
    hg::Rng rng(2);
    const Tensor x(Shape{50, 200}, 0.7f);
    CHECK(fraction_where(hg::mask_corrupt(x, 0.3f, rng), 0.0f) == Approx(0.3).epsilon(0.05));
    CHECK(fraction_where(hg::mask_corrupt(x, 0.0f, rng), 0.7f) == 1.0);
    CHECK(fraction_where(hg::mask_corrupt(x, 1.0f, rng), 0.0f) == 1.0);
    CHECK_THROWS_WITH_AS(hg::mask_corrupt(x, 1.5f, rng),
                         doctest::Contains("mask_corrupt: p = 1.5"), hg::Error);
  }

  TEST_CASE("salt_pepper_corrupt: a fraction p becomes 0 or 1, half each") {
    hg::Rng rng(3);
    const Tensor x(Shape{100, 100}, 0.5f);
    const Tensor y = hg::salt_pepper_corrupt(x, 0.2f, rng);
    CHECK(fraction_where(y, 0.5f) == Approx(0.8).epsilon(0.02));
    CHECK(fraction_where(y, 0.0f) == Approx(0.1).epsilon(0.1));
    CHECK(fraction_where(y, 1.0f) == Approx(0.1).epsilon(0.1));
  }

  TEST_CASE("stamp_corrupt: the whole stamp, inside the image, at varying places") {
    const Tensor s = hg::stamp_pattern();
    double ink = 0;
    for (float v : s) ink += v;
    CHECK(ink > 30);  // box and letters
    CHECK(s.at(0, 0) == 1.0f);
    CHECK(s.at(1, 1) == 0.0f);

    hg::Rng rng(4);
    const int h = 28, w = 28, n = 40;
    const Tensor black(Shape{n, h * w});
    const Tensor y = hg::stamp_corrupt(black, h, w, 1.0f, rng);
    int first_top_left = -1;
    bool moved = false;
    for (int i = 0; i < n; ++i) {
      double sum = 0;
      int where = -1;
      for (int p = 0; p < h * w; ++p) {
        sum += y.at(i, p);
        if (where < 0 && y.at(i, p) > 0) where = p;
      }
      CHECK(sum == Approx(ink));  // never cut by an edge
      if (i == 0) first_top_left = where;
      moved = moved || where != first_top_left;
    }
    CHECK(moved);
    // Half opacity on a white image changes nothing; on black it gives 0.5.
    const Tensor half = hg::stamp_corrupt(black, h, w, 0.5f, rng);
    CHECK(fraction_where(half, 0.5f) == Approx(ink / (h * w)));
    const Tensor white(Shape{2, h * w}, 1.0f);
    CHECK(fraction_where(hg::stamp_corrupt(white, h, w, 0.5f, rng), 1.0f) == 1.0);
    CHECK_THROWS_WITH_AS(hg::stamp_corrupt(Tensor(Shape{2, 100}), h, w, 1.0f, rng),
                         doctest::Contains("stamp_corrupt: images are (2, 100)"),
                         hg::Error);
    CHECK_THROWS_AS(hg::stamp_corrupt(Tensor(Shape{2, 64}), 8, 8, 1.0f, rng),
                    hg::Error);
  }

  TEST_CASE("corrupt dispatches; names round-trip; same seed, same noise") {
    for (hg::NoiseKind k : {hg::NoiseKind::Gaussian, hg::NoiseKind::Mask,
                            hg::NoiseKind::SaltPepper, hg::NoiseKind::Stamp}) {
      CHECK(hg::parse_noise_kind(hg::noise_name(k)) == k);
      hg::Rng a(9), b(9);
      const Tensor x(Shape{3, 784}, 0.25f);
      const Tensor ya = hg::corrupt(x, k, 0.3f, 28, 28, a);
      const Tensor yb = hg::corrupt(x, k, 0.3f, 28, 28, b);
      CHECK(std::equal(ya.begin(), ya.end(), yb.begin()));
      CHECK(fraction_where(ya, 0.25f) < 1.0);  // something changed
    }
    CHECK_THROWS_WITH_AS(hg::parse_noise_kind("pink"),
                         doctest::Contains("expected gaussian, mask, salt-pepper or stamp"),
                         hg::Error);
  }

  TEST_CASE("psnr: 10·log10(1/MSE), by hand") {
    const Tensor clean(Shape{2, 8}, 0.0f);
    CHECK(hg::psnr(clean, Tensor(Shape{2, 8}, 0.1f)) == Approx(20));  // MSE 0.01
    CHECK(hg::psnr(clean, Tensor(Shape{2, 8}, 1.0f)) == Approx(0));
    CHECK(std::isinf(hg::psnr(clean, clean)));
    CHECK_THROWS_AS(hg::psnr(clean, Tensor(Shape{2, 9})), hg::Error);
  }
}
