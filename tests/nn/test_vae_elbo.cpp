// The negative ELBO of a variational autoencoder, assembled from tape ops
// exactly as lesson 06 writes it:
//   h = relu(W₁x + b₁),  μ = W_μ h + b_μ,  log σ² = W_σ h + b_σ
//   z = μ + e^{½ log σ²} ⊙ ε                (reparameterisation, ε fixed)
//   logits = W₄ relu(W₃z + b₃) + b₄
//   L = BCE(logits, x) + KL(N(μ, σ²) ‖ N(0, I))
// checked by hand on one latent unit, then by central differences through
// every weight of a small network (a fixed ε makes L a plain function).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/nn/losses.hpp"
#include "hourglass/rng.hpp"

using doctest::Approx;
using hg::Parameter;
using hg::Shape;
using hg::Tape;
using hg::Tensor;
using hg::Var;
using Vars = std::vector<Var>;

namespace {
// z = μ + σ ⊙ ε with σ = e^{½ log σ²}.
Var reparameterise(Var mu, Var logvar, Var eps) {
  return mu + exp(0.5f * logvar) * eps;
}
double sigmoid(double t) { return 1 / (1 + std::exp(-t)); }
}  // namespace

TEST_SUITE("vae_elbo") {
  TEST_CASE("one latent unit, one pixel, worked by hand") {
    // μ = 0.5, log σ² = log 0.25 (σ = 0.5), ε = 2 → z = 1.5; the decoder is
    // the identity, so the logit is z, and the pixel is x = 1.
    Tape tape;
    Parameter mu("mu", Tensor(Shape{1, 1}, {0.5f}));
    Parameter lv("logvar", Tensor(Shape{1, 1}, {float(std::log(0.25))}));
    Var x = tape.input(Tensor(Shape{1, 1}, {1.0f}));
    Var eps = tape.input(Tensor(Shape{1, 1}, {2.0f}));
    Var m = tape.param(mu), l = tape.param(lv);
    Var loss = bce_with_logits(reparameterise(m, l, eps), x) + gaussian_kl(m, l);
    // BCE(z, 1) = log(1 + e^−z); KL = −½(1 + log σ² − μ² − σ²)
    const double bce = std::log(1 + std::exp(-1.5));
    const double kl = -0.5 * (1 + std::log(0.25) - 0.25 - 0.25);
    CHECK(loss.item() == Approx(bce + kl));
    tape.backward(loss);
    // ∂BCE/∂z = σ(z) − 1; ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε = 0.5
    const double dz = sigmoid(1.5) - 1;
    CHECK(mu.grad[0] == Approx(dz + 0.5));                        // + μ from KL
    CHECK(lv.grad[0] == Approx(dz * 0.5 + 0.5 * (0.25 - 1.0)));  // + ½(σ² − 1)
  }

  TEST_CASE("gradcheck of the whole negative ELBO through a ReLU VAE") {
    const int B = 3, pixels = 10, hidden = 6, latent = 4;
    hg::Rng rng(7);
    Tensor x(Shape{B, pixels});
    rng.fill_uniform(x, 0.0f, 1.0f);  // gray pixels, as in Fashion-MNIST
    Tensor eps(Shape{B, latent});
    rng.fill_normal(eps, 0.0f, 1.0f);
    // W₁ b₁ | W_μ b_μ | W_σ b_σ | W₃ b₃ | W₄ b₄
    std::vector<Tensor> params = {
        Tensor(Shape{hidden, pixels}), Tensor(Shape{1, hidden}),
        Tensor(Shape{latent, hidden}), Tensor(Shape{1, latent}),
        Tensor(Shape{latent, hidden}), Tensor(Shape{1, latent}),
        Tensor(Shape{hidden, latent}), Tensor(Shape{1, hidden}),
        Tensor(Shape{pixels, hidden}), Tensor(Shape{1, pixels})};
    for (Tensor& p : params) rng.fill_uniform(p, -0.8f, 0.8f);

    // The two pre-activations of the ReLUs, to make sure none lies within
    // reach of the kink, where finite differences would be wrong: a step
    // h = 4e-3 on one weight moves a pre-activation by about h·|input|.
    Vars pre;
    auto neg_elbo = [&](const Vars& p) {
      Tape& tape = p[0].tape();
      Var in = tape.input(x);
      Var a1 = linear(in, p[0], p[1]);
      Var h = relu(a1);
      Var mu = linear(h, p[2], p[3]);
      Var logvar = linear(h, p[4], p[5]);
      Var z = reparameterise(mu, logvar, tape.input(eps));
      Var a3 = linear(z, p[6], p[7]);
      Var logits = linear(relu(a3), p[8], p[9]);
      pre = {a1, a3};
      return bce_with_logits(logits, in) + gaussian_kl(mu, logvar);
    };
    {
      Tape tape;
      std::vector<Parameter> ps;
      ps.reserve(params.size());
      Vars v;
      for (Tensor& t : params) ps.emplace_back("p", t);
      for (Parameter& p : ps) v.push_back(tape.param(p));
      Var loss = neg_elbo(v);
      CHECK(std::isfinite(loss.item()));
      CHECK(loss.item() > 0);  // BCE on gray pixels and KL are both > 0
      double closest = 1e9;
      for (Var a : pre)
        for (float t : a.value()) closest = std::min(closest, std::fabs(double(t)));
      REQUIRE(closest > 0.01);
    }
    hg::GradcheckResult r = hg::gradcheck(neg_elbo, params);
    INFO(r.message);
    CHECK(r.ok);
  }

  TEST_CASE("a different ε gives a different loss and gradient") {
    // The loss depends on the noise through z: the reparameterisation is a
    // real input of the graph, not a constant the gradient skips.
    Tape tape;
    Parameter mu("mu", Tensor(Shape{1, 2}, {0.3f, -0.2f}));
    Parameter lv("logvar", Tensor(Shape{1, 2}, {-1.0f, 0.5f}));
    Var x = tape.input(Tensor(Shape{1, 2}, {0.9f, 0.1f}));
    auto run = [&](float e) {
      tape.clear();
      mu.grad.zero();
      lv.grad.zero();
      Var m = tape.param(mu), l = tape.param(lv);
      Var eps = tape.input(Tensor(Shape{1, 2}, {e, -e}));
      Var loss = bce_with_logits(reparameterise(m, l, eps), x) + gaussian_kl(m, l);
      tape.backward(loss);
      return std::vector<double>{loss.item(), lv.grad[0], lv.grad[1]};
    };
    const std::vector<double> a = run(0.0f), b = run(1.5f);
    CHECK(a[0] != Approx(b[0]));
    // With ε = 0, z = μ and log σ² only feels the KL: ½(σ² − 1).
    CHECK(a[1] == Approx(0.5 * (std::exp(-1.0) - 1)));
    CHECK(a[2] == Approx(0.5 * (std::exp(0.5) - 1)));
    CHECK(b[1] != Approx(a[1]));
  }
}
