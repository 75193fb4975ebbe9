// DataParallel: a batch split over threads gives the whole batch's loss and
// gradients; one thread is exactly one tape; weights changed between steps
// reach every block; gradient and value routing; bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "hourglass/parallel/data_parallel.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/error.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace {

using hg::Parameter;
using hg::Tape;
using hg::Tensor;
using hg::Var;

// A small autoencoder 33 → 7 → 33 with a noisy input: the loss is the mean
// over rows (of a mean over columns), as DataParallel requires.
struct Model {
  Parameter W1, b1, W2, b2;
  explicit Model(hg::Rng& rng)
      : W1("W1", Tensor(hg::Shape{7, 33})), b1("b1", Tensor(hg::Shape{7})),
        W2("W2", Tensor(hg::Shape{33, 7})), b2("b2", Tensor(hg::Shape{33})) {
    for (Parameter* p : params()) rng.fill_normal(p->value, 0.0f, 0.3f);
  }
  hg::ParameterList params() { return {&W1, &b1, &W2, &b2}; }
  Var loss(Tape& tape, const Tensor& rows, hg::Rng& rng) {
    Var x = tape.input(rows);
    Var h = sigmoid(linear(hg::gaussian_noise(x, 0.1f, rng), tape.param(W1), tape.param(b1)));
    Var y = linear(h, tape.param(W2), tape.param(b2));
    return mean(square(y - x));
  }
  // The same without noise: a split then changes nothing but rounding.
  Var clean_loss(Tape& tape, const Tensor& rows) {
    Var x = tape.input(rows);
    Var h = sigmoid(linear(x, tape.param(W1), tape.param(b1)));
    return mean(square(linear(h, tape.param(W2), tape.param(b2)) - x));
  }
  void zero_grad() {
    for (Parameter* p : params()) p->grad.zero();
  }
};

Tensor random_batch(int rows, hg::Rng& rng) {
  Tensor x(hg::Shape{rows, 33});
  rng.fill_uniform(x, 0.0f, 1.0f);
  return x;
}

double worst_diff(const Tensor& a, const Tensor& b) {
  double w = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, double(std::fabs(a[i] - b[i])));
  return w;
}

}  // namespace

