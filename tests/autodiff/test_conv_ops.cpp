// Tests for the convolution ops: conv2d against the direct seven-loop
// convolution, conv_transpose2d as the adjoint of conv2d, gradchecks of all
// four ops on small odd shapes (odd H and W, stride 2, padding 1,
// C_in ≠ C_out, batch > 1), the buffers reused from one pass to the next,
// and the error messages.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/autodiff/ops_conv.hpp"
#include "hourglass/kernels/im2col.hpp"

using hg::Shape;
using hg::Tensor;
using hg::Var;
using Vars = std::vector<Var>;

namespace {
Tensor random_tensor(Shape s, unsigned seed, float lo = -1.0f, float hi = 1.0f) {
  hg::Rng rng(seed);
  Tensor t(s);
  rng.fill_uniform(t, lo, hi);
  return t;
}

// Σ y ⊙ w with fixed random w: every output element counts differently.
Var weighted_sum(Var y) {
  return sum(y * y.tape().input(random_tensor(y.shape(), 99)));
}

// Values all at least 0.05 apart, shuffled: max pooling never sees a near
// tie, which would put a kink inside the finite-difference step.
Tensor distinct_tensor(Shape s, unsigned seed) {
  Tensor t(s);
  std::vector<int> order(t.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  hg::Rng rng(seed);
  rng.shuffle(order);
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = 0.05f * float(order[i]) - 1.0f;
  return t;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_SUITE("conv ops") {
  TEST_CASE("conv2d equals the direct convolution, image by image") {
    const Tensor x = random_tensor(Shape{3, 2, 9, 7}, 1);
    const Tensor W = random_tensor(Shape{5, 2, 3, 3}, 2);
    const Tensor b = random_tensor(Shape{5}, 3);
    for (int stride : {1, 2})
      for (int pad : {0, 1}) {
        hg::Tape tape;
        Var y = conv2d(tape.input(x), tape.input(W), tape.input(b), stride, pad);
        const hg::kernels::ConvGeometry g{2, 9, 7, 3, 3, stride, pad};
        REQUIRE(y.shape() == Shape{3, 5, g.Ho(), g.Wo()});
        const std::size_t in = 2 * 9 * 7, out = std::size_t(5) * g.cols();
        std::vector<float> ref(out);
        for (int n = 0; n < 3; ++n) {
          hg::kernels::conv2d_direct(x.data() + n * in, W.data(), b.data(), g, 5,
                                     ref.data());
          for (std::size_t i = 0; i < out; ++i)
            CHECK(y.value()[n * out + i] == doctest::Approx(ref[i]).epsilon(1e-4));
        }
      }
  }

  TEST_CASE("conv_transpose2d is the adjoint of conv2d: <conv(x), u> = <x, convT(u)>") {
    // Same W array; conv2d maps 3 → 4 channels, its transpose 4 → 3.
    const Tensor x = random_tensor(Shape{2, 3, 7, 7}, 4);
    const Tensor W = random_tensor(Shape{4, 3, 3, 3}, 5);
    const Tensor u = random_tensor(Shape{2, 4, 4, 4}, 6);
    hg::Tape tape;
    Var cx = conv2d(tape.input(x), tape.input(W), tape.input(Tensor(Shape{4})), 2, 1);
    Var tu = conv_transpose2d(tape.input(u), tape.input(W),
                              tape.input(Tensor(Shape{3})), 2, 1);
    REQUIRE(cx.shape() == u.shape());
    REQUIRE(tu.shape() == x.shape());  // (4 − 1)·2 − 2 + 3 = 7
    double lhs = 0, rhs = 0;
    for (std::size_t i = 0; i < u.size(); ++i) lhs += double(cx.value()[i]) * u[i];
    for (std::size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * tu.value()[i];
    CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5));
  }

  TEST_CASE("conv_transpose2d stamps the filter, by hand") {
    // One 2x2 input (1, 2 / 3, 4), a 2x2 filter of ones, stride 2: four
    // disjoint stamps, so the 4x4 output is each value as a 2x2 block.
    hg::Tape tape;
    Var y = conv_transpose2d(tape.input(Tensor(Shape{1, 1, 2, 2}, {1, 2, 3, 4})),
                             tape.input(Tensor(Shape{1, 1, 2, 2}, 1.0f)),
                             tape.input(Tensor(Shape{1}, {0.5f})), 2, 0);
    const float expected[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    REQUIRE(y.shape() == Shape{1, 1, 4, 4});
    for (int i = 0; i < 16; ++i) CHECK(y.value()[i] == expected[i] + 0.5f);
  }

  TEST_CASE("gradcheck conv2d: batch 2, 3 → 4 channels, 7x5, stride 2, padding 1") {
    for (int stride : {1, 2}) {
      auto r = hg::gradcheck(
          [stride](const Vars& v) { return weighted_sum(conv2d(v[0], v[1], v[2], stride, 1)); },
          {random_tensor(Shape{2, 3, 7, 5}, 7), random_tensor(Shape{4, 3, 3, 3}, 8),
           random_tensor(Shape{4}, 9)});
      CAPTURE(r.message);
      CHECK(r.ok);
    }
  }

  TEST_CASE("gradcheck conv2d with a 1x1 and a non-square 2x3 filter") {
    auto r = hg::gradcheck(
        [](const Vars& v) {
          return weighted_sum(conv2d(conv2d(v[0], v[1], v[2]), v[3], v[4], 2, 0));
        },
        {random_tensor(Shape{3, 2, 5, 7}, 10), random_tensor(Shape{3, 2, 1, 1}, 11),
         random_tensor(Shape{1, 3}, 12), random_tensor(Shape{2, 3, 2, 3}, 13),
         random_tensor(Shape{2}, 14)});
    CAPTURE(r.message);
    CHECK(r.ok);
  }

  TEST_CASE("gradcheck conv_transpose2d: batch 2, 4 → 3 channels, 3x5, stride 2, padding 1") {
    for (int stride : {1, 2}) {
      auto r = hg::gradcheck(
          [stride](const Vars& v) {
            return weighted_sum(conv_transpose2d(v[0], v[1], v[2], stride, 1));
          },
          {random_tensor(Shape{2, 4, 3, 5}, 15), random_tensor(Shape{4, 3, 4, 3}, 16),
           random_tensor(Shape{3}, 17)});
      CAPTURE(r.message);
      CHECK(r.ok);
    }
  }

  TEST_CASE("gradcheck max_pool2d (2x2 stride 2 on 7x5, and 3x3 stride 2)") {
    for (int k : {2, 3}) {
      auto r = hg::gradcheck(
          [k](const Vars& v) { return weighted_sum(max_pool2d(v[0], k, 2)); },
          {distinct_tensor(Shape{2, 3, 7, 5}, 18)});
      CAPTURE(r.message);
      CHECK(r.ok);
    }
  }

  TEST_CASE("gradcheck upsample2d by 2 and 3") {
    for (int f : {2, 3}) {
      auto r = hg::gradcheck(
          [f](const Vars& v) { return weighted_sum(upsample2d(v[0], f)); },
          {random_tensor(Shape{2, 3, 3, 5}, 19)});
      CAPTURE(r.message);
      CHECK(r.ok);
    }
  }

  TEST_CASE("gradcheck a small conv autoencoder: pool, conv, upsample, convT") {
    auto r = hg::gradcheck(
        [](const Vars& v) {
          // Pooling first, on inputs with no near ties (a kink there would
          // fool the finite differences); conv outputs could tie.
          Var h = max_pool2d(v[0]);                         // (2, 1, 3, 3)
          h = tanh(conv2d(h, v[1], v[2], 1, 1));            // (2, 3, 3, 3)
          h = upsample2d(h, 2);                             // (2, 3, 6, 6)
          Var y = conv_transpose2d(h, v[3], v[4], 2, 1);    // (2, 1, 12, 12)
          return weighted_sum(sigmoid(y));
        },
        {distinct_tensor(Shape{2, 1, 6, 6}, 20), random_tensor(Shape{3, 1, 3, 3}, 21),
         random_tensor(Shape{3}, 22), random_tensor(Shape{3, 1, 4, 4}, 23),
         random_tensor(Shape{1}, 24)});
    CAPTURE(r.message);
    CHECK(r.ok);
  }

  TEST_CASE("the im2col buffer is reused from one pass to the next") {
    hg::Parameter W("W", random_tensor(Shape{4, 3, 3, 3}, 25));
    hg::Parameter b("b", Tensor(Shape{4}));
    const Tensor x = random_tensor(Shape{5, 3, 9, 9}, 26);
    hg::Tape tape;
    const float* first = nullptr;
    for (int step = 0; step < 3; ++step) {
      tape.clear();
      Var y = conv2d(tape.input(x), tape.param(W), tape.param(b), 1, 1);
      tape.backward(sum(y));
      const float* buffer = tape.node(y.index()).saved.data();
      if (step == 0) first = buffer;
      CHECK(buffer == first);
    }
  }

  TEST_CASE("bad shapes name the op and both shapes") {
    hg::Tape tape;
    Var x = tape.input(Tensor(Shape{2, 3, 8, 8}));
    Var W = tape.input(Tensor(Shape{4, 2, 3, 3}));
    Var b = tape.input(Tensor(Shape{4}));
    std::string m = error_of([&] { conv2d(x, W, b); });
    CHECK(m.find("conv2d") != std::string::npos);
    CHECK(m.find("(2, 3, 8, 8)") != std::string::npos);
    CHECK(m.find("(4, 2, 3, 3)") != std::string::npos);
    m = error_of([&] { conv2d(tape.input(Tensor(Shape{2, 64})), W, b); });
    CHECK(m.find("rank-4") != std::string::npos);
    m = error_of([&] { conv2d(x, tape.input(Tensor(Shape{4, 3, 3, 3})), tape.input(Tensor(Shape{3}))); });
    CHECK(m.find("one bias per output channel") != std::string::npos);
    m = error_of([&] { conv2d(x, tape.input(Tensor(Shape{4, 3, 11, 11})), b); });
    CHECK(m.find("does not fit") != std::string::npos);
    m = error_of([&] { conv2d(x, tape.input(Tensor(Shape{4, 3, 3, 3})), b, 0, 1); });
    CHECK(m.find("stride 0") != std::string::npos);
    m = error_of([&] { conv_transpose2d(x, W, b); });
    CHECK(m.find("conv_transpose2d") != std::string::npos);
    m = error_of([&] { max_pool2d(x, 9, 2); });
    CHECK(m.find("max_pool2d") != std::string::npos);
    m = error_of([&] { upsample2d(x, 0); });
    CHECK(m.find("upsample2d") != std::string::npos);
  }
}
