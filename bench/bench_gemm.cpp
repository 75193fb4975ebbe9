// bench_gemm: every GEMM variant side by side, from naive to threaded, on
// square sizes and on the shapes the MLP autoencoder runs at batch 128.
//
// Counters: GFLOP/s (2·M·N·K per call) and pct_peak, the percentage of this
// core's FMA peak measured at start-up with the loop in peak.hpp, so every
// figure is self-contained. gemm/threads:2 is still compared with ONE
// core's peak (it can pass 100%) and is timed on the wall clock; the
// single-thread rows use CPU time, which other processes do not inflate.
// The "split2" rows time a small gemm cut in two over the pool even below
// gemm_parallel_min_flops(): comparing them with gemm_packed shows where
// threading starts to pay. The "cold_B" rows multiply half a batch by
// weights that must come from L3, as they do in a training step, where
// packing them is a fair part of the product's time.
//
//   build/bench/bench_gemm --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "peak.hpp"

using namespace hg::kernels;

namespace {

double g_peak_gflops = 0.0;

struct Shape {
  const char* name;
  Trans ta, tb;
  int M, N, K;
};

// Stored operands for one shape, filled once with uniform(-1, 1) numbers.
struct Operands {
  std::vector<float> A, B, C;
  GemmArgs args;
  explicit Operands(const Shape& s) {
    const bool ta = s.ta == Trans::Yes, tb = s.tb == Trans::Yes;
    A.resize(static_cast<std::size_t>(s.M) * s.K);
    B.resize(static_cast<std::size_t>(s.K) * s.N);
    C.resize(static_cast<std::size_t>(s.M) * s.N);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (float& x : A) x = u(rng);
    for (float& x : B) x = u(rng);
    args = {.trans_a = s.ta, .trans_b = s.tb, .M = s.M, .N = s.N, .K = s.K,
            .alpha = 1.0f, .A = A.data(), .lda = ta ? s.M : s.K, .B = B.data(),
            .ldb = tb ? s.K : s.N, .beta = 0.0f, .C = C.data(), .ldc = s.N};
  }
};

// gemm_packed on the pool, cut in two halves of rows whatever the size.
void gemm_split2(const GemmArgs& g) {
  parallel_for(0, 2, [&](int h, int) {
    const int i0 = g.M / 2 * h, i1 = h == 0 ? g.M / 2 : g.M;
    GemmArgs s = g;
    s.M = i1 - i0;
    s.A = g.trans_a == Trans::Yes ? g.A + i0 : g.A + static_cast<std::size_t>(i0) * g.lda;
    s.C = g.C + static_cast<std::size_t>(i0) * g.ldc;
    gemm_packed(s);
  });
}

// GFLOP/s and pct_peak for a benchmark that did one s-sized product per
// iteration.
void set_counters(benchmark::State& state, const Shape& s) {
  const double flops = 2.0 * s.M * s.N * static_cast<double>(s.K);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["pct_peak"] = benchmark::Counter(
      flops * 1e-9 * 100.0 / g_peak_gflops, benchmark::Counter::kIsIterationInvariantRate);
}

void register_one(const std::string& variant, void (*fn)(const GemmArgs&), const Shape& s,
                  int threads) {
  const std::string name = variant + "/" + s.name + (threads > 1 ? "/threads:2" : "");
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn, s, threads](benchmark::State& state) {
    Operands op(s);
    set_num_threads(threads);
    for (auto _ : state) {
      fn(op.args);
      benchmark::DoNotOptimize(op.C.data());
      benchmark::ClobberMemory();
    }
    set_num_threads(1);
    set_counters(state, s);
  });
  b->Unit(benchmark::kMicrosecond);
  // CPU time counts the calling thread only: with workers, use the wall clock.
  if (threads > 1) b->UseRealTime();
}

// The same, but B is one of kColdCopies stored copies, a different one each
// call: together they overflow the core's L2 cache (1 MB here), so op(B)
// comes from L3 as a weight matrix does in a training step, where
// everything else the step touches has pushed it out of L2 since its last
// use. Packing is where those reads happen.
constexpr int kColdCopies = 8;
void register_cold(const std::string& variant, void (*fn)(const GemmArgs&),
                   const Shape& s) {
  const std::string name = variant + "/cold_B/" + s.name;
  auto* b = benchmark::RegisterBenchmark(name.c_str(), [fn, s](benchmark::State& state) {
    std::vector<Operands> ops;
    ops.reserve(kColdCopies);
    for (int i = 0; i < kColdCopies; ++i) ops.emplace_back(s);
    std::size_t next = 0;
    for (auto _ : state) {
      const Operands& op = ops[next];
      next = (next + 1) % ops.size();
      fn(op.args);
      benchmark::DoNotOptimize(op.C.data());
      benchmark::ClobberMemory();
    }
    set_counters(state, s);
  });
  b->Unit(benchmark::kMicrosecond);
}

}  // namespace

int main(int argc, char** argv) {
  g_peak_gflops = hg::bench::measure_peak_gflops();
  std::printf("single-core fp32 FMA peak: %.1f GFLOP/s\n", g_peak_gflops);

  const Trans N = Trans::No, T = Trans::Yes;
  const Shape squares[] = {{"128", N, N, 128, 128, 128}, {"256", N, N, 256, 256, 256},
                           {"512", N, N, 512, 512, 512}, {"1024", N, N, 1024, 1024, 1024}};
  // The 784 → 256 → 64 encoder at batch 128, Linear y = x·Wᵀ with W (out, in):
  const Shape mlp[] = {
      {"fwd_128x784_W256x784T", N, T, 128, 256, 784},  // y = x·Wᵀ
      {"fwd_128x256_W64x256T", N, T, 128, 64, 256},
      {"dW_dY128x256T_X128x784", T, N, 256, 784, 128},  // dW = dYᵀ·x
      {"dX_dY128x256_W256x784", N, N, 128, 784, 256},   // dx = dY·W
  };
  for (const Shape& s : squares) {
    if (s.M <= 256) register_one("gemm_naive", gemm_naive, s, 1);
    register_one("gemm_reordered", gemm_reordered, s, 1);
    register_one("gemm_blocked", gemm_blocked, s, 1);
    register_one("gemm_packed", gemm_packed, s, 1);
    register_one("gemm", gemm, s, 2);
  }
  for (const Shape& s : mlp) {
    register_one("gemm_reordered", gemm_reordered, s, 1);
    register_one("gemm_blocked", gemm_blocked, s, 1);
    register_one("gemm_packed", gemm_packed, s, 1);
    register_one("gemm", gemm, s, 2);
  }
  // Half a batch (one thread's share when two split it) with the weights
  // coming from L3: the forward y = x·Wᵀ and dx = dY·W of the 784 → 256
  // layer.
  const Shape cold[] = {{"fwd_64x784_W256x784T", N, T, 64, 256, 784},
                        {"dX_dY64x256_W256x784", N, N, 64, 784, 256}};
  for (const Shape& s : cold) register_cold("gemm_packed", gemm_packed, s);
  // Where does threading start to pay? Small squares, packed vs split in two.
  const Shape small[] = {{"32", N, N, 32, 32, 32},    {"64", N, N, 64, 64, 64},
                         {"96", N, N, 96, 96, 96},    {"128", N, N, 128, 128, 128},
                         {"192", N, N, 192, 192, 192}};
  for (const Shape& s : small) {
    register_one("crossover_packed", gemm_packed, s, 1);
    register_one("crossover_split2", gemm_split2, s, 2);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
