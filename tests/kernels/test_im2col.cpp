// Tests for the convolution kernels: im2col on a tiny image worked by hand,
// the row-at-a-time im2col/col2im against their naive twins on odd sizes,
// strides and paddings, col2im as the adjoint of im2col (⟨im2col x, c⟩ =
// ⟨x, col2im c⟩), im2col + GEMM against the direct convolution, and pooling
// and upsampling against hand-computed answers.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/im2col.hpp"

using namespace hg::kernels;

namespace {
std::vector<float> random_vec(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(gen);
  return v;
}
}  // namespace

TEST_SUITE("im2col") {
  TEST_CASE("output sizes") {
    CHECK(conv_out_size(28, 3, 1, 1) == 28);
    CHECK(conv_out_size(28, 3, 2, 1) == 14);
    CHECK(conv_out_size(7, 3, 2, 0) == 3);
    CHECK(conv_out_size(2, 5, 1, 1) == 0);  // the window never fits
  }

  TEST_CASE("a 3x3 image, 2x2 filter, padding 1, stride 2, by hand") {
    // x = 1 2 3 / 4 5 6 / 7 8 9; padded to 5x5, windows at (−1,−1), (−1,1),
    // (1,−1), (1,1): Ho = Wo = (3 + 2 − 2)/2 + 1 = 2.
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    ConvGeometry g{.C = 1, .H = 3, .W = 3, .kh = 2, .kw = 2, .stride = 2, .pad = 1};
    REQUIRE(g.Ho() == 2);
    REQUIRE(g.Wo() == 2);
    float cols[16];
    im2col(x, g, cols, 4);
    // row r = filter tap (i, j); columns = the 4 windows
    const float expected[16] = {0, 0, 0, 5,    // tap (0,0)
                                0, 0, 4, 6,    // tap (0,1)
                                0, 2, 0, 8,    // tap (1,0)
                                1, 3, 7, 9};   // tap (1,1)
    for (int i = 0; i < 16; ++i) CHECK(cols[i] == expected[i]);
  }

  TEST_CASE("im2col and col2im match their naive twins on odd shapes") {
    struct Case { int C, H, W, kh, kw, stride, pad; };
    const Case cases[] = {{1, 1, 1, 1, 1, 1, 0},  {1, 7, 5, 3, 3, 1, 1},
                          {3, 7, 7, 3, 3, 2, 1},  {2, 33, 9, 5, 3, 2, 2},
                          {4, 13, 11, 4, 4, 3, 0}, {2, 6, 6, 3, 3, 1, 2},
                          {1, 5, 9, 2, 5, 2, 3},
                          // stride 1 with Wo = W: the shifted-plane path,
                          // including filters wider than the image
                          {3, 28, 28, 3, 3, 1, 1}, {2, 1, 9, 3, 3, 1, 1},
                          {1, 3, 1, 3, 3, 1, 1},   {2, 4, 6, 3, 5, 1, 2},
                          {1, 8, 3, 7, 7, 1, 3}};
    for (const Case& c : cases) {
      ConvGeometry g{c.C, c.H, c.W, c.kh, c.kw, c.stride, c.pad};
      CAPTURE(c.C); CAPTURE(c.H); CAPTURE(c.W); CAPTURE(c.kh);
      CAPTURE(c.stride); CAPTURE(c.pad);
      const int ld = g.cols() + 3;  // a padded leading dimension
      const auto x = random_vec(std::size_t(c.C) * c.H * c.W, 1);
      std::vector<float> a(std::size_t(g.rows()) * ld, 7.0f), b = a;
      im2col(x.data(), g, a.data(), ld);
      im2col_naive(x.data(), g, b.data(), ld);
      CHECK(a == b);  // pure copies: bit-identical

      const auto cols = random_vec(std::size_t(g.rows()) * ld, 2);
      auto dx1 = random_vec(x.size(), 3), dx2 = dx1;  // += onto non-zero
      col2im(cols.data(), ld, g, dx1.data());
      col2im_naive(cols.data(), ld, g, dx2.data());
      for (std::size_t i = 0; i < dx1.size(); ++i)
        CHECK(dx1[i] == doctest::Approx(dx2[i]).epsilon(1e-5));

      // Adjoint: ⟨im2col(x), cols⟩ = ⟨x, col2im(cols)⟩
      std::vector<float> dx0(x.size(), 0.0f);
      col2im(cols.data(), ld, g, dx0.data());
      double lhs = 0, rhs = 0;
      for (int r = 0; r < g.rows(); ++r)
        for (int p = 0; p < g.cols(); ++p)
          lhs += double(a[std::size_t(r) * ld + p]) * cols[std::size_t(r) * ld + p];
      for (std::size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * dx0[i];
      CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5));
    }
  }

  TEST_CASE("im2col + GEMM equals the direct convolution") {
    ConvGeometry g{.C = 3, .H = 9, .W = 7, .kh = 3, .kw = 3, .stride = 2, .pad = 1};
    const int Co = 5, P = g.cols();
    const auto x = random_vec(std::size_t(g.C) * g.H * g.W, 4);
    const auto Wt = random_vec(std::size_t(Co) * g.rows(), 5);
    const auto b = random_vec(Co, 6);
    std::vector<float> cols(std::size_t(g.rows()) * P), y(std::size_t(Co) * P),
        ref(y.size());
    im2col(x.data(), g, cols.data(), P);
    GemmArgs a;
    a.M = Co; a.N = P; a.K = g.rows();
    a.A = Wt.data(); a.lda = g.rows();
    a.B = cols.data(); a.ldb = P;
    a.C = y.data(); a.ldc = P;
    gemm(a);
    for (int o = 0; o < Co; ++o)
      for (int p = 0; p < P; ++p) y[std::size_t(o) * P + p] += b[o];
    conv2d_direct(x.data(), Wt.data(), b.data(), g, Co, ref.data());
    for (std::size_t i = 0; i < y.size(); ++i)
      CHECK(y[i] == doctest::Approx(ref[i]).epsilon(1e-4));
  }
}

