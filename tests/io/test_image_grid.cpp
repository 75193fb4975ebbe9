#include <doctest/doctest.h>

#include <cmath>

#include "hourglass/io/image_grid.hpp"

using hg::Shape;
using hg::Tensor;

TEST_SUITE("image_grid") {
  TEST_CASE("tiles land at margin + index * (tile + margin)") {
    // Three 2x3 tiles filled with 0.1, 0.2, 0.3 in a 2x2 grid, margin 1.
    Tensor tiles(Shape{3, 6});
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 6; ++j) tiles.at(i, j) = 0.1f * float(i + 1);
    tiles.at(2, 5) = 0.9f;  // last pixel of tile 2: its bottom-right corner
    const Tensor g = hg::image_grid(tiles, 2, 3, 2, 2, {.margin = 1, .background = 1.0f});
    CHECK(g.shape() == Shape{2 * 3 + 1, 2 * 4 + 1});  // (7, 9)
    CHECK(g.at(0, 0) == 1.0f);                        // border
    CHECK(g.at(1, 1) == doctest::Approx(0.1f));       // tile 0 top-left
    CHECK(g.at(2, 3) == doctest::Approx(0.1f));       // tile 0 bottom-right
    CHECK(g.at(1, 4) == 1.0f);                        // margin between tiles
    CHECK(g.at(1, 5) == doctest::Approx(0.2f));       // tile 1
    CHECK(g.at(4, 1) == doctest::Approx(0.3f));       // tile 2, second row
    CHECK(g.at(5, 3) == doctest::Approx(0.9f));
    CHECK(g.at(4, 5) == 1.0f);                        // the empty fourth cell
  }

  TEST_CASE("upscaling repeats each pixel as a block") {
    const Tensor img(Shape{2, 2}, {1, 2, 3, 4});
    const Tensor up = hg::upscale(img, 3);
    CHECK(up.shape() == Shape{6, 6});
    CHECK(up.at(0, 0) == 1);
    CHECK(up.at(2, 2) == 1);
    CHECK(up.at(2, 3) == 2);
    CHECK(up.at(5, 0) == 3);
    CHECK(up.at(5, 5) == 4);
    const Tensor tiles(Shape{1, 4}, 0.0f);
    CHECK(hg::image_grid(tiles, 2, 2, 1, 1, {.margin = 1, .scale = 2}).shape() ==
          Shape{8, 8});
  }

  TEST_CASE("pairs and triples interleave rows per group of cols") {
    // 5 images of 1x1 pixel in groups of 3 columns: two groups.
    const Tensor a(Shape{5, 1}, {1, 2, 3, 4, 5}), b(Shape{5, 1}, {6, 7, 8, 9, 10}),
        c(Shape{5, 1}, {11, 12, 13, 14, 15});
    const hg::GridOptions o{.margin = 0, .background = -1};
    const Tensor p = hg::pairs_grid(a, b, 1, 1, 5, 3, o);
    CHECK(p.shape() == Shape{4, 3});
    CHECK(p.str() == "(4, 3) [[1, 2, 3], [6, 7, 8], [4, 5, -1], [9, 10, -1]]");
    const Tensor t = hg::triples_grid(a, b, c, 1, 1, 2, 2, o);
    CHECK(t.str() == "(3, 2) [[1, 2], [6, 7], [11, 12]]");
    CHECK_THROWS_AS(hg::pairs_grid(a, Tensor(Shape{4, 1}), 1, 1, 4, 2), hg::Error);
    CHECK_THROWS_AS(hg::pairs_grid(a, b, 1, 1, 6, 2), hg::Error);
  }

  TEST_CASE("filters are scaled each on its own") {
    const Tensor W(Shape{2, 3}, {-2, 0, 1, 5, 5, 5});
    const hg::GridOptions o{.margin = 0};
    const Tensor sym = hg::filter_grid(W, 1, 3, 1, hg::FilterScale::Symmetric, o);
    CHECK(sym.str() == "(2, 3) [[0, 0.5, 0.75], [1, 1, 1]]");
    const Tensor mm = hg::filter_grid(W, 1, 3, 2, hg::FilterScale::MinMax, o);
    CHECK(mm.shape() == Shape{1, 6});
    CHECK(mm.at(0, 0) == 0);
    CHECK(mm.at(0, 1) == doctest::Approx(2.0f / 3));
    CHECK(mm.at(0, 2) == 1);
    CHECK(mm.at(0, 4) == 0.5f);  // a constant filter is mid-gray
  }

  TEST_CASE("samples fill ceil(N / cols) rows; bad input is an error") {
    const Tensor s(Shape{7, 4}, 0.25f);
    CHECK(hg::samples_grid(s, 2, 2, 3, {.margin = 1}).shape() == Shape{10, 10});
    CHECK_THROWS_WITH_AS(hg::image_grid(s, 3, 3, 3, 3),
                         doctest::Contains("(N, 9)"), hg::Error);
    CHECK_THROWS_AS(hg::image_grid(s, 2, 2, 2, 3), hg::Error);  // 7 > 6 cells
    Tensor nan = s;
    nan.at(6, 3) = std::nanf("");
    CHECK_THROWS_WITH_AS(hg::samples_grid(nan, 2, 2, 3),
                         doctest::Contains("tile 6 pixel (1, 1)"), hg::Error);
  }
}
