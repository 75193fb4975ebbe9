// Losses and penalties: values worked out by hand, gradients by central
// differences (alone and at the end of a two-layer network), and the
// extremes: logits of ±100 and probabilities of exactly 0 and 1.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "hourglass/nn/losses.hpp"

using doctest::Approx;
using hg::Parameter;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;
using Vars = std::vector<Var>;

namespace {
bool all_finite(const Tensor& t) {
  for (float v : t)
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

TEST_SUITE("losses") {
  TEST_CASE("mse and mae: per-example sum, batch mean") {
    Tape tape;
    Parameter p("p", Tensor(Shape{2, 2}, {1, 2, 3, 4}));
    Var t = tape.input(Tensor(Shape{2, 2}, {0, 2, 1, 1}));
    // differences 1, 0, 2, 3: squares sum to 14, over B = 2 examples
    Var l = mse(tape.param(p), t);
    CHECK(l.item() == Approx(7));
    tape.backward(l);  // (2/B)(p − t) = p − t
    CHECK(p.grad[0] == Approx(1));
    CHECK(p.grad[1] == Approx(0));
    CHECK(p.grad[3] == Approx(3));
    p.grad.zero();
    Var a = mae(tape.param(p), t);
    CHECK(a.item() == Approx(3));  // (1 + 0 + 2 + 3) / 2
    tape.backward(a);              // sign(p − t) / B
    CHECK(p.grad[0] == Approx(0.5));
    CHECK(p.grad[1] == Approx(0));
    CHECK(p.grad[2] == Approx(0.5));
    CHECK_THROWS_WITH_AS(mse(tape.param(p), tape.input(Tensor(Shape{2, 3}))),
                         doctest::Contains("mse: prediction is (2, 2), target is (2, 3)"),
                         hg::Error);
  }

  TEST_CASE("bce on probabilities, including exactly 0 and 1") {
    Tape tape;
    Parameter p("p", Tensor(Shape{1, 2}, {0.5f, 0.8f}));
    Var l = bce(tape.param(p), tape.input(Tensor(Shape{1, 2}, {1, 0})));
    CHECK(l.item() == Approx(-std::log(0.5) - std::log(0.2)));
    tape.backward(l);  // (p − t) / (p(1 − p))
    CHECK(p.grad[0] == Approx(-2));
    CHECK(p.grad[1] == Approx(5));

    Parameter q("q", Tensor(Shape{1, 2}, {0, 1}));
    p.grad.zero();
    Var right = bce(tape.param(q), tape.input(Tensor(Shape{1, 2}, {0, 1})));
    CHECK(right.item() == Approx(0).epsilon(1e-5));
    CHECK(right.item() >= 0);
    Var wrong = bce(tape.param(q), tape.input(Tensor(Shape{1, 2}, {1, 0})));
    CHECK(std::isfinite(wrong.item()));
    // −log(ε) − log(1 − (1 − ε)), with 1 − ε rounded to float
    CHECK(wrong.item() == Approx(-std::log(1e-7f) - std::log1p(-(1.0f - 1e-7f))).epsilon(1e-4));
    tape.backward(wrong);
    CHECK(all_finite(q.grad));
    CHECK(q.grad[0] < 0);  // pushes p = 0 up toward its target 1
    CHECK(q.grad[1] > 0);
  }

  TEST_CASE("bce_with_logits: by hand, equal to bce(σ(z)), exact at ±100") {
    Tape tape;
    Parameter z("z", Tensor(Shape{1, 2}, {0, 2}));
    Var t = tape.input(Tensor(Shape{1, 2}, {1, 0}));
    Var l = bce_with_logits(tape.param(z), t);
    CHECK(l.item() == Approx(std::log(2.0) + std::log1p(std::exp(2.0))));
    CHECK(l.item() == Approx(bce(sigmoid(tape.param(z)), t).item()).epsilon(1e-5));
    tape.backward(l);  // σ(z) − t
    CHECK(z.grad[0] == Approx(-0.5));
    CHECK(z.grad[1] == Approx(1 / (1 + std::exp(-2.0))));

    Parameter big("big", Tensor(Shape{1, 2}, {100, -100}));
    Var good = bce_with_logits(tape.param(big), tape.input(Tensor(Shape{1, 2}, {1, 0})));
    CHECK(good.item() == Approx(0).epsilon(1e-6));
    Var bad = bce_with_logits(tape.param(big), tape.input(Tensor(Shape{1, 2}, {0, 1})));
    CHECK(bad.item() == Approx(200));
    tape.backward(bad);
    CHECK(big.grad[0] == Approx(1));
    CHECK(big.grad[1] == Approx(-1));
  }

  TEST_CASE("kl_sparsity: ρ̂ is the batch mean per unit") {
    Tape tape;
    // ρ̂ = (0.2, 0.4) with ρ = 0.2: unit 0 costs nothing,
    // unit 1 costs 0.2 log(0.2/0.4) + 0.8 log(0.8/0.6).
    Parameter h("h", Tensor(Shape{2, 2}, {0.1f, 0.3f, 0.3f, 0.5f}));
    Var l = kl_sparsity(tape.param(h), 0.2f);
    CHECK(l.item() == Approx(0.2 * std::log(0.5) + 0.8 * std::log(0.8 / 0.6)));
    tape.backward(l);  // (−ρ/ρ̂ + (1 − ρ)/(1 − ρ̂)) / B
    CHECK(h.grad[0] == Approx(0).epsilon(1e-6));
    CHECK(h.grad[1] == Approx((-0.5 + 0.8 / 0.6) / 2));
    CHECK(h.grad[3] == Approx((-0.5 + 0.8 / 0.6) / 2));
    CHECK_THROWS_AS(kl_sparsity(tape.param(h), 1.0f), hg::Error);
    Parameter dead("dead", Tensor(Shape{3, 2}, {0, 1, 0, 1, 0, 1}));
    Var edge = kl_sparsity(tape.param(dead), 0.05f);  // ρ̂ exactly 0 and 1
    CHECK(std::isfinite(edge.item()));
    tape.backward(edge);
    CHECK(all_finite(dead.grad));
  }

  TEST_CASE("gaussian_kl: zero at the prior, summed over dims, mean over batch") {
    Tape tape;
    Parameter mu("mu", Tensor(Shape{2, 2}, {0, 1, 0, 1}));
    Parameter lv("lv", Tensor(Shape{2, 2}, {0, std::log(2.0f), 0, std::log(2.0f)}));
    // dim 0: μ = 0, σ² = 1 → 0;  dim 1: −½(1 + ln 2 − 1 − 2) = 1 − ½ ln 2
    Var l = gaussian_kl(tape.param(mu), tape.param(lv));
    CHECK(l.item() == Approx(1 - 0.5 * std::log(2.0)));
    tape.backward(l);  // ∂/∂μ = μ/B, ∂/∂logvar = ½(σ² − 1)/B
    CHECK(mu.grad[1] == Approx(0.5));
    CHECK(lv.grad[0] == Approx(0));
    CHECK(lv.grad[1] == Approx(0.25));
    CHECK_THROWS_AS(gaussian_kl(tape.param(mu), tape.input(Tensor(Shape{2, 3}))),
                    hg::Error);
  }

  TEST_CASE("l1 and l2 penalties") {
    Tape tape;
    Parameter W("W", Tensor(Shape{2, 2}, {1, -2, 0, 3}));
    Var l1 = l1_penalty(tape.param(W));
    CHECK(l1.item() == 6);
    tape.backward(l1);
    CHECK(W.grad[1] == -1);
    CHECK(W.grad[2] == 0);
    W.grad.zero();
    Var l2 = l2_penalty(tape.param(W));
    CHECK(l2.item() == 7);  // ½ (1 + 4 + 0 + 9)
    tape.backward(0.1f * l2);
    CHECK(W.grad[3] == Approx(0.3));  // λ·W: weight decay
  }

  TEST_CASE(
      "mse, bce_with_logits on a batch: right, same bits on 1-3 threads") {
    // 128 × 784 is seven chunks of the loss's sum, split over the threads.
    hg::Rng rng(5);
    Tensor out(Shape{128, 784}), target(Shape{128, 784});
    rng.fill_uniform(out, -3.0f, 3.0f);
    rng.fill_uniform(target, 0.0f, 1.0f);
    // The sums in double, term by term: what the chunked sums must give.
    double want_mse = 0.0, want_bce = 0.0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double z = out[i], t = target[i];
      want_mse += (z - t) * (z - t);
      want_bce +=
          std::max(z, 0.0) - t * z + std::log1p(std::exp(-std::fabs(z)));
    }
    want_mse /= 128.0;
    want_bce /= 128.0;
    struct Run {
      float mse = 0.0f, bce = 0.0f;
      Tensor d_mse, d_bce;  // the gradients with respect to out
    };
    const auto run = [&](int threads) {
      hg::kernels::set_num_threads(threads);
      Run r;
      Parameter p("out", out);
      {
        Tape tape;
        Var loss = mse(tape.param(p), tape.input(target));
        tape.backward(loss);
        r.mse = loss.item();
        r.d_mse = p.grad;
      }
      p.grad.zero();
      {
        Tape tape;
        Var loss = bce_with_logits(tape.param(p), tape.input(target));
        tape.backward(loss);
        r.bce = loss.item();
        r.d_bce = p.grad;
      }
      hg::kernels::set_num_threads(1);
      return r;
    };
    const Run one = run(1);
    CHECK(one.mse == Approx(want_mse).epsilon(1e-6));
    CHECK(one.bce == Approx(want_bce).epsilon(1e-6));
    CHECK(one.d_mse[7] == Approx(2.0 * (out[7] - target[7]) / 128.0));
    for (int threads : {2, 3}) {
      INFO("threads = ", threads);
      const Run r = run(threads);
      CHECK(std::memcmp(&r.mse, &one.mse, sizeof(float)) == 0);
      CHECK(std::memcmp(&r.bce, &one.bce, sizeof(float)) == 0);
      CHECK(std::memcmp(r.d_mse.data(), one.d_mse.data(),
                        one.d_mse.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(r.d_bce.data(), one.d_bce.data(),
                        one.d_bce.size() * sizeof(float)) == 0);
    }
  }

  TEST_CASE("every loss passes gradcheck, alone and after a two-layer network") {
    hg::Rng rng(99);
    Tensor x(Shape{4, 6});
    rng.fill_uniform(x, 0.05f, 0.95f);
    using Loss = std::function<Var(Var out, Var in)>;
    struct Case {
      const char* name;
      Loss loss;
    };
    const std::vector<Case> cases = {
        {"mse", [](Var o, Var in) { return mse(sigmoid(o), in); }},
        {"mae", [](Var o, Var in) { return mae(sigmoid(o), in); }},
        {"bce", [](Var o, Var in) { return bce(sigmoid(o), in); }},
        {"bce_with_logits", [](Var o, Var in) { return bce_with_logits(o, in); }},
        {"kl_sparsity", [](Var o, Var) { return kl_sparsity(sigmoid(o), 0.1f); }},
        {"gaussian_kl",
         [](Var o, Var) { return gaussian_kl(slice_cols(o, 0, 3), slice_cols(o, 3, 6)); }},
        {"l1_penalty", [](Var o, Var) { return l1_penalty(o); }},
        {"l2_penalty", [](Var o, Var) { return l2_penalty(o); }},
        {"bce + β·kl", [](Var o, Var in) {
           return bce(sigmoid(o), in) + 3.0f * kl_sparsity(sigmoid(o), 0.1f);
         }},
    };
    for (const Case& c : cases) {
      INFO(std::string(c.name));
      // Alone: the loss of a (4, 6) tensor of outputs.
      Tensor out(Shape{4, 6});
      rng.fill_uniform(out, -2.0f, 2.0f);
      const Loss loss = c.loss;
      hg::GradcheckResult alone = hg::gradcheck(
          [&](const Vars& v) { return loss(v[0], v[0].tape().input(x)); }, {out});
      INFO(alone.message);
      CHECK(alone.ok);
      // After a network: x → tanh(x W1ᵀ + b1) → (· W2ᵀ + b2) → loss.
      std::vector<Tensor> params = {Tensor(Shape{3, 6}), Tensor(Shape{1, 3}),
                                    Tensor(Shape{6, 3}), Tensor(Shape{6})};
      for (Tensor& p : params) rng.fill_uniform(p, -1.0f, 1.0f);
      hg::GradcheckResult net = hg::gradcheck(
          [&](const Vars& p) {
            Var in = p[0].tape().input(x);
            Var h = tanh(linear(in, p[0], p[1]));
            return loss(linear(h, p[2], p[3]), in);
          },
          params);
      INFO(net.message);
      CHECK(net.ok);
    }
  }
}
