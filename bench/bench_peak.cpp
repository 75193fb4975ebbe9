// bench_peak: the single-core fp32 FMA peak, the ceiling every GEMM figure
// in bench_gemm is compared against. See peak.hpp for the loop.
//
//   build/bench/bench_peak --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include "peak.hpp"

static void BM_fma_peak(benchmark::State& state) {
  const long steps = 1'000'000;
  double flops = 0.0;
  for (auto _ : state) flops = hg::bench::fma_loop(steps);
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_fma_peak);

BENCHMARK_MAIN();
