// A seeded byte mutator: the in-suite stand-in for libFuzzer's.
//
// Each call applies 1 to 4 random edits of the kinds that break parsers:
// flipped bits, bytes set to boundary values (0, 1, 0x7f, 0x80, 0xff),
// 32-bit words set to boundary values in both byte orders (sizes and
// lengths in headers), inserted, deleted and duplicated runs, truncation,
// and splices with another seed. Same seed, same inputs: a failure found
// in CI can be replayed. What it is not: coverage-guided (that is what
// scripts/fuzz and libFuzzer add).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "hourglass/rng.hpp"

namespace hg_fuzz {

using ByteVec = std::vector<std::uint8_t>;

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  ByteVec mutate(const ByteVec& seed, const ByteVec& other);

 private:
  void edit(ByteVec& b, const ByteVec& other);
  hg::Rng rng_;
};

inline ByteVec Mutator::mutate(const ByteVec& seed, const ByteVec& other) {
  ByteVec b = seed;
  const int edits = 1 + rng_.below(4);
  for (int i = 0; i < edits; ++i) edit(b, other);
  return b;
}

inline void Mutator::edit(ByteVec& b, const ByteVec& other) {
  static constexpr std::uint8_t kBytes[] = {0, 1, 0x7f, 0x80, 0xff};
  static constexpr std::uint32_t kWords[] = {0, 1, 0x7fffffff, 0x80000000,
                                             0xffffffff, 0xffff, 0x10000};
  auto at = [&](std::size_t n) { return std::size_t(rng_.below(int(n))); };
  switch (b.empty() ? 5 : rng_.below(9)) {
    case 0:  // flip one bit
      b[at(b.size())] ^= std::uint8_t(1u << rng_.below(8));
      break;
    case 1:  // a random byte
      b[at(b.size())] = std::uint8_t(rng_.below(256));
      break;
    case 2:  // a boundary byte
      b[at(b.size())] = kBytes[rng_.below(5)];
      break;
    case 3: {  // a boundary 32-bit word, little- or big-endian
      if (b.size() < 4) break;
      const std::uint32_t w = kWords[rng_.below(7)];
      const std::size_t i = at(b.size() - 3);
      const bool big = rng_.bernoulli(0.5f);
      for (int k = 0; k < 4; ++k)
        b[i + std::size_t(k)] = std::uint8_t(w >> (8 * (big ? 3 - k : k)));
      break;
    }
    case 4:  // delete a run
      if (b.size() > 1) {
        const std::size_t i = at(b.size()), n = 1 + at(std::min<std::size_t>(16, b.size() - i));
        b.erase(b.begin() + long(i), b.begin() + long(i + n));
      }
      break;
    case 5: {  // insert random bytes
      const std::size_t i = b.empty() ? 0 : at(b.size() + 1);
      const int n = 1 + rng_.below(8);
      for (int k = 0; k < n; ++k)
        b.insert(b.begin() + long(i), std::uint8_t(rng_.below(256)));
      break;
    }
    case 6: {  // duplicate a run (repeats, back-references, long lists)
      const std::size_t i = at(b.size()), n = 1 + at(std::min<std::size_t>(32, b.size() - i));
      const ByteVec run(b.begin() + long(i), b.begin() + long(i + n));
      b.insert(b.begin() + long(at(b.size() + 1)), run.begin(), run.end());
      break;
    }
    case 7:  // truncate
      b.resize(at(b.size() + 1));
      break;
    default:  // splice: our head, the other seed's tail
      if (!other.empty()) {
        b.resize(at(b.size() + 1));
        b.insert(b.end(), other.begin() + long(at(other.size())), other.end());
      }
  }
}

}  // namespace hg_fuzz
