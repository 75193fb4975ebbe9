// placement.hpp: where the host has put the two threads that a two-thread
// benchmark row runs on. On a virtual machine the two virtual CPUs are
// threads of the host, which places them, and moves them, as it likes;
// on the development machine it was seen to use three placements within
// one hour, and a two-thread row's speed-up depends on which more than on
// anything in the code:
//
//   one core   both are hyperthreads of one physical core: they share its
//              FMA units, so two threads doing arithmetic go no faster than
//              one (a cache line's round trip: ~80 ns)
//   near       two cores that share a cache (round trip ~100–130 ns)
//   far        two cores that share no cache (round trip 400–600 ns)
//
// Two measurements tell them apart: how fast the FMA loop of peak.hpp runs
// on both threads at once, as a multiple of one thread's rate (~2 on two
// cores, ~1 on one), and the round trip of round_trip.hpp. A fourth answer,
// "busy", says the measurements themselves were disturbed by other programs
// (a build running beside the benchmark gave round trips of 8–18 µs).
//
//   const hg::bench::Placement p = hg::bench::measure_placement();
//   std::printf("%s\n", p.describe().c_str());
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "peak.hpp"
#include "round_trip.hpp"

namespace hg::bench {

struct Placement {
  enum class Kind { kBusy, kOneCore, kNear, kFar };

  double round_trip_ns = 0.0;
  double fma_pair = 0.0;  // two threads' FMA rate over one thread's

  // Below 1.5× the two threads cannot be on two cores; a round trip under
  // 250 ns means a shared cache (the two cases seen were ~110 and ~500).
  // A round trip of microseconds, or two threads "more than twice" as fast
  // as one, means other programs held the CPUs during the measurement.
  Kind kind() const {
    if (round_trip_ns > 2000.0 || fma_pair > 2.3) return Kind::kBusy;
    if (fma_pair < 1.5) return Kind::kOneCore;
    return round_trip_ns < 250.0 ? Kind::kNear : Kind::kFar;
  }
  std::string describe() const {
    struct Words {
      const char *name, *what;
    };
    static constexpr Words kWords[] = {
        {"busy",
         "other programs are using these CPUs, so neither this nor the "
         "2-thread rows can be trusted"},
        {"one core", "both threads on one core, sharing its FMA units"},
        {"near", "two cores sharing a cache"},
        {"far", "two cores sharing no cache"}};
    const Words& w = kWords[static_cast<int>(kind())];
    char line[300];
    std::snprintf(
        line, sizeof line,
        "%s: %s (cache-line round trip %.0f ns; FMAs on both threads at once: "
        "%.2f× one thread's rate)",
        w.name, w.what, round_trip_ns, fma_pair);
    return line;
  }
};

namespace detail {
// Seconds on the wall clock for `threads` threads (1 or 2) to each run the
// same FMA loop, started together.
inline double fma_wall_seconds(int threads, long steps) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  auto run = [&] {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire)) {
    }
    fma_loop(steps);
  };
  std::thread other;
  if (threads == 2) other = std::thread(run);
  while (ready.load() != threads - 1) {
  }
  // A new thread starts on its parent's CPU, and the kernel moves it to an
  // idle one only after a while: measured at once, two threads on two CPUs
  // looked like two on one. Both spin for 20 ms first.
  const auto settle =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  while (threads == 2 && std::chrono::steady_clock::now() < settle) {
  }
  const auto start = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  fma_loop(steps);
  if (other.joinable()) other.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}
}  // namespace detail

// ~0.2 s. The FMA rates are the best of three short runs each, so that a
// moment of another process on a core does not pass for a placement.
inline Placement measure_placement() {
  constexpr long kSteps = 4'000'000;
  double one = 1e300, two = 1e300;
  for (int run = 0; run < 3; ++run) {
    one = std::min(one, detail::fma_wall_seconds(1, kSteps));
    two = std::min(two, detail::fma_wall_seconds(2, kSteps));
  }
  Placement p;
  p.fma_pair = 2.0 * one / two;  // twice the work in `two` seconds
  p.round_trip_ns = round_trip_ns();
  return p;
}

}  // namespace hg::bench
