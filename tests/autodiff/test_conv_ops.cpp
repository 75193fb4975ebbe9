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
#include "hourglass/kernels/thread_pool.hpp"

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

  TEST_CASE("gradcheck conv2d with fewer outputs than inputs (dx as a flipped conv)") {
    // Stride 1, square filters, C_out < C_in: dx comes from im2col(dy) and
    // the flipped filters, for every padding from 0 to k − 1.
    struct Case { int k, pad; };
    for (const Case c : {Case{3, 0}, Case{3, 1}, Case{3, 2}, Case{1, 0}, Case{5, 2}}) {
      CAPTURE(c.k);
      CAPTURE(c.pad);
      auto r = hg::gradcheck(
          [c](const Vars& v) { return weighted_sum(conv2d(v[0], v[1], v[2], 1, c.pad)); },
          {random_tensor(Shape{2, 5, 7, 6}, 30), random_tensor(Shape{2, 5, c.k, c.k}, 31),
           random_tensor(Shape{2}, 32)});
      CAPTURE(r.message);
      CHECK(r.ok);
    }
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

  TEST_CASE("many groups over 1 and 2 threads: forward and gradients against naive loops") {
    // Batches big enough to be cut into several groups (a partial one at
    // the end) and dealt to two threads, each with its own scratch and
    // gradient copies: every output and gradient must still match a plain
    // loop over all (image, channel, position, tap) in double.
    struct Case { bool transpose; Shape x, W; int stride, pad; };
    const Case cases[] = {
        {false, Shape{5, 12, 24, 24}, Shape{1, 12, 3, 3}, 1, 1},   // one image a group, flip
        {false, Shape{7, 8, 12, 12}, Shape{9, 8, 3, 3}, 1, 1},     // 4 + 3 images, col2im
        {false, Shape{5, 3, 9, 7}, Shape{4, 3, 3, 3}, 2, 1},
        {true, Shape{9, 4, 7, 7}, Shape{4, 8, 4, 4}, 2, 1},        // 7 + 2 images
    };
    const int threads_before = hg::kernels::num_threads();
    for (const Case& c : cases)
      for (int threads : {1, 2}) {
        CAPTURE(c.x);
        CAPTURE(threads);
        hg::kernels::set_num_threads(threads);
        hg::Parameter x("x", random_tensor(c.x, 40)), W("W", random_tensor(c.W, 41));
        const int Co = c.transpose ? c.W[1] : c.W[0];
        hg::Parameter b("b", random_tensor(Shape{Co}, 42));
        hg::Tape tape;
        Var y = c.transpose ? conv_transpose2d(tape.param(x), tape.param(W), tape.param(b), c.stride, c.pad)
                            : conv2d(tape.param(x), tape.param(W), tape.param(b), c.stride, c.pad);
        const Tensor u = random_tensor(y.shape(), 43);  // dloss/dy
        tape.backward(sum(y * tape.input(u)));

        // The conv pairs a "big" pixel (conv2d's input, convT's output)
        // with a "small" one (the other side) through tap (i, j):
        // big = small·stride − pad + tap, weight W[small ch, big ch, i, j].
        const Tensor& big = c.transpose ? y.value() : x.value;
        const Tensor& small = c.transpose ? x.value : y.value();
        const int N = c.x[0], A = small.dim(1), B = big.dim(1), kh = c.W[2], kw = c.W[3];
        std::vector<double> ref_y(y.value().size()), dx(x.value.size()), dW(W.value.size()),
            db(std::size_t(Co), 0.0);
        for (std::size_t i = 0; i < ref_y.size(); ++i) ref_y[i] = b.value[(i / (y.value().size() / N / Co)) % Co];
        for (std::size_t i = 0; i < u.size(); ++i) db[(i / (u.size() / N / Co)) % Co] += u[i];
        for (int n = 0; n < N; ++n)
          for (int a = 0; a < A; ++a)
            for (int bc = 0; bc < B; ++bc)
              for (int sy = 0; sy < small.dim(2); ++sy)
                for (int sx = 0; sx < small.dim(3); ++sx)
                  for (int i = 0; i < kh; ++i)
                    for (int j = 0; j < kw; ++j) {
                      const int by = sy * c.stride - c.pad + i, bx = sx * c.stride - c.pad + j;
                      if (by < 0 || by >= big.dim(2) || bx < 0 || bx >= big.dim(3)) continue;
                      const std::size_t s_at = ((std::size_t(n) * A + a) * small.dim(2) + sy) * small.dim(3) + sx;
                      const std::size_t b_at = ((std::size_t(n) * B + bc) * big.dim(2) + by) * big.dim(3) + bx;
                      const std::size_t w_at = ((std::size_t(a) * B + bc) * kh + i) * kw + j;
                      const std::size_t x_at = c.transpose ? s_at : b_at, y_at = c.transpose ? b_at : s_at;
                      ref_y[y_at] += double(W.value[w_at]) * x.value[x_at];
                      dx[x_at] += double(W.value[w_at]) * u[y_at];
                      dW[w_at] += double(x.value[x_at]) * u[y_at];
                    }
        auto same = [](const float* got, const std::vector<double>& want) {
          int bad = 0;
          for (std::size_t i = 0; i < want.size(); ++i)
            bad += !(got[i] == doctest::Approx(want[i]).epsilon(1e-4));
          return bad;
        };
        CHECK(same(y.value().data(), ref_y) == 0);
        CHECK(same(x.grad.data(), dx) == 0);
        CHECK(same(W.grad.data(), dW) == 0);
        CHECK(same(b.grad.data(), db) == 0);
      }
    hg::kernels::set_num_threads(threads_before);
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
