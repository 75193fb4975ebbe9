// ShardGroup and its collectives: sum_over_shards, copy_to_shards and
// gather_cols give the values and gradients their definitions say, with the
// same bits on every shard, on 2 and 3 threads; shards that disagree, or
// fail, end in an hg::Error from run(), not a hang; the group works again
// afterwards.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "hourglass/autodiff/ops.hpp"
#include "hourglass/parallel/shards.hpp"
#include "hourglass/error.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace {

using hg::Parameter;
using hg::Shape;
using hg::Tensor;
using hg::Var;

// The pool at `n` threads for one test, back to 1 afterwards.
struct Threads {
  explicit Threads(int n) { hg::kernels::set_num_threads(n); }
  ~Threads() { hg::kernels::set_num_threads(1); }
};

// A (rows, cols) tensor whose entry (r, c) is f(r, c).
template <class F>
Tensor filled(int rows, int cols, F f) {
  Tensor t(Shape{rows, cols});
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t.at(r, c) = f(r, c);
  return t;
}

// Weights of a weighted sum, so every entry gets its own gradient.
float weight(int r, int c) {
  return 0.25f + 0.5f * float(r) - 0.125f * float(c);
}

std::string run_error(hg::ShardGroup& g, const auto& step) {
  hg::Rng rng(1);
  try {
    g.run(rng, step);
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("input_cols copies columns [begin, end) and checks them") {
  hg::Tape tape;
  Tensor t(Shape{2, 5}, {0, 1, 2, 3, 4, 10, 11, 12, 13, 14});
  Var x = hg::input_cols(tape, t, 1, 4);
  CHECK(x.shape() == Shape{2, 3});
  CHECK(x.value().at(0, 0) == 1);
  CHECK(x.value().at(1, 2) == 13);
  CHECK(hg::input_cols(tape, t, 5, 5).shape() == Shape{2, 0});
  CHECK_THROWS_WITH_AS(hg::input_cols(tape, t, 3, 6),
                       doctest::Contains("columns [3, 6) of (2, 5)"), hg::Error);
  CHECK_THROWS_AS(hg::input_cols(tape, Tensor(Shape{5}), 0, 1), hg::Error);
}

TEST_CASE(
    "sum_over_shards: every shard gets the sum, in the same bits; dy passes "
    "through") {
  for (int count : {2, 3}) {
    CAPTURE(count);
    Threads threads(count);
    hg::ShardGroup group(count);
    std::vector<Parameter> p;
    for (int t = 0; t < count; ++t)
      p.emplace_back("p", filled(3, 5, [t](int r, int c) {
                       return 0.1f * float(t + 1) * float(r - c) + 0.3f;
                     }));
    const Tensor w = filled(3, 5, weight);
    std::vector<Tensor> sums(static_cast<std::size_t>(count));
    hg::Rng rng(1);
    group.run(rng, [&](hg::Shard& s) {
      const auto t = static_cast<std::size_t>(s.rank());
      s.tape.clear();
      Var y = sum_over_shards(s, s.tape.param(p[t]));
      sums[t] = y.value();
      s.tape.backward(sum(y * s.tape.input(w)));
    });
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 5; ++c) {
        float want = 0.0f;
        for (int t = 0; t < count; ++t)
          want += p[std::size_t(t)].value.at(r, c);
        CHECK(sums[0].at(r, c) == doctest::Approx(want));
        for (int t = 0; t < count; ++t) {
          CHECK(sums[std::size_t(t)].at(r, c) ==
                sums[0].at(r, c));  // bit for bit
          CHECK(p[std::size_t(t)].grad.at(r, c) ==
                doctest::Approx(weight(r, c)));
        }
      }
  }
}

TEST_CASE(
    "copy_to_shards: the value unchanged; the gradient is the sum of the "
    "shards' shares") {
  for (int count : {2, 3}) {
    CAPTURE(count);
    Threads threads(count);
    hg::ShardGroup group(count);
    // The same x on every shard (its own Parameter), scaled by (t + 1) on
    // shard t: d/dx Σ_t (t + 1)·Σ w ⊙ x = Σ_t (t + 1) · w.
    const Tensor x =
        filled(4, 3, [](int r, int c) { return float(r) - 0.5f * float(c); });
    std::vector<Parameter> p(static_cast<std::size_t>(count),
                             Parameter("x", x));
    const Tensor w = filled(4, 3, weight);
    std::vector<Tensor> copies(static_cast<std::size_t>(count));
    std::vector<float> losses(static_cast<std::size_t>(count));
    hg::Rng rng(1);
    group.run(rng, [&](hg::Shard& s) {
      const auto t = static_cast<std::size_t>(s.rank());
      s.tape.clear();
      Var y = copy_to_shards(s, s.tape.param(p[t]));
      copies[t] = y.value();
      Var own = sum(y * s.tape.input(w)) * float(t + 1);
      Var loss = sum_over_shards(s, own);
      losses[t] = loss.item();
      s.tape.backward(loss);
    });
    const float factor = float(count * (count + 1) / 2);
    for (int t = 0; t < count; ++t) {
      CHECK(losses[std::size_t(t)] == losses[0]);
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 3; ++c) {
          CHECK(copies[std::size_t(t)].at(r, c) == x.at(r, c));
          CHECK(p[std::size_t(t)].grad.at(r, c) ==
                doctest::Approx(factor * weight(r, c)));
        }
    }
  }
}

