// Tests for the Conv2d and ConvTranspose2d layers: shapes and parameter
// names, He initialisation with the right fan-in, the layer equal to its op,
// filters() laid out one filter per row, bad input, and a layer that learns
// a known 3x3 filter back from examples by gradient descent.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "hourglass/autodiff/autodiff.hpp"
#include "hourglass/nn/conv.hpp"
#include "hourglass/nn/losses.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;

TEST_SUITE("conv layers") {
  TEST_CASE("Conv2d: shapes, names, output size with stride and padding") {
    hg::Rng rng(1);
    hg::Conv2d conv(3, 8, 3, 2, 1, rng, hg::Init::He, "enc1");
    CHECK(conv.W().value.shape() == Shape{8, 3, 3, 3});
    CHECK(conv.b().value.shape() == Shape{8});
    CHECK(conv.W().name == "enc1.W");
    CHECK(conv.b().name == "enc1.b");
    CHECK(conv.params().size() == 2);
    hg::Tape tape;
    Var y = conv(tape.input(Tensor(Shape{2, 3, 15, 9})));
    CHECK(y.shape() == Shape{2, 8, 8, 5});  // (15 + 2 − 3)/2 + 1 = 8
  }

  TEST_CASE("ConvTranspose2d doubles 7x7 to 14x14 with k 4, stride 2, padding 1") {
    hg::Rng rng(2);
    hg::ConvTranspose2d up(16, 4, 4, 2, 1, rng);
    CHECK(up.W().value.shape() == Shape{16, 4, 4, 4});
    hg::Tape tape;
    Var y = up(tape.input(Tensor(Shape{3, 16, 7, 7})));
    CHECK(y.shape() == Shape{3, 4, 14, 14});
    CHECK(up.filters().shape() == Shape{64, 16});
  }

  TEST_CASE("He init: Var(W) = 2 / (c_in·k·k)") {
    hg::Rng rng(3);
    hg::Conv2d conv(32, 64, 5, 1, 2, rng);  // 51,200 weights
    double mean = 0, var = 0;
    const Tensor& W = conv.W().value;
    for (float w : W) mean += w;
    mean /= double(W.size());
    for (float w : W) var += (w - mean) * (w - mean);
    var /= double(W.size());
    CHECK(std::abs(mean) < 0.01);
    CHECK(var == doctest::Approx(2.0 / (32 * 25)).epsilon(0.05));
    for (float b : conv.b().value) CHECK(b == 0.0f);
  }

  TEST_CASE("the layer is its op with its own parameters") {
    hg::Rng rng(4);
    hg::Conv2d conv(2, 3, 3, 1, 1, rng);
    rng.fill_uniform(conv.b().value, -1, 1);
    Tensor x(Shape{2, 2, 5, 5});
    rng.fill_uniform(x, -1, 1);
    hg::Tape tape;
    Var a = conv(tape.input(x));
    Var b = conv2d(tape.input(x), tape.input(conv.W().value),
                   tape.input(conv.b().value), 1, 1);
    for (std::size_t i = 0; i < a.value().size(); ++i)
      CHECK(a.value()[i] == b.value()[i]);
  }

  TEST_CASE("filters(): row o·c_in + c is filter (o, c), k·k wide") {
    hg::Rng rng(5);
    hg::Conv2d conv(2, 3, 3, 1, 0, rng);
    const Tensor f = conv.filters();
    REQUIRE(f.shape() == Shape{6, 9});
    // filter (o = 2, c = 1), tap (i = 1, j = 2)
    CHECK(f.at(2 * 2 + 1, 1 * 3 + 2) == conv.W().value[((2 * 2 + 1) * 3 + 1) * 3 + 2]);
  }

  TEST_CASE("bad input names the layer and the shape") {
    hg::Rng rng(6);
    hg::Conv2d conv(3, 4, 3, 1, 1, rng, hg::Init::He, "c1");
    hg::Tape tape;
    try {
      conv(tape.input(Tensor(Shape{2, 1, 8, 8})));
      FAIL("expected hg::Error");
    } catch (const hg::Error& e) {
      const std::string m = e.what();
      CHECK(m.find("Conv2d 'c1'") != std::string::npos);
      CHECK(m.find("(2, 1, 8, 8)") != std::string::npos);
    }
    CHECK_THROWS_AS(hg::Conv2d(0, 4, 3, 1, 1, rng), hg::Error);
    CHECK_THROWS_AS(hg::ConvTranspose2d(4, 4, 3, 0, 1, rng), hg::Error);
  }

  TEST_CASE("a Conv2d learns a known edge filter back from examples") {
    // Targets made by a fixed 3x3 vertical-edge filter; gradient descent on
    // the squared error must find that filter (the problem is convex).
    hg::Rng rng(7);
    Tensor target_W(Shape{1, 1, 3, 3}, {1, 0, -1, 2, 0, -2, 1, 0, -1});
    Tensor x(Shape{8, 1, 9, 9});
    rng.fill_uniform(x, 0, 1);
    hg::Tape tape;
    Tensor y = conv2d(tape.input(x), tape.input(target_W),
                      tape.input(Tensor(Shape{1}, {0.25f})), 1, 1).value();
    hg::Conv2d conv(1, 1, 3, 1, 1, rng);
    float first = 0, last = 0;
    for (int step = 0; step < 300; ++step) {
      tape.clear();
      Var loss = mse(conv(tape.input(x)), tape.input(y));
      for (hg::Parameter* p : conv.params()) p->grad.zero();
      tape.backward(loss);
      for (hg::Parameter* p : conv.params())
        for (std::size_t i = 0; i < p->value.size(); ++i)
          p->value[i] -= 0.003f * p->grad[i];
      if (step == 0) first = loss.item();
      last = loss.item();
    }
    CHECK(last < 1e-4f * first);
    for (int i = 0; i < 9; ++i)
      CHECK(conv.W().value[i] == doctest::Approx(target_W[i]).epsilon(0.02));
    CHECK(conv.b().value[0] == doctest::Approx(0.25f).epsilon(0.02));
  }
}
