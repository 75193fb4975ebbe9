// bench_conv: the convolutions of lesson 07, timed.
//
//   BM_conv2d_direct/L   the seven-loop reference (kernels::conv2d_direct)
//   BM_conv2d_op/L       the conv2d op forward: im2col + GEMM, the batch
//                        cut into L2-sized groups split over the threads
//   BM_conv2d_op_backward/L   the op forward and backward, with x, W and b
//                        all needing gradients: y, dW and dx, three products
//                        (counted as 3× the forward flops; db is extra)
//     for the lesson's three conv layers L at batch 128:
//       0  conv1  1 → 8 channels,  28×28, 3×3, padding 1
//       1  conv2  8 → 16 channels, 14×14, 3×3, padding 1
//       2  out    8 → 1 channel,   28×28, 3×3, padding 1
//     counter GFLOP/s (2·Co·C·k²·Ho·Wo per image, forward only).
//   BM_encoder, BM_decoder   the lesson's encoder (conv, relu, pool twice,
//     linear to 32) and decoder (linear, transposed conv, upsample, conv,
//     sigmoid) forward + backward at batch 128; counter images/s.
//
// Threads: --threads N is not a Google Benchmark flag; set HG_THREADS=N
// (default 1). Rates use CPU time, which other processes on a shared
// machine do not inflate; with HG_THREADS > 1 read the Time column (wall
// clock) instead. The op rows start after one untimed pass
// that sizes the tape's buffers (im2col included).
//   build/bench/bench_conv --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "hourglass/hourglass.hpp"
#include "hourglass/kernels/im2col.hpp"

namespace {

constexpr int kBatch = 128, kC1 = 8, kC2 = 16, kCode = 32;

struct LayerShape {
  int C, H, Co;  // square images, 3×3 filters, stride 1, padding 1
};
const LayerShape kLayers[] = {{1, 28, kC1}, {kC1, 14, kC2}, {kC1, 28, 1}};

double conv_flops(const LayerShape& s) {
  return 2.0 * kBatch * s.Co * s.C * 9 * s.H * s.H;
}

void set_threads() {
  const char* env = std::getenv("HG_THREADS");
  hg::kernels::set_num_threads(env ? std::atoi(env) : 1);
}

void BM_conv2d_direct(benchmark::State& state) {
  const LayerShape s = kLayers[state.range(0)];
  hg::Rng rng(1);
  hg::Tensor x(hg::Shape{kBatch, s.C, s.H, s.H}), W(hg::Shape{s.Co, s.C, 3, 3}),
      b(hg::Shape{s.Co}), y(hg::Shape{kBatch, s.Co, s.H, s.H});
  rng.fill_uniform(x, 0, 1);
  rng.fill_uniform(W, -1, 1);
  const hg::kernels::ConvGeometry g{s.C, s.H, s.H, 3, 3, 1, 1};
  const std::size_t in = std::size_t(s.C) * s.H * s.H, out = std::size_t(s.Co) * s.H * s.H;
  for (auto _ : state) {
    for (int n = 0; n < kBatch; ++n)
      hg::kernels::conv2d_direct(x.data() + n * in, W.data(), b.data(), g, s.Co,
                                 y.data() + n * out);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      conv_flops(s) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_conv2d_op(benchmark::State& state) {
  set_threads();
  const LayerShape s = kLayers[state.range(0)];
  hg::Rng rng(1);
  hg::Tensor x(hg::Shape{kBatch, s.C, s.H, s.H}), W(hg::Shape{s.Co, s.C, 3, 3}),
      b(hg::Shape{s.Co});
  rng.fill_uniform(x, 0, 1);
  rng.fill_uniform(W, -1, 1);
  hg::Tape tape;
  conv2d(tape.input(x), tape.input(W), tape.input(b), 1, 1);  // size the buffers
  for (auto _ : state) {
    tape.clear();  // keeps the im2col buffer: no allocation after the first
    hg::Var y = conv2d(tape.input(x), tape.input(W), tape.input(b), 1, 1);
    benchmark::DoNotOptimize(y.value().data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      conv_flops(s) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_conv2d_op_backward(benchmark::State& state) {
  set_threads();
  const LayerShape s = kLayers[state.range(0)];
  hg::Rng rng(1);
  hg::Parameter x("x", hg::Tensor(hg::Shape{kBatch, s.C, s.H, s.H})),
      W("W", hg::Tensor(hg::Shape{s.Co, s.C, 3, 3})), b("b", hg::Tensor(hg::Shape{s.Co}));
  rng.fill_uniform(x.value, 0, 1);
  rng.fill_uniform(W.value, -1, 1);
  hg::Tape tape;
  for (int warm = 0; warm < 2; ++warm) {  // size every buffer before timing
    tape.clear();
    tape.backward(mean(conv2d(tape.param(x), tape.param(W), tape.param(b), 1, 1)));
  }
  for (auto _ : state) {
    tape.clear();
    hg::Var y = conv2d(tape.param(x), tape.param(W), tape.param(b), 1, 1);
    tape.backward(mean(y));
    benchmark::DoNotOptimize(x.grad.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      3 * conv_flops(s) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The lesson's model, layer for layer (lessons/07_convolutional.cpp).
struct Encoder {
  hg::Conv2d conv1, conv2;
  hg::Linear to_code;
  explicit Encoder(hg::Rng& rng)
      : conv1(1, kC1, 3, 1, 1, rng), conv2(kC1, kC2, 3, 1, 1, rng),
        to_code(kC2 * 49, kCode, rng) {}
  hg::Var operator()(hg::Var x) {
    hg::Var h = max_pool2d(relu(conv1(x)));
    h = max_pool2d(relu(conv2(h)));
    return to_code(reshape(h, hg::Shape{kBatch, kC2 * 49}));
  }
};
struct Decoder {
  hg::Linear from_code;
  hg::ConvTranspose2d up1;
  hg::Conv2d out;
  explicit Decoder(hg::Rng& rng)
      : from_code(kCode, kC2 * 49, rng), up1(kC2, kC1, 4, 2, 1, rng),
        out(kC1, 1, 3, 1, 1, rng) {}
  hg::Var operator()(hg::Var z) {
    hg::Var g = reshape(relu(from_code(z)), hg::Shape{kBatch, kC2, 7, 7});
    g = relu(up1(g));
    return sigmoid(out(upsample2d(g, 2)));
  }
};

template <class Net>
void forward_backward(benchmark::State& state, Net& net, const hg::Tensor& input) {
  set_threads();
  hg::Tape tape;
  for (int warm = 0; warm < 2; ++warm) {  // size every buffer before timing
    tape.clear();
    tape.backward(mean(net(tape.input(input))));
  }
  for (auto _ : state) {
    tape.clear();
    hg::Var y = net(tape.input(input));
    tape.backward(mean(y));
    benchmark::DoNotOptimize(y.value().data());
  }
  state.counters["images/s"] = benchmark::Counter(
      kBatch, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_encoder(benchmark::State& state) {
  hg::Rng rng(2);
  Encoder enc(rng);
  hg::Tensor x(hg::Shape{kBatch, 1, 28, 28});
  rng.fill_uniform(x, 0, 1);
  forward_backward(state, enc, x);
}

void BM_decoder(benchmark::State& state) {
  hg::Rng rng(3);
  Decoder dec(rng);
  hg::Tensor z(hg::Shape{kBatch, kCode});
  rng.fill_normal(z, 0, 1);
  forward_backward(state, dec, z);
}

}  // namespace

BENCHMARK(BM_conv2d_direct)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv2d_op)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_conv2d_op_backward)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_encoder)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_decoder)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
