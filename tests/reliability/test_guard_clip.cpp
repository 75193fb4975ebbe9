// The finiteness guard (check_finite) and gradient clipping (clip_grad_norm):
// known answers computed by hand, and a training loop that meets a NaN
// (and stops with its last checkpoint intact).
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "hourglass/autodiff/guard.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/io/checkpoint.hpp"
#include "hourglass/optim/clip.hpp"

using hg::Tensor;
using hg::Var;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "<no hg::Error>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("guard") {
  TEST_CASE("finite values and gradients pass") {
    hg::Parameter p("p", Tensor({1, 3}, {1.0f, 2.0f, 3.0f}));
    hg::Tape tape;
    Var loss = sum(log(tape.param(p)));
    tape.backward(loss);
    CHECK_NOTHROW(hg::check_finite(tape, loss, 1));
    CHECK_NOTHROW(hg::check_finite(hg::ParameterList{&p}, 1));
  }

  TEST_CASE("a non-finite value names the step, the op, the shape, the element") {
    // log(0) = −inf at element 1; sum turns it into −inf too, but the first
    // bad value in forward order is log's, so log is named.
    hg::Parameter p("p", Tensor({1, 3}, {1.0f, 0.0f, 3.0f}));
    hg::Tape tape;
    Var loss = sum(log(tape.param(p)));
    tape.backward(loss);
    const std::string m = message_of([&] { hg::check_finite(tape, loss, 17); });
    INFO(m);
    CHECK(contains(m, "training step 17"));
    CHECK(contains(m, "op \"log\""));
    CHECK(contains(m, "(1, 3)"));
    CHECK(contains(m, "-inf at element 1"));
  }

  TEST_CASE("a non-finite gradient with finite values names the tensor") {
    // sqrt(0) = 0 is fine, but d sqrt(x)/dx = 1/(2√x) = +inf at 0: the
    // gradient reaching parameter "p" is the first bad one.
    hg::Parameter p("p", Tensor({2, 2}, {4.0f, 1.0f, 0.0f, 9.0f}));
    hg::Tape tape;
    Var loss = sum(sqrt(tape.param(p)));
    tape.backward(loss);
    const std::string m = message_of([&] { hg::check_finite(tape, loss, 5); });
    INFO(m);
    CHECK(contains(m, "training step 5"));
    CHECK(contains(m, "gradient"));
    CHECK(contains(m, "parameter \"p\""));
    CHECK(contains(m, "element 2"));
    const std::string m2 =
        message_of([&] { hg::check_finite(hg::ParameterList{&p}, 6); });
    CHECK(contains(m2, "training step 6: parameter \"p\" gradient"));
  }

  TEST_CASE("NaN in a batch stops training; the last checkpoint stays good") {
    hg::Rng rng(3);
    hg::Linear layer(4, 2, rng, hg::Init::Xavier, "lin");
    hg::Adam adam(layer.params(), {.lr = 0.01f});
    hg::Tape tape;
    Tensor x({3, 4}, 0.25f);
    const std::string path =
        (std::filesystem::temp_directory_path() / "hg-guard-checkpoint.safetensors").string();
    hg::TrainingState saved{.params = layer.params()};
    long step = 0;
    std::string m;
    for (int i = 0; i < 5; ++i) {
      if (i == 3) x[5] = std::numeric_limits<float>::quiet_NaN();
      tape.clear();
      Var loss = mean(square(layer(tape.input(x))));
      adam.zero_grad();
      tape.backward(loss);
      try {
        hg::check_finite(tape, loss, ++step);
      } catch (const hg::Error& e) {
        m = e.what();
        break;
      }
      adam.step();
      saved.epoch = int(step);  // a checkpoint after every good step
      hg::save_training(path, saved);
    }
    INFO(m);
    CHECK(contains(m, "training step 4"));
    CHECK(contains(m, "nan"));
    CHECK(contains(m, "op \"input\""));  // the NaN came in with the data
    for (const hg::Parameter* p : layer.params())
      for (float w : p->value) CHECK(std::isfinite(w));
    hg::Linear restored(4, 2, rng, hg::Init::Xavier, "lin");
    hg::TrainingState loaded{.params = restored.params()};
    REQUIRE(hg::load_training(path, loaded));
    CHECK(loaded.epoch == 3);  // the step before the NaN
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t j = 0; j < restored.params()[i]->value.size(); ++j)
        CHECK(restored.params()[i]->value[j] == layer.params()[i]->value[j]);
    std::filesystem::remove(path);
  }
}

TEST_SUITE("clip") {
  TEST_CASE("clip_grad_norm scales the whole gradient, keeping its direction") {
    // Two parameters whose gradients together are (3, 4): ‖g‖ = 5.
    hg::Parameter a("a", Tensor({1, 1}, {0.0f})), b("b", Tensor({1, 1}, {0.0f}));
    a.grad[0] = 3.0f;
    b.grad[0] = 4.0f;
    hg::ParameterList list{&a, &b};
    CHECK(hg::clip_grad_norm(list, 10.0f) == doctest::Approx(5.0f));
    CHECK(a.grad[0] == 3.0f);  // under the cap: untouched
    CHECK(b.grad[0] == 4.0f);
    CHECK(hg::clip_grad_norm(list, 1.0f) == doctest::Approx(5.0f));
    CHECK(a.grad[0] == doctest::Approx(0.6f));  // (3, 4) / 5
    CHECK(b.grad[0] == doctest::Approx(0.8f));
    CHECK(hg::clip_grad_norm(list, 1.0f) == doctest::Approx(1.0f));
  }

  TEST_CASE("clip_grad_norm refuses a bad cap and a non-finite gradient") {
    hg::Parameter a("a", Tensor({1, 2}, {0.0f, 0.0f}));
    hg::ParameterList list{&a};
    CHECK_THROWS_AS(hg::clip_grad_norm(list, 0.0f), hg::Error);
    CHECK_THROWS_AS(hg::clip_grad_norm(list, -1.0f), hg::Error);
    CHECK_THROWS_AS(hg::clip_grad_norm(list, std::nanf("")), hg::Error);
    a.grad[1] = std::numeric_limits<float>::infinity();
    const std::string m = message_of([&] { hg::clip_grad_norm(list, 1.0f); });
    CHECK(contains(m, "clip_grad_norm"));
    CHECK(contains(m, "inf"));
  }
}