TEST_CASE(
    "gather_cols: the shards' blocks side by side; each gets its block of the "
    "gradient") {
  for (int count : {2, 3}) {
    CAPTURE(count);
    Threads threads(count);
    hg::ShardGroup group(count);
    const int widths[] = {2, 3, 1};  // blocks of different widths
    int total = 0;
    for (int t = 0; t < count; ++t) total += widths[t];
    std::vector<Parameter> p;
    for (int t = 0; t < count; ++t)
      p.emplace_back("p", filled(3, widths[t], [t](int r, int c) {
                       return float(10 * t + 3 * r + c);
                     }));
    const Tensor w = filled(3, total, weight);
    std::vector<Tensor> gathered(static_cast<std::size_t>(count));
    hg::Rng rng(1);
    group.run(rng, [&](hg::Shard& s) {
      const auto t = static_cast<std::size_t>(s.rank());
      s.tape.clear();
      Var g = gather_cols(s, s.tape.param(p[t]));
      gathered[t] = g.value();
      s.tape.backward(sum(g * s.tape.input(w)));  // work every shard repeats
    });
    int at = 0;
    for (int t = 0; t < count; ++t) {
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < widths[t]; ++c) {
          for (int u = 0; u < count; ++u)
            CHECK(gathered[std::size_t(u)].at(r, at + c) ==
                  p[std::size_t(t)].value.at(r, c));
          CHECK(p[std::size_t(t)].grad.at(r, c) ==
                doctest::Approx(weight(r, at + c)));
        }
      at += widths[t];
    }
  }
}

TEST_CASE(
    "ShardGroup: every shard draws the same numbers; the caller's generator "
    "goes on from them") {
  Threads threads(2);
  hg::ShardGroup group(2);
  hg::Rng rng(7), same(7);
  float drawn[2];
  group.run(rng, [&](hg::Shard& s) { drawn[s.rank()] = s.rng.uniform(); });
  CHECK(drawn[0] == drawn[1]);
  CHECK(drawn[0] == same.uniform());
  CHECK(rng.uniform() == same.uniform());
}

