// xoshiro256** with splitmix64 seeding; see rng.hpp.
#include "hourglass/rng.hpp"

#include <cmath>
#include <numbers>
#include <utility>

namespace hg {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

// The top 24 bits fill a float's mantissa exactly: values k / 2^24.
float Rng::uniform() {
  return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f;
}

float Rng::uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

// Box–Muller turns two uniforms into two independent normals; the second is
// kept for the next call.
float Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  const double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = static_cast<float>(r * std::sin(theta));
  has_spare_ = true;
  return static_cast<float>(r * std::cos(theta));
}

float Rng::normal(float mean, float stddev) { return mean + stddev * normal(); }

bool Rng::bernoulli(float p) { return uniform() < p; }

// Lemire's multiply-shift maps 64 random bits onto [0, n) without a divide;
// the bias is below 2^-32 for any n that fits an int.
int Rng::below(int n) {
  check(n > 0, "Rng::below(", n, "): expected n > 0");
  const unsigned __int128 m =
      static_cast<unsigned __int128>(next_u64()) * static_cast<unsigned>(n);
  return static_cast<int>(m >> 64);
}

void Rng::fill_uniform(Tensor& t, float lo, float hi) {
  for (float& v : t) v = uniform(lo, hi);
}

void Rng::fill_normal(Tensor& t, float mean, float stddev) {
  for (float& v : t) v = normal(mean, stddev);
}

void Rng::shuffle(std::span<int> values) {
  for (int i = static_cast<int>(values.size()) - 1; i > 0; --i)
    std::swap(values[i], values[below(i + 1)]);
}

Rng Rng::split() { return Rng(next_u64()); }

Rng::State Rng::state() const {
  return {{s_[0], s_[1], s_[2], s_[3]}, spare_normal_, has_spare_};
}

void Rng::set_state(const State& state) {
  // xoshiro's one forbidden state: all zeros stays all zeros forever.
  check((state.s[0] | state.s[1] | state.s[2] | state.s[3]) != 0,
        "Rng::set_state: the state is all zeros, which xoshiro256** never "
        "leaves; expected a state saved from a running Rng");
  for (int i = 0; i < 4; ++i) s_[i] = state.s[i];
  spare_normal_ = state.spare_normal;
  has_spare_ = state.has_spare;
}

}  // namespace hg
