// Exercise 02's checker: the learner's kl_sparsity_backward as the backward
// of a KL op on the tape, compared with the library's kl_sparsity and with
// central differences (gradcheck).
#include <cmath>
#include <vector>

#include "../exercise.hpp"
#include "hourglass/hourglass.hpp"

// Written in exercise.cpp (or solution.cpp).
void kl_sparsity_backward(const float* h, int B, int units, float rho, float dloss,
                          float* dh);

namespace {

constexpr float kRho = 0.1f;

// The op, wired as the library wires its own: push a one-number node,
// compute KL into it, set the backward step right under it. ρ is the
// constant kRho.
hg::Var my_kl_sparsity(hg::Var h) {
  hg::Tape& tape = h.tape();
  hg::Node& y = tape.push("my_kl_sparsity", hg::Shape{1, 1}, {h});
  const double rho = kRho;
  const hg::Tensor& v = tape.node(h.index()).val();
  const int B = v.rows(), units = v.cols();
  double kl = 0;
  for (int j = 0; j < units; ++j) {
    double r = 0;
    for (int i = 0; i < B; ++i) r += v.at(i, j);
    r /= B;
    kl += rho * std::log(rho / r) + (1 - rho) * std::log((1 - rho) / (1 - r));
  }
  y.value[0] = static_cast<float>(kl);
  y.backward = [](hg::Tape& tape, hg::Node& y) {
    const hg::Tensor& h = tape.node(y.in[0]).val();
    if (float* dh = tape.grad_of(y, 0))
      kl_sparsity_backward(h.data(), h.rows(), h.cols(), kRho, y.grad()[0], dh);
  };
  return tape.last();
}

hg::Tensor uniform(hg::Shape shape, float lo, float hi, hg::Rng& rng) {
  hg::Tensor t(shape);
  for (float& v : t) v = rng.uniform(lo, hi);
  return t;
}

// loss = 3·KL(σ(z)) + Σ σ(z)·c: dloss/dKL = 3, and h = σ(z) feeds two
// nodes, so dh has two shares.
hg::Tensor gradient(hg::Var (*kl)(hg::Var), const hg::Tensor& z0, const hg::Tensor& c0) {
  hg::Parameter pz("z", z0);
  hg::Tape tape;
  hg::Var h = hg::sigmoid(tape.param(pz));
  hg::Var penalty = 3.0f * kl(h);
  hg::Var straight = hg::sum(h * tape.input(c0));  // recorded after the KL: reached first
  hg::Var loss = penalty + straight;
  tape.backward(loss);
  return pz.grad;
}

hg::Var library_kl_sparsity(hg::Var h) { return hg::kl_sparsity(h, kRho); }

}  // namespace

int main() {
  return exercise::run(
      "02_sparsity_backward", "the backward of the KL sparsity penalty",
      [](exercise::Checker& check) {
        hg::Rng rng(11);
        // Activations σ(z) between 0.1 and 0.9: far from the library's clamp.
        const hg::Tensor z = uniform({6, 5}, -2.0f, 2.0f, rng), c = uniform({6, 5}, -1, 1, rng);
        const hg::Tensor got = gradient(my_kl_sparsity, z, c),
                         want = gradient(library_kl_sparsity, z, c);
        check.compare("dloss/dz of 3·KL(σ(z)) + Σ σ(z)·c, against the library's kl_sparsity",
                      "dz", got.data(), want.data(), got.size(), 1e-5, 1e-3);
        const hg::GradcheckResult g = hg::gradcheck(
            [](const std::vector<hg::Var>& in) { return my_kl_sparsity(in[0]); },
            {uniform({4, 3}, 0.15f, 0.85f, rng)});
        check.expect(g.ok, "gradcheck: against central differences", g.message);
      });
}