TEST_SUITE("data_parallel") {
  TEST_CASE("one thread is exactly one tape, random numbers included") {
    hg::Rng init(3), data_rng(4);
    Model m(init);
    const Tensor batch = random_batch(37, data_rng);
    hg::kernels::set_num_threads(1);

    hg::Rng rng_a(5);
    Tape tape;
    m.zero_grad();
    Var l = m.loss(tape, batch, rng_a);
    tape.backward(l);
    const float loss_a = l.item();
    std::vector<Tensor> grads_a;
    for (Parameter* p : m.params()) grads_a.push_back(p->grad);

    hg::Rng rng_b(5);
    hg::DataParallel dp(m.params());
    m.zero_grad();
    const float loss_b = dp.backward(batch, rng_b, [&](Tape& t, const Tensor& x, hg::Rng& r) {
      return m.loss(t, x, r);
    });
    CHECK(dp.blocks_used() == 1);
    CHECK(loss_b == loss_a);
    for (std::size_t i = 0; i < grads_a.size(); ++i)
      CHECK(worst_diff(m.params()[i]->grad, grads_a[i]) == 0.0);
  }

  TEST_CASE("split over 2 and 3 threads: the whole batch's loss and gradient") {
    hg::Rng init(7), data_rng(8);
    Model m(init);
    auto clean = [&](Tape& t, const Tensor& rows, hg::Rng&) { return m.clean_loss(t, rows); };
    for (int rows : {1, 2, 37, 128}) {
      const Tensor batch = random_batch(rows, data_rng);
      hg::kernels::set_num_threads(1);
      hg::Rng r(1);
      Tape tape;
      m.zero_grad();
      Var l = clean(tape, batch, r);
      tape.backward(l);
      std::vector<Tensor> want;
      for (Parameter* p : m.params()) want.push_back(p->grad);

      for (int threads : {2, 3}) {
        CAPTURE(rows);
        CAPTURE(threads);
        hg::kernels::set_num_threads(threads);
        hg::DataParallel dp(m.params());
        for (int step = 0; step < 2; ++step) {  // the second reuses the blocks
          m.zero_grad();
          const float loss = dp.backward(batch, r, clean);
          CHECK(dp.blocks_used() == std::min(rows, threads));
          CHECK(loss == doctest::Approx(l.item()).epsilon(1e-5));
          for (std::size_t i = 0; i < want.size(); ++i)
            CHECK(worst_diff(m.params()[i]->grad, want[i]) < 1e-6);
        }
      }
    }
    hg::kernels::set_num_threads(1);
  }

  TEST_CASE("every block reads the weights as they are when the step starts") {
    // On several threads the blocks read copies of the weights: changing
    // the Parameters between steps (as an optimizer or a loaded checkpoint
    // does) must reach every block at the next step.
    hg::Rng init(16), data_rng(17), r(18);
    Model m(init);
    auto clean = [&](Tape& t, const Tensor& rows, hg::Rng&) { return m.clean_loss(t, rows); };
    const Tensor batch = random_batch(41, data_rng);
    hg::DataParallel dp(m.params());  // one, as the thread count changes
    for (int threads : {2, 3, 1, 2}) {
      CAPTURE(threads);
      for (int step = 0; step < 4; ++step) {
        CAPTURE(step);
        // With and without copies, in turn, so that each way follows the
        // other (the Auto default does that too, timing both).
        dp.set_weight_copies(step % 2 ? hg::WeightCopies::Never : hg::WeightCopies::Always);
        for (Parameter* p : m.params()) init.fill_normal(p->value, 0.0f, 0.3f);
        hg::kernels::set_num_threads(1);
        Tape tape;
        m.zero_grad();
        const Var l = clean(tape, batch, r);
        tape.backward(l);
        std::vector<Tensor> want;
        for (Parameter* p : m.params()) want.push_back(p->grad);

        hg::kernels::set_num_threads(threads);
        m.zero_grad();
        CHECK(dp.backward(batch, r, clean) == doctest::Approx(l.item()).epsilon(1e-5));
        CHECK(dp.used_copies() == (threads > 1 && step % 2 == 0));
        for (std::size_t i = 0; i < want.size(); ++i)
          CHECK(worst_diff(m.params()[i]->grad, want[i]) < 1e-6);
      }
    }
    hg::kernels::set_num_threads(1);
  }

  TEST_CASE("Auto keeps whichever way made the faster steps in its trials") {
    using hg::detail::FasterOfTwo;
    for (int faster : {0, 1}) {
      CAPTURE(faster);
      FasterOfTwo chooser;
      std::optional<double> last;  // nothing known before the first step
      int way = 0;
      for (int step = 0; step < 2 * FasterOfTwo::kRound; ++step) {
        way = chooser.begin_step(last);
        const int pos = step % FasterOfTwo::kRound;
        if (pos < FasterOfTwo::kTrial) CHECK(way == 0);
        else if (pos < 2 * FasterOfTwo::kTrial) CHECK(way == 1);
        else CHECK(way == faster);
        // The faster way's steps take 1 s, the other's 2 s; the first step
        // after each switch is slow whichever way it is (left out).
        const bool first = pos == 0 || pos == FasterOfTwo::kTrial;
        last = first ? 10.0 : way == faster ? 1.0 : 2.0;
      }
    }
  }

  TEST_CASE("gradients accumulate into Parameter::grad, like a tape's") {
    hg::Rng init(9), data_rng(10), r(11);
    Model m(init);
    const Tensor batch = random_batch(20, data_rng);
    hg::kernels::set_num_threads(2);
    hg::DataParallel dp(m.params());
    auto fn = [&](Tape& t, const Tensor& x, hg::Rng& rr) { return m.loss(t, x, rr); };
    m.zero_grad();
    dp.backward(batch, r, fn);
    const Tensor once = m.W1.grad;
    dp.backward(batch, r, fn);  // no zero_grad: adds a second gradient
    double off = 0.0;
    for (std::size_t i = 0; i < once.size(); ++i)
      off = std::max(off, double(std::fabs(m.W1.grad[i] - 2.0f * once[i])));
    CHECK(off < 0.05 * std::sqrt(double(once.size())));  // noise differs per step
    CHECK(worst_diff(m.W1.grad, once) > 0.0);
    hg::kernels::set_num_threads(1);
  }

  TEST_CASE("bad input is refused, naming what was wrong") {
    hg::Rng init(12), r(13);
    Model m(init);
    hg::kernels::set_num_threads(2);
    hg::DataParallel dp(m.params());
    const Tensor empty(hg::Shape{0, 33});
    CHECK_THROWS_WITH_AS(
        dp.backward(empty, r, [&](Tape& t, const Tensor& x, hg::Rng& rr) { return m.loss(t, x, rr); }),
        doctest::Contains("expected at least one row"), hg::Error);
    const Tensor batch = random_batch(8, r);
    Tape other;
    Var stray = other.input(batch);
    CHECK_THROWS_WITH_AS(dp.backward(batch, r, [&](Tape&, const Tensor&, hg::Rng&) { return stray; }),
                         doctest::Contains("recorded on the tape it was given"), hg::Error);
    // A loss of many numbers: the tape's own check, raised from a worker.
    CHECK_THROWS_WITH_AS(dp.backward(batch, r, [&](Tape& t, const Tensor& x, hg::Rng&) {
                           return square(linear(t.input(x), t.param(m.W1), t.param(m.b1)));
                         }),
                         doctest::Contains("exactly one number"), hg::Error);
    hg::kernels::set_num_threads(1);
  }

  TEST_CASE("a step that fails in one block leaves no partial gradient behind") {
    hg::Rng init(14), r(15);
    Model m(init);
    auto clean = [&](Tape& t, const Tensor& rows, hg::Rng&) { return m.clean_loss(t, rows); };
    const Tensor batch = random_batch(7, r);  // blocks of 3 and 4 rows
    hg::kernels::set_num_threads(1);
    Tape tape;
    m.zero_grad();
    tape.backward(clean(tape, batch, r));
    const Tensor want = m.W1.grad;

    hg::kernels::set_num_threads(2);
    hg::DataParallel dp(m.params());
    m.zero_grad();
    // Block 1 (4 rows) finishes its backward; block 0 (3 rows) throws.
    CHECK_THROWS_AS(dp.backward(batch, r,
                                [&](Tape& t, const Tensor& x, hg::Rng& rr) {
                                  if (x.rows() == 3) throw hg::Error("block 0 fails");
                                  return clean(t, x, rr);
                                }),
                    hg::Error);
    m.zero_grad();  // what a training loop does after catching
    dp.backward(batch, r, clean);
    CHECK(worst_diff(m.W1.grad, want) < 1e-6);
    hg::kernels::set_num_threads(1);
  }
}
