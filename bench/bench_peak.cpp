// bench_peak: what the machine itself can do, the ceilings the other
// benchmarks are read against.
//
//   BM_fma_peak/threads:1   one core's fp32 FMA peak (see peak.hpp): the
//                           100% of every pct_peak counter
//   BM_fma_peak/threads:2   the same loop on two threads at once, GFLOP/s
//                           of both: do two cores keep their peak?
//   BM_line_round_trip      one cache line passed back and forth between
//                           two threads: time per round trip, the price of
//                           any data one core writes and another reads
//
//   build/bench/bench_peak --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <thread>

#include "peak.hpp"

static void BM_fma_peak(benchmark::State& state) {
  const long steps = 1'000'000;
  double flops = 0.0;
  for (auto _ : state) flops = hg::bench::fma_loop(steps);
  // On 2 threads, iterations and time are those of both threads, so the
  // rate, averaged over the threads' counters, is what the two do together.
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_fma_peak)->Threads(1)->Threads(2)->UseRealTime();

// A partner thread waits for an odd value in `line` and answers with the
// next even one; each iteration is 1,000 such exchanges. The two stores
// and two loads of an exchange each move the line to the other core.
static void BM_line_round_trip(benchmark::State& state) {
  alignas(64) static std::atomic<long> line{0};
  constexpr long kTrips = 1000;
  std::atomic<bool> stop{false};
  line.store(0);
  std::thread partner([&] {
    long expect = 1;
    while (!stop.load(std::memory_order_relaxed)) {
      if (line.load(std::memory_order_acquire) == expect) {
        line.store(expect + 1, std::memory_order_release);
        expect += 2;
      }
    }
  });
  long value = 0;
  for (auto _ : state)
    for (long t = 0; t < kTrips; ++t) {
      line.store(value + 1, std::memory_order_release);
      value += 2;
      while (line.load(std::memory_order_acquire) != value) {
      }
    }
  stop.store(true);
  partner.join();
  state.counters["s/round_trip"] = benchmark::Counter(  // printed as e.g. 480n
      static_cast<double>(state.iterations()) * kTrips,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_line_round_trip)->UseRealTime()->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