TEST_SUITE("pooling") {
  TEST_CASE("2x2 max pooling by hand, gradient to the winner") {
    // One 3x4 plane; the last row does not fill a window and is dropped.
    const float x[12] = {1, 5, 2, 2,
                         3, 4, 8, 2,
                         9, 9, 9, 9};
    float y[2], arg[2];
    max_pool2d_forward(x, 1, 3, 4, 2, 2, y, arg);
    CHECK(y[0] == 5.0f);
    CHECK(y[1] == 8.0f);
    CHECK(arg[0] == 1.0f);
    CHECK(arg[1] == 6.0f);
    const float dy[2] = {10, 20};
    float dx[12] = {};
    dx[0] = 1;  // accumulates
    max_pool2d_backward(dy, arg, 1, 3, 4, 2, 2, dx);
    const float expected[12] = {1, 10, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0};
    for (int i = 0; i < 12; ++i) CHECK(dx[i] == expected[i]);
  }

  TEST_CASE("ties go to the first, overlapping windows (k 3, stride 2)") {
    const float x[25] = {};  // all equal: every window picks its top-left
    float y[4], arg[4];
    max_pool2d_forward(x, 1, 5, 5, 3, 2, y, arg);
    CHECK(arg[0] == 0.0f);
    CHECK(arg[1] == 2.0f);
    CHECK(arg[2] == 10.0f);
    CHECK(arg[3] == 12.0f);
  }

  TEST_CASE("pooling against a naive loop on several planes, odd sizes, ties") {
    // Values rounded to quarters, so windows often hold equal maxima: the
    // argmax must be the first of them in reading order, in the 2x2 fast
    // path as in the general loop.
    struct Case { int H, W, k, s; };
    for (const Case c : {Case{7, 9, 2, 2}, Case{1, 33, 1, 1}, Case{6, 35, 2, 2},
                         Case{7, 9, 3, 2}, Case{5, 6, 2, 1}}) {
      CAPTURE(c.H); CAPTURE(c.W); CAPTURE(c.k); CAPTURE(c.s);
      const int planes = 3;
      const int Ho = (c.H - c.k) / c.s + 1, Wo = (c.W - c.k) / c.s + 1;
      auto x = random_vec(std::size_t(planes) * c.H * c.W, 7);
      for (float& v : x) v = std::round(v * 4.0f) / 4.0f;
      std::vector<float> y(std::size_t(planes) * Ho * Wo), arg(y.size());
      max_pool2d_forward(x.data(), planes, c.H, c.W, c.k, c.s, y.data(), arg.data());
      for (int p = 0; p < planes; ++p)
        for (int oy = 0; oy < Ho; ++oy)
          for (int ox = 0; ox < Wo; ++ox) {
            float m = -1e30f;
            int first = -1;
            for (int i = 0; i < c.k; ++i)
              for (int j = 0; j < c.k; ++j) {
                const int at = (oy * c.s + i) * c.W + ox * c.s + j;
                if (x[std::size_t(p) * c.H * c.W + at] > m) {
                  m = x[std::size_t(p) * c.H * c.W + at];
                  first = at;
                }
              }
            const std::size_t o = (std::size_t(p) * Ho + oy) * Wo + ox;
            CHECK(y[o] == m);
            CHECK(arg[o] == float(first));
          }
    }
  }
}

TEST_SUITE("upsampling") {
  TEST_CASE("nearest x2 by hand, and its gradient sums each block") {
    const float x[4] = {1, 2, 3, 4};  // 2x2
    float y[16];
    upsample_nearest_forward(x, 1, 2, 2, 2, y);
    const float expected[16] = {1, 1, 2, 2, 1, 1, 2, 2,
                                3, 3, 4, 4, 3, 3, 4, 4};
    for (int i = 0; i < 16; ++i) CHECK(y[i] == expected[i]);
    float dy[16];
    for (int i = 0; i < 16; ++i) dy[i] = float(i);
    float dx[4] = {1, 1, 1, 1};
    upsample_nearest_backward(dy, 1, 2, 2, 2, dx);
    CHECK(dx[0] == 1 + 0 + 1 + 4 + 5);
    CHECK(dx[1] == 1 + 2 + 3 + 6 + 7);
    CHECK(dx[2] == 1 + 8 + 9 + 12 + 13);
    CHECK(dx[3] == 1 + 10 + 11 + 14 + 15);
  }

  TEST_CASE("factor 3 on two odd planes against a naive loop") {
    const int planes = 2, H = 3, W = 5, f = 3;
    const auto x = random_vec(std::size_t(planes) * H * W, 8);
    std::vector<float> y(x.size() * f * f);
    upsample_nearest_forward(x.data(), planes, H, W, f, y.data());
    for (int p = 0; p < planes; ++p)
      for (int oy = 0; oy < H * f; ++oy)
        for (int ox = 0; ox < W * f; ++ox)
          CHECK(y[(std::size_t(p) * H * f + oy) * W * f + ox] ==
                x[(std::size_t(p) * H + oy / f) * W + ox / f]);
  }
}
