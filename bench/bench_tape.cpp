// bench_tape: what the tape itself costs per op, apart from the arithmetic.
//
// A chain of `kOps` tiny ops (y = 1.0001·y + 0.0001 on a 1×1 value, through
// `affine`) is recorded and differentiated: each op does one multiply-add,
// so the time is the tape's bookkeeping — pushing a node, checking inputs,
// resizing and zeroing a one-number gradient, calling the backward through
// a function pointer. Counters: time/op for the forward alone and for
// forward + backward (per op of the chain), and heap allocations per pass
// after the warm-up (expected 0: clear() keeps every node and buffer).
// What it is not: a measure of any kernel's speed.
//
//   build/bench/bench_tape --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>


#include "hourglass/autodiff/autodiff.hpp"
#include "count_allocs.hpp"


namespace {

constexpr int kOps = 1000;

void run_chain(benchmark::State& state, bool with_backward) {
  hg::Parameter w("w", hg::Tensor(hg::Shape{1, 1}, 0.5f));
  hg::Tape tape;
  const auto pass = [&] {
    tape.clear();
    hg::Var y = tape.param(w);
    for (int i = 0; i < kOps; ++i) y = affine(y, 1.0001f, 0.0001f);
    if (with_backward) tape.backward(y);
    benchmark::DoNotOptimize(y.value().data());
  };
  pass();  // warm-up: the tape grows its nodes once
  long passes = 0, allocs = 0;
  for (auto _ : state) {
    const long before = hg::bench::heap_allocations();
    pass();
    allocs += hg::bench::heap_allocations() - before;
    ++passes;
  }
  using C = benchmark::Counter;
  // ops per second, inverted: seconds per op (printed as e.g. 25.1n = 25.1 ns)
  state.counters["time/op"] = C(kOps, C::kIsIterationInvariantRate | C::kInvert);
  state.counters["allocs/pass"] = C(passes ? double(allocs) / double(passes) : 0.0);
}

void tape_forward(benchmark::State& state) { run_chain(state, false); }
void tape_forward_backward(benchmark::State& state) { run_chain(state, true); }

}  // namespace

BENCHMARK(tape_forward)->Unit(benchmark::kMicrosecond);
BENCHMARK(tape_forward_backward)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