TEST_CASE(
    "ShardGroup: shards that disagree or fail end in an error, not a hang, and "
    "the group recovers") {
  Threads threads(2);
  hg::ShardGroup group(2);
  const Tensor a(Shape{2, 3}, 1.0f), b(Shape{2, 4}, 1.0f);
  auto contains = [](const std::string& text, const char* part) {
    return text.find(part) != std::string::npos;
  };

  SUBCASE("different shapes") {
    const std::string e = run_error(group, [&](hg::Shard& s) {
      s.tape.clear();
      sum_over_shards(s, s.tape.input(s.rank() == 0 ? a : b));
    });
    CHECK(contains(e, "sum_over_shards"));
    CHECK(contains(e, "same shape"));
  }
  SUBCASE("different shapes, met in the backward pass") {
    const std::string e = run_error(group, [&](hg::Shard& s) {
      s.tape.clear();
      Parameter p("p", s.rank() == 0 ? a : b);
      Var y = copy_to_shards(s, s.tape.param(p));
      s.tape.backward(sum(y));
    });
    CHECK(contains(e, "copy_to_shards (backward)"));
    CHECK(contains(e, "same shape"));
  }
  SUBCASE("different collectives") {
    const std::string e = run_error(group, [&](hg::Shard& s) {
      s.tape.clear();
      Var x = s.tape.input(a);
      if (s.rank() == 0)
        sum_over_shards(s, x);
      else
        gather_cols(s, x);
    });
    CHECK(contains(e, "expected every shard to call the same collectives"));
  }
  SUBCASE("one shard skips a collective") {
    const std::string e = run_error(group, [&](hg::Shard& s) {
      s.tape.clear();
      if (s.rank() == 1) sum_over_shards(s, s.tape.input(a));
    });
    CHECK(contains(e, "already finished its step"));
  }
  SUBCASE("one shard throws while the other waits") {
    const std::string e = run_error(group, [&](hg::Shard& s) {
      s.tape.clear();
      if (s.rank() == 0) hg::fail("shard 0 could not go on");
      sum_over_shards(s, s.tape.input(a));
    });
    CHECK(e == "shard 0 could not go on");  // the cause, not the other's abort
  }
  SUBCASE("too few threads") {
    hg::kernels::set_num_threads(1);
    const std::string e = run_error(group, [](hg::Shard&) {});
    CHECK(contains(e, "must run at once"));
    hg::kernels::set_num_threads(2);
  }
  // Whatever went wrong, the next run works.
  float got[2];
  hg::Rng rng(3);
  group.run(rng, [&](hg::Shard& s) {
    s.tape.clear();
    got[s.rank()] =
        sum_over_shards(s,
                        s.tape.input(Tensor(Shape{1, 1}, float(s.rank() + 1))))
            .item();
  });
  CHECK(got[0] == 3.0f);
  CHECK(got[1] == 3.0f);
}

TEST_CASE("ShardGroup: one shard is a plain tape") {
  hg::ShardGroup group(1);
  Parameter p("p", Tensor(Shape{2, 2}, 2.0f));
  hg::Rng rng(1);
  group.run(rng, [&](hg::Shard& s) {
    s.tape.clear();
    Var y =
        gather_cols(s, copy_to_shards(s, sum_over_shards(s, s.tape.param(p))));
    s.tape.backward(sum(y * 3.0f));
  });
  CHECK(p.grad.at(1, 0) == 3.0f);
  CHECK_THROWS_AS(hg::ShardGroup(0), hg::Error);
  hg::Tape other;  // a Var of another tape, a Var that is not 2-D
  Var x = other.input(Tensor(Shape{1, 1}, 1.0f));
  CHECK_THROWS_WITH_AS(sum_over_shards(group.shard(0), x),
                       doctest::Contains("another tape than shard 0's"),
                       hg::Error);
  Var flat = group.shard(0).tape.input(Tensor(Shape{4}, 1.0f));
  CHECK_THROWS_WITH_AS(gather_cols(group.shard(0), flat),
                       doctest::Contains("expected (rows, cols)"), hg::Error);
}

TEST_CASE(
    "ShardGroup: a shard that finishes right after the last collective is no "
    "error") {
  // The last shard to reach a collective may finish its step before the
  // others have seen that the wait is over: thousands of such steps.
  Threads threads(2);
  hg::ShardGroup group(2);
  hg::Rng rng(1);
  const Tensor one(Shape{1, 1}, 1.0f);
  float total = 0.0f;
  for (int step = 0; step < 20000; ++step)
    group.run(rng, [&](hg::Shard& s) {
      s.tape.clear();
      const float sum = sum_over_shards(s, s.tape.input(one)).item();
      if (s.rank() == 0) total += sum;
    });
  CHECK(total == 40000.0f);
}
