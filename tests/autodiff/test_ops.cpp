// Ops: forward values computed by hand, shape errors, broadcasting, noise.
// (Their gradients are checked in test_gradcheck.cpp.)
#include <doctest/doctest.h>

#include <cmath>

#include "hourglass/autodiff/ops.hpp"

using doctest::Approx;
using hg::Parameter;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;

TEST_SUITE("ops") {
  TEST_CASE("matmul with every transpose combination") {
    Tape tape;
    // a = [[1, 2, 3], [4, 5, 6]], b = [[1, 0], [0, 1], [1, 1]]
    Tensor a(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor b(Shape{3, 2}, {1, 0, 0, 1, 1, 1});
    Tensor at(Shape{3, 2}, {1, 4, 2, 5, 3, 6});
    Tensor bt(Shape{2, 3}, {1, 0, 1, 0, 1, 1});
    // a·b = [[4, 5], [10, 11]]
    for (int mode = 0; mode < 4; ++mode) {
      const bool ta = mode & 1, tb = mode & 2;
      Var c = matmul(tape.input(ta ? at : a), tape.input(tb ? bt : b), ta, tb);
      REQUIRE(c.shape() == Shape{2, 2});
      CHECK(c.value().at(0, 0) == 4);
      CHECK(c.value().at(0, 1) == 5);
      CHECK(c.value().at(1, 0) == 10);
      CHECK(c.value().at(1, 1) == 11);
    }
  }

  TEST_CASE("matmul names both shapes when the inner sizes differ") {
    Tape tape;
    Var a = tape.input(Tensor(Shape{128, 784}));
    Var b = tape.input(Tensor(Shape{700, 32}));
    CHECK_THROWS_WITH_AS(
        matmul(a, b),
        doctest::Contains("matmul: inner sizes differ: a is (128, 784), b is (700, 32)"),
        hg::Error);
  }

  TEST_CASE("linear is x·Wᵀ + b, with b as (1, out) or (out)") {
    Tape tape;
    Var x = tape.input(Tensor(Shape{2, 2}, {1, 2, 3, 4}));
    Var W = tape.input(Tensor(Shape{3, 2}, {1, 0, 0, 1, 1, 1}));
    Var b = tape.input(Tensor(Shape{3}, {10, 20, 30}));
    Var y = linear(x, W, b);
    REQUIRE(y.shape() == Shape{2, 3});
    CHECK(y.value().at(0, 0) == 11);
    CHECK(y.value().at(0, 1) == 22);
    CHECK(y.value().at(0, 2) == 33);
    CHECK(y.value().at(1, 2) == 37);
    Var b2 = tape.input(Tensor(Shape{1, 3}, {0, 0, 0}));
    CHECK(linear(x, W, b2).value().at(1, 0) == 3);
    CHECK_THROWS_WITH_AS(linear(x, tape.input(Tensor(Shape{3, 5})), b),
                         doctest::Contains("(2, 2)"), hg::Error);
    CHECK_THROWS_WITH_AS(linear(x, W, tape.input(Tensor(Shape{4}))),
                         doctest::Contains("linear: b is (4)"), hg::Error);
  }

  TEST_CASE("binary ops: same shape, row broadcast, floats on either side") {
    Tape tape;
    Var a = tape.input(Tensor(Shape{2, 2}, {1, 2, 3, 4}));
    Var b = tape.input(Tensor(Shape{2, 2}, {2, 2, 2, 4}));
    Var r = tape.input(Tensor(Shape{1, 2}, {10, 100}));
    CHECK((a + b).value()[3] == 8);
    CHECK((a - b).value()[0] == -1);
    CHECK((a * b).value()[2] == 6);
    CHECK((a / b).value()[1] == 1);
    CHECK((a + r).value().at(1, 1) == 104);
    CHECK((a - r).value().at(1, 0) == -7);
    CHECK((a * r).value().at(1, 1) == 400);
    CHECK((a / r).value().at(0, 0) == Approx(0.1));
    CHECK((2.0f - a).value()[3] == -2);
    CHECK((a - 2.0f).value()[3] == 2);
    CHECK((12.0f / a).value()[2] == Approx(4));
    CHECK((a / 2.0f).value()[2] == 1.5f);
    CHECK((3.0f * a + 1.0f).value()[1] == 7);
    CHECK((-a).value()[0] == -1);
    Var wrong = tape.input(Tensor(Shape{3, 2}));
    CHECK_THROWS_WITH_AS(a + wrong,
                         doctest::Contains("add: shapes differ: a is (2, 2), b is (3, 2)"),
                         hg::Error);
    CHECK_THROWS_AS(mul(a, tape.input(Tensor(Shape{1, 3}))), hg::Error);
    CHECK_THROWS_AS(a / 0.0f, hg::Error);
  }

  TEST_CASE("unary maps, by hand, including the stable forms at ±100") {
    Tape tape;
    Var x = tape.input(Tensor(Shape{1, 4}, {-100, -1, 0.5f, 100}));
    Tensor s = sigmoid(x).value();
    CHECK(s[0] == Approx(std::exp(-100.0)).epsilon(1e-4));  // not 0/NaN
    CHECK(s[1] == Approx(1 / (1 + std::exp(1.0))));
    CHECK(s[3] == 1.0f);
    Tensor sp = softplus(x).value();
    CHECK(sp[0] == Approx(std::exp(-100.0)).epsilon(1e-4));
    CHECK(sp[2] == Approx(std::log1p(std::exp(0.5))));
    CHECK(sp[3] == 100.0f);  // not inf
    CHECK(relu(x).value()[1] == 0);
    CHECK(relu(x).value()[2] == 0.5f);
    CHECK(leaky_relu(x, 0.1f).value()[1] == Approx(-0.1));
    CHECK(tanh(x).value()[2] == Approx(std::tanh(0.5)));
    CHECK(abs(x).value()[0] == 100);
    Var p = tape.input(Tensor(Shape{1, 2}, {4, 0.25f}));
    CHECK(sqrt(p).value()[0] == 2);
    CHECK(log(p).value()[0] == Approx(std::log(4.0)));
    CHECK(exp(p).value()[1] == Approx(std::exp(0.25)));
    CHECK(square(p).value()[0] == 16);
    CHECK(pow(p, 1.5f).value()[0] == Approx(8));
  }

  TEST_CASE("reductions: all, over rows, over columns") {
    Tape tape;
    Var x = tape.input(Tensor(Shape{2, 3}, {1, 2, 3, 4, 5, 6}));
    CHECK(sum(x).item() == 21);
    CHECK(mean(x).item() == 3.5f);
    Var sr = sum_rows(x);
    REQUIRE(sr.shape() == Shape{1, 3});
    CHECK(sr.value()[0] == 5);
    CHECK(sr.value()[2] == 9);
    CHECK(mean_rows(x).value()[1] == 3.5f);
    Var sc = sum_cols(x);
    REQUIRE(sc.shape() == Shape{2, 1});
    CHECK(sc.value()[0] == 6);
    CHECK(sc.value()[1] == 15);
    CHECK(mean_cols(x).value()[1] == 5);
  }

  TEST_CASE("reshape, concat_cols, slice_cols move numbers exactly") {
    Tape tape;
    Var a = tape.input(Tensor(Shape{2, 2}, {1, 2, 3, 4}));
    Var b = tape.input(Tensor(Shape{2, 1}, {9, 8}));
    Var c = concat_cols(a, b);
    REQUIRE(c.shape() == Shape{2, 3});
    CHECK(c.value().at(0, 2) == 9);
    CHECK(c.value().at(1, 0) == 3);
    Var s = slice_cols(c, 1, 3);
    REQUIRE(s.shape() == Shape{2, 2});
    CHECK(s.value().at(1, 0) == 4);
    CHECK(s.value().at(1, 1) == 8);
    Var r = reshape(c, Shape{3, 2});
    CHECK(r.value().at(2, 1) == 8);
    CHECK_THROWS_WITH_AS(reshape(c, Shape{4, 2}), doctest::Contains("reshape"),
                         hg::Error);
    CHECK_THROWS_AS(slice_cols(c, 2, 4), hg::Error);
    CHECK_THROWS_AS(concat_cols(a, tape.input(Tensor(Shape{3, 1}))), hg::Error);
  }

  TEST_CASE("dropout: seeded, unbiased, gradient through kept entries only") {
    Tape tape;
    Parameter w("w", Tensor(Shape{100, 100}, 1.0f));
    hg::Rng r1(7), r2(7);
    Var y = dropout(tape.param(w), 0.25f, r1);
    Var y2 = dropout(tape.param(w), 0.25f, r2);
    int kept = 0;
    for (std::size_t i = 0; i < y.value().size(); ++i) {
      CHECK(y.value()[i] == y2.value()[i]);  // same seed, same mask
      const float v = y.value()[i];
      CHECK((v == 0.0f || v == Approx(1 / 0.75f)));
      kept += v != 0.0f;
    }
    CHECK(kept > 7200);  // ~7500 expected, σ ≈ 43
    CHECK(kept < 7800);
    CHECK(mean(y).item() == Approx(1.0).epsilon(0.03));
    tape.backward(sum(y));
    for (std::size_t i = 0; i < w.grad.size(); ++i)
      CHECK(w.grad[i] == y.value()[i]);  // d/dw (w·m) = m, and w = 1
    CHECK_THROWS_AS(dropout(tape.param(w), 1.0f, r1), hg::Error);
  }

  TEST_CASE("masking and Gaussian noise") {
    Tape tape;
    hg::Rng rng(3);
    Var x = tape.input(Tensor(Shape{50, 40}, 2.0f));
    Var m = mask_noise(x, 0.5f, rng);
    int zeros = 0;
    for (float v : m.value()) {
      CHECK((v == 0.0f || v == 2.0f));
      zeros += v == 0.0f;
    }
    CHECK(zeros > 850);
    CHECK(zeros < 1150);
    Var g = gaussian_noise(x, 0.1f, rng);
    CHECK(mean(g).item() == Approx(2.0).epsilon(0.01));
    CHECK(gaussian_noise(x, 0.0f, rng).value()[5] == 2.0f);
  }
}
