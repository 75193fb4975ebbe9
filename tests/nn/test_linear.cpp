#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "hourglass/autodiff/autodiff.hpp"
#include "hourglass/nn/init.hpp"
#include "hourglass/nn/linear.hpp"

using hg::Shape;
using hg::Tensor;

namespace {

struct Moments {
  double mean = 0, var = 0, max_abs = 0;
};
Moments moments(const Tensor& t) {
  Moments m;
  for (float v : t) m.mean += v;
  m.mean /= double(t.size());
  for (float v : t) {
    m.var += (v - m.mean) * (v - m.mean);
    m.max_abs = std::max(m.max_abs, double(std::abs(v)));
  }
  m.var /= double(t.size());
  return m;
}

}  // namespace

TEST_SUITE("init") {
  // 120 000 draws: the sample mean is within 3σ/√n ≈ 0.01σ, the sample
  // variance within a few % of the formula.
  TEST_CASE("Xavier uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out))") {
    hg::Rng rng(1);
    Tensor W(Shape{300, 400});
    hg::xavier_uniform(W, 400, 300, rng);
    const Moments m = moments(W);
    const double var = 2.0 / (400 + 300);
    CHECK(std::abs(m.mean) < 3 * std::sqrt(var / 120000));
    CHECK(m.var == doctest::Approx(var).epsilon(0.03));
    CHECK(m.max_abs <= std::sqrt(6.0 / 700));
    CHECK(m.max_abs > 0.99 * std::sqrt(6.0 / 700));  // it fills the range
  }

  TEST_CASE("Xavier normal: N(0, 2 / (fan_in + fan_out))") {
    hg::Rng rng(2);
    Tensor W(Shape{300, 400});
    hg::xavier_normal(W, 400, 300, rng);
    const Moments m = moments(W);
    const double var = 2.0 / 700;
    CHECK(std::abs(m.mean) < 3 * std::sqrt(var / 120000));
    CHECK(m.var == doctest::Approx(var).epsilon(0.03));
  }

  TEST_CASE("He normal: N(0, 2 / fan_in)") {
    hg::Rng rng(3);
    Tensor W(Shape{300, 400});
    hg::he_normal(W, 400, rng);
    const Moments m = moments(W);
    const double var = 2.0 / 400;
    CHECK(std::abs(m.mean) < 3 * std::sqrt(var / 120000));
    CHECK(m.var == doctest::Approx(var).epsilon(0.03));
  }

  TEST_CASE("He keeps the second moment of a relu stack steady") {
    // Ten relu layers of width 128: with He the mean square of the
    // activations stays within a factor 2 of the input's; with Xavier
    // (half the variance per layer) it shrinks by about 2 per layer.
    hg::Rng rng(4);
    const int width = 128, batch = 32;
    for (hg::Init init : {hg::Init::He, hg::Init::Xavier}) {
      CAPTURE(hg::init_name(init));
      Tensor h(Shape{batch, width});
      rng.fill_normal(h, 0.0f, 1.0f);
      for (int layer = 0; layer < 10; ++layer) {
        Tensor W(Shape{width, width}), next(Shape{batch, width});
        hg::init_weights(W, init, width, width, rng);
        for (int n = 0; n < batch; ++n)  // next = relu(h·Wᵀ), flat indices
          for (int j = 0; j < width; ++j) {
            float s = 0;
            for (int i = 0; i < width; ++i) s += h[n * width + i] * W[j * width + i];
            next[n * width + j] = std::max(s, 0.0f);
          }
        h = next;
      }
      double ms = 0;
      for (float v : h) ms += double(v) * v;
      ms /= double(h.size());
      if (init == hg::Init::He) {
        CHECK(ms > 0.5 / 2);  // input mean square is 1, relu halves it once
        CHECK(ms < 2.0);
      } else {
        CHECK(ms < 0.01);     // ≈ 2^-10 of where it started
      }
    }
  }

  TEST_CASE("the same seed gives the same weights; bad fans throw") {
    hg::Rng a(9), b(9);
    hg::Linear la(5, 3, a), lb(5, 3, b);
    for (std::size_t i = 0; i < la.W().value.size(); ++i)
      CHECK(la.W().value[i] == lb.W().value[i]);
    Tensor W(Shape{2, 2});
    CHECK_THROWS_AS(hg::xavier_uniform(W, 0, 2, a), hg::Error);
    CHECK_THROWS_AS(hg::he_normal(W, -1, a), hg::Error);
  }
}

