// Rng: the one source of randomness in hourglass.
//
// xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/) seeded through
// splitmix64: fast, small, and the same seed gives the same numbers on every
// machine and every run, so lessons and tests are reproducible. Everything
// random (initial weights, shuffling, noise, dropout masks, VAE samples)
// draws from an Rng passed in explicitly; nothing uses a hidden global.
#pragma once

#include <cstdint>
#include <span>

#include "hourglass/tensor.hpp"

namespace hg {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 42);

  std::uint64_t next_u64();
  float uniform();                    // [0, 1), 24 random bits
  float uniform(float lo, float hi);  // [lo, hi)
  float normal();                     // N(0, 1), Box–Muller
  float normal(float mean, float stddev);
  bool bernoulli(float p);            // true with probability p
  int below(int n);                   // uniform integer in [0, n)

  void fill_uniform(Tensor& t, float lo, float hi);
  void fill_normal(Tensor& t, float mean, float stddev);
  // Fisher–Yates: every permutation equally likely.
  void shuffle(std::span<int> values);
  // A child generator with its own stream, e.g. one per worker thread.
  Rng split();

  // Everything the generator remembers, so a checkpoint can save it and a
  // resumed run draw exactly the numbers the uninterrupted one would have.
  struct State {
    std::uint64_t s[4];
    float spare_normal;
    bool has_spare;
  };
  State state() const;
  void set_state(const State& state);  // an all-zero s is refused

 private:
  std::uint64_t s_[4];
  float spare_normal_ = 0.0f;
  bool has_spare_ = false;
};

}  // namespace hg
