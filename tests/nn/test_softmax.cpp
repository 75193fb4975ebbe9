// Softmax cross-entropy: values by hand, the gradient p − onehot(y) by hand
// and by central differences (alone and after a layer), huge logits, and
// the errors for bad labels; softmax_rows, argmax_rows and accuracy.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/nn/softmax.hpp"
#include "hourglass/rng.hpp"

using doctest::Approx;
using hg::Parameter;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;
using Labels = std::vector<std::uint8_t>;

TEST_SUITE("softmax") {
  TEST_CASE("softmax_cross_entropy: value and gradient by hand") {
    Tape tape;
    // Row 0: z = (0, ln 2, ln 5) → p = (1, 2, 5)/8, label 2: −log(5/8).
    // Row 1: z = (1, 1, 1) → p = 1/3 each, label 0: log 3.
    const float l2 = std::log(2.0f), l5 = std::log(5.0f);
    Parameter z("z", Tensor(Shape{2, 3}, {0, l2, l5, 1, 1, 1}));
    const Labels y = {2, 0};
    Var loss = softmax_cross_entropy(tape.param(z), y);
    CHECK(loss.item() == Approx((-std::log(5.0 / 8) + std::log(3.0)) / 2));
    tape.backward(loss);  // (p − onehot(y)) / B
    CHECK(z.grad[0] == Approx(1.0 / 8 / 2));
    CHECK(z.grad[1] == Approx(2.0 / 8 / 2));
    CHECK(z.grad[2] == Approx((5.0 / 8 - 1) / 2));
    CHECK(z.grad[3] == Approx((1.0 / 3 - 1) / 2));
    CHECK(z.grad[4] == Approx(1.0 / 3 / 2));
    // Each row's gradient sums to 0: raising every logit changes nothing.
    CHECK(z.grad[0] + z.grad[1] + z.grad[2] == Approx(0).epsilon(1e-6));
  }

  TEST_CASE("softmax_cross_entropy: shifting a row changes nothing") {
    Tape tape;
    const Labels y = {1};
    Var a = softmax_cross_entropy(tape.input(Tensor(Shape{1, 3}, {0.5f, -1, 2})), y);
    Var b = softmax_cross_entropy(tape.input(Tensor(Shape{1, 3}, {100.5f, 99, 102})), y);
    CHECK(a.item() == Approx(b.item()).epsilon(1e-5));
  }

  TEST_CASE("softmax_cross_entropy: logits of ±1000 stay finite and exact") {
    Tape tape;
    Parameter z("z", Tensor(Shape{2, 2}, {1000, -1000, 1000, -1000}));
    const Labels y = {0, 1};
    Var loss = softmax_cross_entropy(tape.param(z), y);
    // Row 0 is right with certainty (0), row 1 wrong by 2000: mean 1000.
    CHECK(loss.item() == Approx(1000));
    tape.backward(loss);
    for (float g : z.grad) CHECK(std::isfinite(g));
    CHECK(z.grad[2] == Approx(0.5));   // (1 − 0) / 2
    CHECK(z.grad[3] == Approx(-0.5));  // (0 − 1) / 2
  }

  TEST_CASE("softmax_cross_entropy passes gradcheck, alone and after a layer") {
    hg::Rng rng(7);
    for (int classes : {1, 2, 7}) {
      INFO("classes = ", classes);
      const int B = 5;
      Labels y(B);
      for (auto& v : y) v = static_cast<std::uint8_t>(rng.below(classes));
      Tensor z(Shape{B, classes});
      rng.fill_uniform(z, -3, 3);
      hg::GradcheckResult alone = hg::gradcheck(
          [&](const std::vector<Var>& v) { return softmax_cross_entropy(v[0], y); },
          {z});
      INFO(alone.message);
      CHECK(alone.ok);
      // Features (B, 4) → logits through W (classes, 4), b (classes).
      Tensor x(Shape{B, 4}), W(Shape{classes, 4}), b(Shape{classes});
      rng.fill_uniform(x, -1, 1);
      rng.fill_uniform(W, -1, 1);
      rng.fill_uniform(b, -1, 1);
      hg::GradcheckResult net = hg::gradcheck(
          [&](const std::vector<Var>& v) {
            return softmax_cross_entropy(linear(v[0], v[1], v[2]), y);
          },
          {x, W, b});
      INFO(net.message);
      CHECK(net.ok);
    }
  }

  TEST_CASE("softmax_cross_entropy: bad labels and shapes are named") {
    Tape tape;
    Var z = tape.input(Tensor(Shape{2, 3}));
    const Labels three = {0, 1, 2};
    CHECK_THROWS_WITH_AS(softmax_cross_entropy(z, three),
                         doctest::Contains("logits are (2, 3) but there are 3 labels"),
                         hg::Error);
    const Labels big = {0, 3};
    CHECK_THROWS_WITH_AS(softmax_cross_entropy(z, big),
                         doctest::Contains("label 3 of row 1"), hg::Error);
    Var flat = tape.input(Tensor(Shape{6}));
    const Labels six(6, 0);
    CHECK_THROWS_WITH_AS(softmax_cross_entropy(flat, six),
                         doctest::Contains("expected (batch, classes)"), hg::Error);
  }

  TEST_CASE("softmax_rows, argmax_rows, accuracy") {
    const Tensor z(Shape{3, 3}, {0, std::log(2.0f), std::log(5.0f),  //
                                 7, 7, 1,                            //
                                 -1, 3, 2});
    const Tensor p = softmax_rows(z);
    CHECK(p[0] == Approx(1.0 / 8));
    CHECK(p[2] == Approx(5.0 / 8));
    CHECK(p[3] + p[4] + p[5] == Approx(1));
    CHECK(hg::argmax_rows(z) == std::vector<int>{2, 0, 1});  // first of a tie
    const Labels y = {2, 1, 1};
    CHECK(hg::accuracy(z, y) == Approx(2.0 / 3));
    const Labels short_labels = {2};
    CHECK_THROWS_AS(hg::accuracy(z, short_labels), hg::Error);
  }
}
