#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hourglass/data/synthetic.hpp"

TEST_SUITE("synthetic") {
  TEST_CASE("deterministic for a seed, different for another") {
    hg::Rng a(5), b(5), c(6);
    const hg::Dataset x = hg::synthetic_shapes(40, a);
    const hg::Dataset y = hg::synthetic_shapes(40, b);
    const hg::Dataset z = hg::synthetic_shapes(40, c);
    CHECK(std::equal(x.images.begin(), x.images.end(), y.images.begin()));
    CHECK(x.labels == y.labels);
    CHECK(!std::equal(x.images.begin(), x.images.end(), z.images.begin()));
  }

  TEST_CASE("shape, range, balanced labels, names") {
    hg::Rng rng(1);
    const hg::Dataset d = hg::synthetic_shapes(205, rng);
    CHECK(d.size() == 205);
    CHECK(d.images.shape() == hg::Shape{205, 784});
    CHECK(d.height == 28);
    CHECK(d.width == 28);
    CHECK(d.class_names.size() == 10);
    CHECK(std::all_of(d.images.begin(), d.images.end(),
                      [](float v) { return v >= 0.0f && v <= 1.0f; }));
    for (int c : hg::class_counts(d)) CHECK((c == 20 || c == 21));
    CHECK(hg::synthetic_shapes(0, rng).size() == 0);
  }

  TEST_CASE("each image has a visible shape on a dark background") {
    // Ink (pixels above 0.5) covers some but not most of each image, and
    // stays off the outermost border, where nothing should be drawn.
    hg::Rng rng(2);
    const hg::Dataset d = hg::synthetic_shapes(200, rng);
    for (int i = 0; i < d.size(); ++i) {
      CAPTURE(i);
      int ink = 0, border = 0;
      for (int y = 0; y < 28; ++y)
        for (int x = 0; x < 28; ++x) {
          const bool on = d.images.at(i, y * 28 + x) > 0.5f;
          ink += on;
          border += on && (x == 0 || y == 0 || x == 27 || y == 27);
        }
      CHECK(ink >= 8);
      CHECK(ink <= 400);
      CHECK(border == 0);
    }
  }

  TEST_CASE("classes look different: horizontal vs vertical bars") {
    // The mean image of class 0 spreads along x, of class 1 along y.
    hg::Rng rng(3);
    const hg::Dataset d = hg::synthetic_shapes(300, rng);
    for (int label : {0, 1}) {
      double sx = 0, sy = 0, sxx = 0, syy = 0, m = 0;
      for (int i = 0; i < d.size(); ++i) {
        if (d.labels[i] != label) continue;
        // Per-image spread, about the image's own centroid.
        double w = 0, cx = 0, cy = 0;
        for (int p = 0; p < 784; ++p) {
          const double v = d.images.at(i, p);
          w += v, cx += v * (p % 28), cy += v * (p / 28);
        }
        cx /= w, cy /= w;
        for (int p = 0; p < 784; ++p) {
          const double v = d.images.at(i, p) > 0.5f ? 1.0 : 0.0;
          sxx += v * (p % 28 - cx) * (p % 28 - cx);
          syy += v * (p / 28 - cy) * (p / 28 - cy);
          m += v;
        }
        sx += cx, sy += cy;
      }
      if (label == 0)
        CHECK(sxx > 4 * syy);
      else
        CHECK(syy > 4 * sxx);
      CHECK(m > 0);
    }
  }
}
