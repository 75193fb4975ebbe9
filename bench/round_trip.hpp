// round_trip.hpp: one cache line passed back and forth between two threads,
// the price of any data one core writes and another then reads.
//
//   hg::bench::LinePartner partner;      // starts the partner thread
//   partner.trips(1000);                 // 1,000 round trips
//
// The caller stores an odd number in the line; the partner, spinning on
// it, answers with the next even one; the caller spins until it sees that.
// Each store moves the line to the other core, so a round trip costs two
// hand-overs. On a virtual machine it also helps tell where the host has
// put the two virtual CPUs: ~80 ns on one core, ~100–130 ns on two cores
// that share a cache, over 400 ns when they share none (all seen on the
// development machine within the hour; placement.hpp tells them apart).
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace hg::bench {

class LinePartner {
 public:
  LinePartner()
      : partner_([this] {
          long expect = 1;
          while (!stop_.load(std::memory_order_relaxed))
            if (line_.load(std::memory_order_acquire) == expect) {
              line_.store(expect + 1, std::memory_order_release);
              expect += 2;
            }
        }) {}
  ~LinePartner() {
    stop_.store(true);
    partner_.join();
  }
  LinePartner(const LinePartner&) = delete;
  LinePartner& operator=(const LinePartner&) = delete;

  void trips(long n) {
    for (long t = 0; t < n; ++t) {
      line_.store(value_ + 1, std::memory_order_release);
      value_ += 2;
      while (line_.load(std::memory_order_acquire) != value_) {
      }
    }
  }

 private:
  alignas(64) std::atomic<long> line_{0};
  alignas(64) std::atomic<bool> stop_{false};
  long value_ = 0;
  std::thread partner_;  // last: starts once the members above exist
};

// Nanoseconds per round trip, over `n` trips after a warm-up.
inline double round_trip_ns(long n = 20000) {
  LinePartner partner;
  partner.trips(1000);
  const auto start = std::chrono::steady_clock::now();
  partner.trips(n);
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return took.count() / static_cast<double>(n);
}

}  // namespace hg::bench
