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
//   BM_write_after/written:0  one thread writes 1 MB of cache lines that
//   BM_write_after/written:1  the other thread has just read (0) or just
//                           written (1): time per line. Taking back lines
//                           that another core has READ costs several times
//                           more here than taking over written ones (why
//                           hg::DataParallel moves weights the way it does:
//                           data_parallel.cpp)
//
//   build/bench/bench_peak --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "peak.hpp"
#include "round_trip.hpp"

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

// Each iteration is 1,000 round trips of one cache line (round_trip.hpp).
static void BM_line_round_trip(benchmark::State& state) {
  constexpr long kTrips = 1000;
  hg::bench::LinePartner partner;
  for (auto _ : state) partner.trips(kTrips);
  state.counters["s/round_trip"] = benchmark::Counter(  // printed as e.g. 480n
      static_cast<double>(state.iterations()) * kTrips,
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_line_round_trip)->UseRealTime()->Unit(benchmark::kMicrosecond);

// A partner thread touches every cache line of a 1 MB buffer (reads one
// float of each, or writes it), then this thread writes one float of each
// line, announcing lines ahead with prefetch-for-write as the library's
// loops do. Only this thread's pass is timed.
static void BM_write_after(benchmark::State& state) {
  const bool partner_writes = state.range(0) != 0;
  constexpr std::size_t kFloats = 1 << 18, kLine = 16;  // 1 MB, 64-byte lines
  std::vector<float> buffer(kFloats, 1.0f);
  float* w = buffer.data();
  std::atomic<int> turn{0};  // odd: the partner's turn; -1: stop
  std::atomic<float> sink{0.0f};
  std::thread partner([&] {
    for (int seen = 0;;) {
      int t;
      while ((t = turn.load(std::memory_order_acquire)) == seen) {
      }
      if (t < 0) return;
      float sum = 0.0f;
      for (std::size_t k = 0; k < kFloats; k += kLine) {
        if (partner_writes)
          w[k] += 1.0f;
        else
          sum += w[k];
      }
      sink.store(sum, std::memory_order_relaxed);
      seen = t + 1;
      turn.store(seen, std::memory_order_release);
    }
  });
  int t = 0;
  for (auto _ : state) {
    turn.store(++t, std::memory_order_release);  // partner's turn
    while (turn.load(std::memory_order_acquire) != t + 1) {
    }
    ++t;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t k = 0; k < kFloats; k += kLine) {
      __builtin_prefetch(w + k + 64 * kLine, 1);
      w[k] += 1.0f;
    }
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  turn.store(-1, std::memory_order_release);
  partner.join();
  state.counters["s/line"] = benchmark::Counter(  // printed as e.g. 8n
      static_cast<double>(state.iterations()) * (kFloats / kLine),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_write_after)
    ->ArgName("written")
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
