// The optimizers and the Linear layer together, on problems small enough to
// learn in a fraction of a second: XOR (not linearly separable, so the
// hidden layer must do real work) and a 16-4-16 autoencoder.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>

#include "hourglass/autodiff/autodiff.hpp"
#include "hourglass/nn/linear.hpp"
#include "hourglass/nn/losses.hpp"
#include "hourglass/optim/adam.hpp"
#include "hourglass/optim/sgd.hpp"

using hg::Shape;
using hg::Tensor;

namespace {

struct Setup {
  std::string name;
  std::function<std::unique_ptr<hg::Optimizer>(hg::ParameterList)> make;
  int steps;
};

std::vector<Setup> optimizers() {
  return {
      {"sgd", [](hg::ParameterList p) {
         return std::make_unique<hg::SGD>(p, hg::SGDOptions{.lr = 0.5f});
       }, 2000},
      {"sgd momentum", [](hg::ParameterList p) {
         return std::make_unique<hg::SGD>(p, hg::SGDOptions{.lr = 0.1f, .momentum = 0.9f});
       }, 500},
      {"sgd nesterov", [](hg::ParameterList p) {
         return std::make_unique<hg::SGD>(
             p, hg::SGDOptions{.lr = 0.1f, .momentum = 0.9f, .nesterov = true});
       }, 500},
      {"adam", [](hg::ParameterList p) {
         return std::make_unique<hg::Adam>(p, hg::AdamOptions{.lr = 0.05f});
       }, 500},
      {"adamw", [](hg::ParameterList p) {
         return std::make_unique<hg::Adam>(
             p, hg::AdamOptions{.lr = 0.05f, .weight_decay = 1e-4f, .decoupled = true});
       }, 500},
  };
}

}  // namespace

TEST_SUITE("training") {
  TEST_CASE("a 2-8-1 tanh network learns XOR with every optimizer") {
    const Tensor X(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
    const Tensor T(Shape{4, 1}, {0, 1, 1, 0});
    for (const Setup& s : optimizers()) {
      CAPTURE(s.name);
      hg::Rng rng(7);
      hg::Linear hidden(2, 8, rng, hg::Init::Xavier, "hidden");
      hg::Linear out(8, 1, rng, hg::Init::Xavier, "out");
      auto opt = s.make(hg::params(hidden, out));
      hg::Tape tape;
      float first = 0, last = 0;
      for (int step = 0; step < s.steps; ++step) {
        tape.clear();
        opt->zero_grad();
        hg::Var logits = out(hg::tanh(hidden(tape.input(X))));
        hg::Var loss = hg::bce_with_logits(logits, tape.input(T));
        tape.backward(loss);
        opt->step();
        if (step == 0) first = loss.item();
        last = loss.item();
      }
      // Cross-entropy starts near log 2 ≈ 0.69 (a coin toss) and must end
      // below 0.01, every point on the right side of 1/2.
      CHECK(first > 0.5f);
      CHECK(last < 0.01f);  // measured: 0.0002 (adam) to 0.003 (momentum)
      tape.clear();
      hg::Var logits = out(hg::tanh(hidden(tape.input(X))));
      for (int i = 0; i < 4; ++i) CHECK((logits.value()[i] > 0) == (T[i] > 0.5f));
    }
  }

  TEST_CASE("a 16-4-16 autoencoder squeezes 8 binary patterns through 4 units") {
    hg::Rng rng(21);
    const int N = 8, D = 16;
    Tensor X(Shape{N, D});
    for (float& v : X) v = rng.bernoulli(0.5f) ? 1.0f : 0.0f;
    for (bool use_adam : {false, true}) {
      CAPTURE(use_adam);
      hg::Rng init(3);
      hg::Linear enc(D, 4, init, hg::Init::Xavier, "enc");
      hg::Linear dec(4, D, init, hg::Init::Xavier, "dec");
      std::unique_ptr<hg::Optimizer> opt;
      if (use_adam)
        opt = std::make_unique<hg::Adam>(hg::params(enc, dec), hg::AdamOptions{.lr = 0.02f});
      else
        opt = std::make_unique<hg::SGD>(hg::params(enc, dec),
                                        hg::SGDOptions{.lr = 0.1f, .momentum = 0.9f});
      hg::Tape tape;
      float first = 0, last = 0;
      for (int step = 0; step < 1500; ++step) {
        tape.clear();
        opt->zero_grad();
        hg::Var x = tape.input(X);
        hg::Var z = hg::sigmoid(enc(x));  // the code: 4 numbers in (0, 1)
        hg::Var loss = hg::bce_with_logits(dec(z), x);
        tape.backward(loss);
        opt->step();
        if (step == 0) first = loss.item();
        last = loss.item();
      }
      INFO("loss " << first << " -> " << last);
      CHECK(first > 10.0f);  // ≈ 16 · log 2: every bit a coin toss
      CHECK(last < first / 20.0f);  // measured: about 35x (sgd), 43x (adam)
    }
  }
}
