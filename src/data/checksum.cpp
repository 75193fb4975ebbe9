// CRC-32 and Adler-32; see checksum.hpp.
#include "hourglass/data/checksum.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace hg {

namespace {

// crc_table[0][n] is the CRC of the single byte n: dividing byte by byte
// with a lookup replaces eight shift-and-xor steps per byte with one.
// crc_table[k][n] is the CRC of byte n followed by k zero bytes, which lets
// the loop below take eight bytes per step ("slicing-by-8"): the CRC is
// linear over GF(2), so the eight bytes' contributions are looked up
// independently and xor-ed together. Built at compile time.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_crc_table() {
  std::array<std::array<std::uint32_t, 256>, 8> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[0][n] = c;
  }
  for (int k = 1; k < 8; ++k)
    for (std::uint32_t n = 0; n < 256; ++n) {
      const std::uint32_t prev = table[k - 1][n];
      table[k][n] = (prev >> 8) ^ table[0][prev & 0xFFu];
    }
  return table;
}

constexpr auto crc_table = make_crc_table();

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 |
         std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  // The stored CRC is inverted at both ends, so continuing from a previous
  // result starts by undoing its final inversion.
  std::uint32_t c = crc ^ 0xFFFFFFFFu;
  const std::uint8_t* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; n -= 8, p += 8) {
    // The first four bytes meet the running CRC, the next four do not.
    const std::uint32_t lo = c ^ le32(p), hi = le32(p + 4);
    c = crc_table[7][lo & 0xFFu] ^ crc_table[6][(lo >> 8) & 0xFFu] ^
        crc_table[5][(lo >> 16) & 0xFFu] ^ crc_table[4][lo >> 24] ^
        crc_table[3][hi & 0xFFu] ^ crc_table[2][(hi >> 8) & 0xFFu] ^
        crc_table[1][(hi >> 16) & 0xFFu] ^ crc_table[0][hi >> 24];
  }
  // tail: one byte at a time
  for (; n > 0; --n, ++p) c = crc_table[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
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