TEST_SUITE("linear") {
  TEST_CASE("forward and backward against a hand computation") {
    hg::Rng rng(1);
    hg::Linear layer(3, 2, rng, hg::Init::Xavier, "fc");
    CHECK(layer.W().name == "fc.W");
    CHECK(layer.b().name == "fc.b");
    CHECK(layer.W().value.shape() == Shape{2, 3});
    CHECK(layer.b().value.shape() == Shape{1, 2});
    CHECK(layer.in_features() == 3);
    CHECK(layer.out_features() == 2);
    for (float v : layer.b().value) CHECK(v == 0.0f);  // biases start at 0
    layer.W().value = Tensor(Shape{2, 3}, {1, 2, 3, 4, 5, 6});
    layer.b().value = Tensor(Shape{1, 2}, {0.5f, -1.0f});

    // x is a Parameter only so that the tape computes dx too.
    hg::Parameter px("x", Tensor(Shape{2, 3}, {1, 0, -1, 2, 1, 0}));
    hg::Tape tape;
    hg::Var y = layer(tape.param(px));
    // y = x·Wᵀ + b:
    //   row 0: (1·1 + 0·2 − 1·3 + 0.5, 1·4 + 0·5 − 1·6 − 1) = (−1.5, −3)
    //   row 1: (2·1 + 1·2 + 0·3 + 0.5, 2·4 + 1·5 + 0·6 − 1) = (4.5, 12)
    REQUIRE(y.shape() == Shape{2, 2});
    CHECK(y.value().at(0, 0) == doctest::Approx(-1.5));
    CHECK(y.value().at(0, 1) == doctest::Approx(-3.0));
    CHECK(y.value().at(1, 0) == doctest::Approx(4.5));
    CHECK(y.value().at(1, 1) == doctest::Approx(12.0));

    // L = Σ y, so dy = 1 everywhere:
    //   dW = dyᵀ·x: every row is the column sums of x = (3, 1, −1)
    //   db = Σ_rows dy = (2, 2)
    //   dx = dy·W: every row is the column sums of W = (5, 7, 9)
    tape.backward(hg::sum(y));
    const float dW[6] = {3, 1, -1, 3, 1, -1}, dx[6] = {5, 7, 9, 5, 7, 9};
    for (int i = 0; i < 6; ++i) {
      CHECK(layer.W().grad[i] == doctest::Approx(dW[i]));
      CHECK(px.grad[i] == doctest::Approx(dx[i]));
    }
    CHECK(layer.b().grad[0] == doctest::Approx(2.0));
    CHECK(layer.b().grad[1] == doctest::Approx(2.0));
  }

  TEST_CASE("gradcheck: dx through the layer, dW and db by central differences") {
    hg::Rng rng(5);
    hg::Linear layer(7, 5, rng, hg::Init::XavierNormal);
    rng.fill_normal(layer.b().value, 0.0f, 0.5f);
    Tensor x(Shape{4, 7});
    rng.fill_normal(x, 0.0f, 1.0f);
    // L = Σ tanh(layer(x))²: non-linear, so wrong gradients cannot cancel.
    auto loss = [&](hg::Var in) { return hg::sum(hg::square(hg::tanh(layer(in)))); };

    const hg::GradcheckResult r =
        hg::gradcheck([&](const std::vector<hg::Var>& in) { return loss(in[0]); }, {x});
    CHECK_MESSAGE(r.ok, r.message);

    // The layer's own parameters: tape gradients vs central differences.
    hg::Tape tape;
    layer.W().grad.zero();
    layer.b().grad.zero();
    tape.backward(loss(tape.input(x)));
    for (hg::Parameter* p : layer.params()) {
      for (std::size_t i = 0; i < p->value.size(); ++i) {
        const float w = p->value[i], h = 1e-3f;
        p->value[i] = w + h;
        tape.clear();
        const double up = loss(tape.input(x)).item();
        p->value[i] = w - h;
        tape.clear();
        const double down = loss(tape.input(x)).item();
        p->value[i] = w;
        CAPTURE(p->name);
        CAPTURE(i);
        CHECK(p->grad[i] == doctest::Approx((up - down) / (2 * h)).epsilon(1e-2).scale(1.0));
      }
    }
  }

  TEST_CASE("params() lists W then b; bad shapes throw naming the layer") {
    hg::Rng rng(6);
    hg::Linear enc(784, 32, rng, hg::Init::He, "enc");
    REQUIRE(enc.params().size() == 2);
    CHECK(enc.params()[0] == &enc.W());
    CHECK(enc.params()[1] == &enc.b());
    hg::Tape tape;
    CHECK_THROWS_WITH_AS(enc(tape.input(Tensor(Shape{128, 700}))),
                         doctest::Contains("(128, 700)"), hg::Error);
    CHECK_THROWS_WITH_AS(enc(tape.input(Tensor(Shape{128, 700}))),
                         doctest::Contains("enc"), hg::Error);
    CHECK_THROWS_AS(enc(hg::Var{}), hg::Error);
    CHECK_THROWS_AS(hg::Linear(0, 3, rng), hg::Error);
    CHECK_THROWS_AS(hg::Linear(3, -1, rng), hg::Error);
  }
}
