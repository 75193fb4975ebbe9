#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "functions.hpp"
#include "hourglass/optim/adam.hpp"

using hg::Adam;
using hg::Parameter;
using hg::Shape;
using hg::Tensor;

namespace {
Parameter scalar(float w, float g) {
  Parameter p("w", Tensor(Shape{1}, {w}));
  p.grad[0] = g;
  return p;
}
}  // namespace

TEST_SUITE("adam") {
  TEST_CASE("two steps against the formulas, worked in double") {
    Parameter p = scalar(1.0f, 0.5f);
    Adam opt({&p}, {.lr = 0.1f});
    // t = 1: m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025,
    // m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25: the first step is
    // lr * g/|g|, whatever the gradient's size.
    opt.step();
    CHECK(p.value[0] == doctest::Approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8)));
    CHECK(opt.steps_taken() == 1);
    // t = 2 with g = 0.25:
    p.grad[0] = 0.25f;
    opt.step();
    const double m = 0.9 * 0.05 + 0.1 * 0.25;             // 0.07
    const double v = 0.999 * 0.00025 + 0.001 * 0.0625;    // 0.00031225
    const double m_hat = m / (1 - 0.9 * 0.9);             // 0.3684...
    const double v_hat = v / (1 - 0.999 * 0.999);         // 0.1562...
    const double w = 0.9 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8);
    CHECK(w == doctest::Approx(0.806782).epsilon(1e-5));  // as computed by hand
    CHECK(p.value[0] == doctest::Approx(w).epsilon(1e-6));
  }

  TEST_CASE("L2 decay goes through the moments, decoupled decay does not") {
    // A weight with no loss gradient at all, decay 0.1, lr 0.1:
    //   Adam:  g = 0 + 0.1*2 = 0.2, and the first step is lr * sign(g),
    //          so w = 2 - 0.1: the decay got rescaled to a full step.
    //   AdamW: m = v = 0, no Adam step; w = 2 - lr λ w = 2 - 0.02.
    Parameter a = scalar(2.0f, 0.0f), b = scalar(2.0f, 0.0f);
    Adam l2({&a}, {.lr = 0.1f, .weight_decay = 0.1f});
    Adam decoupled({&b}, {.lr = 0.1f, .weight_decay = 0.1f, .decoupled = true});
    l2.step();
    decoupled.step();
    CHECK(a.value[0] == doctest::Approx(1.9));
    CHECK(b.value[0] == doctest::Approx(1.98));
  }

  TEST_CASE("AdamW with a gradient: Adam step plus lr λ w") {
    Parameter p = scalar(2.0f, 1.0f);
    Adam opt({&p}, {.lr = 0.1f, .weight_decay = 0.1f, .decoupled = true});
    opt.step();  // 2 - 0.1 * 1/(1 + 1e-8) - 0.1*0.1*2
    CHECK(p.value[0] == doctest::Approx(2.0 - 0.1 - 0.02));
  }

  TEST_CASE("minimises a quadratic to 1e-3") {
    for (bool decoupled : {false, true}) {
      Parameter w("w", Tensor(Shape{7}, 3.0f));
      Adam opt({&w}, {.lr = 0.05f, .decoupled = decoupled});
      hg::testing::minimise(opt, w, hg::testing::quadratic_grad, 1500);
      opt.set_lr(0.005f);  // a smaller last stretch removes the jitter
      hg::testing::minimise(opt, w, hg::testing::quadratic_grad, 500);
      for (int i = 0; i < 7; ++i)
        CHECK(std::abs(w.value[i] - hg::testing::quadratic_c(i)) < 1e-3f);
    }
  }

  TEST_CASE("minimises Rosenbrock to 1e-2 of (1, 1)") {
    Parameter w("w", Tensor(Shape{2}, {-1.2f, 1.0f}));
    Adam opt({&w}, {.lr = 0.02f});
    hg::testing::minimise(opt, w, hg::testing::rosenbrock_grad, 5000);
    opt.set_lr(0.002f);
    hg::testing::minimise(opt, w, hg::testing::rosenbrock_grad, 2000);
    CHECK(std::abs(w.value[0] - 1.0f) < 1e-2f);
    CHECK(std::abs(w.value[1] - 1.0f) < 1e-2f);
  }

  TEST_CASE("bad options throw hg::Error naming the option") {
    Parameter p = scalar(1.0f, 1.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(Adam({&p}, {.lr = 0.0f}), hg::Error);
    CHECK_THROWS_AS(Adam({&p}, {.lr = -1e-3f}), hg::Error);
    CHECK_THROWS_WITH_AS(Adam({&p}, {.beta1 = 1.0f}),
                         doctest::Contains("beta1"), hg::Error);
    CHECK_THROWS_AS(Adam({&p}, {.beta1 = -0.1f}), hg::Error);
    CHECK_THROWS_WITH_AS(Adam({&p}, {.beta2 = 1.5f}),
                         doctest::Contains("beta2"), hg::Error);
    CHECK_THROWS_AS(Adam({&p}, {.beta2 = nan}), hg::Error);
    CHECK_THROWS_AS(Adam({&p}, {.eps = 0.0f}), hg::Error);
    CHECK_THROWS_AS(Adam({&p}, {.weight_decay = -0.1f}), hg::Error);
    Adam ok({&p}, {.beta1 = 0.0f, .beta2 = 0.0f});  // the edges of [0, 1)
    ok.step();
    CHECK(std::isfinite(p.value[0]));
  }
}
