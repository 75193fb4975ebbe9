// The contractive penalty: a value worked out by hand, gradients by central
// differences (alone, and through a sigmoid encoder so both paths to W are
// checked), and the closed form against a Jacobian built column by column
// from finite differences of a tiny encoder.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/nn/contractive.hpp"

using doctest::Approx;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;
using Vars = std::vector<Var>;

namespace {
Tensor random_tensor(Shape s, float lo, float hi, hg::Rng& rng) {
  Tensor t(s);
  rng.fill_uniform(t, lo, hi);
  return t;
}

// h = σ(W x + b) for one input x (D), in double: the encoder the closed form
// is about, evaluated without the tape.
std::vector<double> encode(const Tensor& W, const Tensor& b,
                           const std::vector<double>& x) {
  const int H = W.rows(), D = W.cols();
  std::vector<double> h(static_cast<std::size_t>(H));
  for (int j = 0; j < H; ++j) {
    double a = b[static_cast<std::size_t>(j)];
    for (int i = 0; i < D; ++i) a += W.at(j, i) * x[static_cast<std::size_t>(i)];
    h[static_cast<std::size_t>(j)] = 1.0 / (1.0 + std::exp(-a));
  }
  return h;
}
}  // namespace

TEST_SUITE("contractive") {
  TEST_CASE("value by hand") {
    // One example, two units: h = (0.5, 0.9), so a = (0.25, 0.09);
    // W rows (1, 2) and (3, 0): s = (5, 9).
    // ‖J‖²_F = 0.25²·5 + 0.09²·9 = 0.3125 + 0.0729 = 0.3854
    Tape tape;
    Var h = tape.input(Tensor(Shape{1, 2}, {0.5f, 0.9f}));
    Var W = tape.input(Tensor(Shape{2, 2}, {1, 2, 3, 0}));
    CHECK(contractive_penalty(h, W).item() == Approx(0.3854).epsilon(1e-5));
    // A batch of two: the mean. The second example h = (0.5, 0.5) gives
    // 0.0625·5 + 0.0625·9 = 0.875.
    Var h2 = tape.input(Tensor(Shape{2, 2}, {0.5f, 0.9f, 0.5f, 0.5f}));
    CHECK(contractive_penalty(h2, W).item() ==
          Approx((0.3854 + 0.875) / 2).epsilon(1e-5));
    // Saturated units (h near 0 or 1) have slope 0: no penalty.
    Var hs = tape.input(Tensor(Shape{1, 2}, {0.0f, 1.0f}));
    CHECK(contractive_penalty(hs, W).item() == Approx(0.0));
    float per[2];
    jacobian_frobenius_sq(Tensor(Shape{2, 2}, {0.5f, 0.9f, 0.5f, 0.5f}),
                          Tensor(Shape{2, 2}, {1, 2, 3, 0}), per);
    CHECK(per[0] == Approx(0.3854).epsilon(1e-5));
    CHECK(per[1] == Approx(0.875).epsilon(1e-5));
  }

  TEST_CASE("gradcheck on h and W directly, odd shapes") {
    hg::Rng rng(5);
    for (auto [B, H, D] : {std::array{1, 1, 1}, std::array{3, 5, 7},
                           std::array{7, 2, 33}}) {
      CAPTURE(B);
      CAPTURE(H);
      CAPTURE(D);
      auto r = hg::gradcheck(
          [](const Vars& v) { return contractive_penalty(v[0], v[1]); },
          {random_tensor(Shape{B, H}, 0.05f, 0.95f, rng),
           random_tensor(Shape{H, D}, -1.0f, 1.0f, rng)});
      CHECK_MESSAGE(r.ok, r.message);
    }
  }

  TEST_CASE("gradcheck through a sigmoid encoder, with a reconstruction") {
    // L = ‖x̂ − x‖² + λ ‖J‖²_F: the training loss of lesson 08 in miniature.
    // W receives the penalty's gradient both directly and through h.
    hg::Rng rng(9);
    const Tensor x = random_tensor(Shape{4, 6}, 0.0f, 1.0f, rng);
    auto loss = [&x](const Vars& v) {
      Var xv = v[0].tape().input(x);
      Var h = sigmoid(linear(xv, v[0], v[1]));
      Var xh = sigmoid(linear(h, v[2], v[3]));
      Var d = xh - xv;
      return sum(d * d) + 0.5f * contractive_penalty(h, v[0]);
    };
    auto r = hg::gradcheck(loss, {random_tensor(Shape{3, 6}, -1, 1, rng),
                                  random_tensor(Shape{1, 3}, -0.5f, 0.5f, rng),
                                  random_tensor(Shape{6, 3}, -1, 1, rng),
                                  random_tensor(Shape{1, 6}, -0.5f, 0.5f, rng)});
    CHECK_MESSAGE(r.ok, r.message);
  }

  TEST_CASE("the closed form is the Frobenius norm of the finite-difference Jacobian") {
    // J_ji ≈ (h_j(x + e·e_i) − h_j(x − e·e_i)) / 2e, column i at a time, in
    // double; Σ J_ji² must match the op's value for that one example.
    hg::Rng rng(13);
    const int H = 4, D = 5;
    const Tensor W = random_tensor(Shape{H, D}, -2, 2, rng);
    const Tensor b = random_tensor(Shape{1, H}, -1, 1, rng);
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<double> x(D);
      for (double& v : x) v = rng.uniform(0.0f, 1.0f);
      const double e = 1e-5;
      double frob2 = 0;
      for (int i = 0; i < D; ++i) {
        std::vector<double> xp = x, xm = x;
        xp[static_cast<std::size_t>(i)] += e;
        xm[static_cast<std::size_t>(i)] -= e;
        const auto hp = encode(W, b, xp), hm = encode(W, b, xm);
        for (int j = 0; j < H; ++j) {
          const double J = (hp[static_cast<std::size_t>(j)] - hm[static_cast<std::size_t>(j)]) / (2 * e);
          frob2 += J * J;
        }
      }
      Tape tape;
      Tensor xt(Shape{1, D});
      for (int i = 0; i < D; ++i) xt[static_cast<std::size_t>(i)] = static_cast<float>(x[static_cast<std::size_t>(i)]);
      Var Wv = tape.input(W);
      Var h = sigmoid(linear(tape.input(xt), Wv, tape.input(b)));
      CHECK(contractive_penalty(h, Wv).item() == Approx(frob2).epsilon(1e-4));
    }
  }

  TEST_CASE("bad shapes are named") {
    Tape tape;
    Var h = tape.input(Tensor(Shape{2, 3}));
    Var W = tape.input(Tensor(Shape{4, 5}));
    CHECK_THROWS_WITH_AS(contractive_penalty(h, W),
                         doctest::Contains("contractive_penalty: h is (2, 3), W is (4, 5)"),
                         hg::Error);
    Tape other;
    Var W2 = other.input(Tensor(Shape{3, 5}));
    CHECK_THROWS_AS(contractive_penalty(h, W2), hg::Error);
  }
}
