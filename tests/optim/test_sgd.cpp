#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <utility>

#include "functions.hpp"
#include "hourglass/optim/sgd.hpp"

using hg::Parameter;
using hg::SGD;
using hg::Shape;
using hg::Tensor;

namespace {
Parameter scalar(float w, float g) {
  Parameter p("w", Tensor(Shape{1}, {w}));
  p.grad[0] = g;
  return p;
}
}  // namespace

TEST_SUITE("sgd") {
  TEST_CASE("plain step: w -= lr * g") {
    Parameter p("w", Tensor(Shape{2}, {1.0f, -2.0f}));
    p.grad = Tensor(Shape{2}, {0.5f, 0.25f});
    SGD opt({&p}, {.lr = 0.1f});
    opt.step();
    CHECK(p.value[0] == doctest::Approx(1.0 - 0.1 * 0.5));     // 0.95
    CHECK(p.value[1] == doctest::Approx(-2.0 - 0.1 * 0.25));   // -2.025
    CHECK(p.grad[0] == 0.5f);  // step reads the gradient, never clears it
    opt.zero_grad();
    CHECK(p.grad[0] == 0.0f);
    CHECK(p.grad[1] == 0.0f);
  }

  TEST_CASE("momentum: v = mu v + g, w -= lr v") {
    Parameter p = scalar(1.0f, 0.5f);
    SGD opt({&p}, {.lr = 0.1f, .momentum = 0.9f});
    opt.step();  // v = 0.5, w = 1 - 0.05
    CHECK(p.value[0] == doctest::Approx(0.95));
    opt.step();  // same gradient: v = 0.9*0.5 + 0.5 = 0.95, w = 0.95 - 0.095
    CHECK(p.value[0] == doctest::Approx(0.855));
  }

  TEST_CASE("Nesterov: w -= lr (g + mu v)") {
    Parameter p = scalar(1.0f, 0.5f);
    SGD opt({&p}, {.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
    opt.step();  // v = 0.5, d = 0.5 + 0.45 = 0.95, w = 1 - 0.095
    CHECK(p.value[0] == doctest::Approx(0.905));
    opt.step();  // v = 0.95, d = 0.5 + 0.855 = 1.355, w = 0.905 - 0.1355
    CHECK(p.value[0] == doctest::Approx(0.7695));
  }

  TEST_CASE("weight decay adds lambda w to the gradient") {
    Parameter p = scalar(2.0f, 1.0f);
    SGD opt({&p}, {.lr = 0.1f, .weight_decay = 0.1f});
    opt.step();  // g = 1 + 0.1*2 = 1.2, w = 2 - 0.12
    CHECK(p.value[0] == doctest::Approx(1.88));
    // With no loss gradient at all, decay alone shrinks w by (1 - lr λ).
    p.grad.zero();
    opt.step();
    CHECK(p.value[0] == doctest::Approx(1.88 * (1.0 - 0.1 * 0.1)));
  }

  TEST_CASE("set_lr changes the next step only") {
    Parameter p = scalar(1.0f, 1.0f);
    SGD opt({&p}, {.lr = 0.1f});
    opt.step();
    opt.set_lr(0.01f);
    CHECK(opt.lr() == 0.01f);
    opt.step();
    CHECK(p.value[0] == doctest::Approx(1.0 - 0.1 - 0.01));
  }

  TEST_CASE("minimises a quadratic to 1e-4") {
    for (auto [mu, nesterov] : {std::pair{0.0f, false}, std::pair{0.9f, false},
                                std::pair{0.9f, true}}) {
      CAPTURE(mu);
      CAPTURE(nesterov);
      Parameter w("w", Tensor(Shape{7}, 3.0f));
      // lr < 2 / max curvature (10) keeps plain descent stable
      SGD opt({&w}, {.lr = 0.05f, .momentum = mu, .nesterov = nesterov});
      hg::testing::minimise(opt, w, hg::testing::quadratic_grad, 1000);
      for (int i = 0; i < 7; ++i)
        CHECK(std::abs(w.value[i] - hg::testing::quadratic_c(i)) < 1e-4f);
    }
  }

  TEST_CASE("minimises Rosenbrock to 1e-2 of (1, 1)") {
    for (auto [mu, nesterov] : {std::pair{0.0f, false}, std::pair{0.9f, false},
                                std::pair{0.9f, true}}) {
      CAPTURE(mu);
      CAPTURE(nesterov);
      Parameter w("w", Tensor(Shape{2}, {-1.2f, 1.0f}));
      // Curvature across the valley reaches ~1000: lr must stay below 2e-3.
      SGD opt({&w}, {.lr = 1e-3f, .momentum = mu, .nesterov = nesterov});
      const int steps = mu > 0 ? 5000 : 40000;  // momentum: ~10x fewer
      hg::testing::minimise(opt, w, hg::testing::rosenbrock_grad, steps);
      CHECK(std::abs(w.value[0] - 1.0f) < 1e-2f);
      CHECK(std::abs(w.value[1] - 1.0f) < 1e-2f);
    }
  }

  TEST_CASE("bad options and bad parameter lists throw hg::Error") {
    Parameter p = scalar(1.0f, 1.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(SGD({&p}, {.lr = 0.0f}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = -1.0f}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = nan}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = 0.1f, .momentum = 1.0f}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = 0.1f, .momentum = -0.5f}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = 0.1f, .nesterov = true}), hg::Error);
    CHECK_THROWS_AS(SGD({&p}, {.lr = 0.1f, .weight_decay = -1.0f}), hg::Error);
    CHECK_THROWS_AS(SGD({nullptr}, {.lr = 0.1f}), hg::Error);
    CHECK_THROWS_AS(SGD({&p, &p}, {.lr = 0.1f}), hg::Error);
    SGD opt({&p}, {.lr = 0.1f});
    CHECK_THROWS_WITH_AS(opt.set_lr(0.0f),
                         doctest::Contains("SGD: learning rate"), hg::Error);
    // A parameter that grows after the optimizer was made: a clear error,
    // not a write past the end of the velocity.
    p.value.resize(Shape{5});
    p.grad.resize(Shape{5});
    CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("'w'"), hg::Error);
  }
}

TEST_SUITE("params") {
  struct Toy {
    Parameter W{"toy.W", Tensor(Shape{2, 2})}, b{"toy.b", Tensor(Shape{1, 2})};
    hg::ParameterList params() { return {&W, &b}; }
  };

  TEST_CASE("params() concatenates layers in order and drops duplicates") {
    Toy a, b;
    Parameter extra("extra", Tensor(Shape{3}));
    hg::ParameterList all = hg::params(a, b, extra);
    REQUIRE(all.size() == 5);
    CHECK(all[0] == &a.W);
    CHECK(all[1] == &a.b);
    CHECK(all[2] == &b.W);
    CHECK(all[4] == &extra);
    // Tied weights: the same layer twice still gives each parameter once.
    CHECK(hg::params(a, a, a.params()).size() == 2);
  }
}
