// CRC-32 and Adler-32; see checksum.hpp.
#include "hourglass/data/checksum.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace hg {

namespace {

// crc_table[n] is the CRC of the single byte n: dividing byte by byte with a
// lookup replaces eight shift-and-xor steps per byte with one. Built at
// compile time.
constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> crc_table = make_crc_table();

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  // The stored CRC is inverted at both ends, so continuing from a previous
  // result starts by undoing its final inversion.
  std::uint32_t c = crc ^ 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) c = crc_table[(c ^ b) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t adler32(std::span<const std::uint8_t> bytes,
                      std::uint32_t adler) {
  constexpr std::uint32_t kMod = 65521;
  // 5552 is the longest run of bytes after which b still fits in 32 bits
  // (zlib's NMAX), so the slow modulo runs once per chunk, not per byte.
  constexpr std::size_t kChunk = 5552;
  std::uint32_t a = adler & 0xFFFFu;
  std::uint32_t b = adler >> 16;
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t end = std::min(bytes.size(), i + kChunk);
    for (; i < end; ++i) {
      a += bytes[i];
      b += a;
    }
    a %= kMod;
    b %= kMod;
  }
  return (b << 16) | a;
}

}  // namespace hg
