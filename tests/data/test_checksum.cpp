#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hourglass/data/checksum.hpp"
#include "hourglass/rng.hpp"

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// One bit at a time, straight from the definition: the reference the table
// version must match.
std::uint32_t crc32_bitwise(std::span<const std::uint8_t> bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::uint8_t b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

std::uint32_t adler32_direct(std::span<const std::uint8_t> bytes) {
  std::uint64_t a = 1, b = 0;
  for (std::uint8_t x : bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return static_cast<std::uint32_t>((b << 16) | a);
}

}  // namespace

TEST_SUITE("checksum") {
  TEST_CASE("CRC-32 known answers") {
    CHECK(hg::crc32(bytes_of("123456789")) == 0xCBF43926u);
    CHECK(hg::crc32(bytes_of("")) == 0u);
    CHECK(hg::crc32(bytes_of("a")) == 0xE8B7BE43u);
    CHECK(hg::crc32(bytes_of("The quick brown fox jumps over the lazy dog")) ==
          0x414FA339u);
  }

  TEST_CASE("Adler-32 known answers") {
    CHECK(hg::adler32(bytes_of("Wikipedia")) == 0x11E60398u);
    CHECK(hg::adler32(bytes_of("")) == 1u);
    CHECK(hg::adler32(bytes_of("a")) == 0x00620062u);
  }

  TEST_CASE("running form equals one pass, at every split point") {
    hg::Rng rng(5);
    std::vector<std::uint8_t> data(300);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng.below(256));
    const std::span<const std::uint8_t> all(data);
    const auto crc = hg::crc32(all);
    const auto adler = hg::adler32(all);
    for (std::size_t cut = 0; cut <= data.size(); cut += 7) {
      CHECK(hg::crc32(all.subspan(cut), hg::crc32(all.first(cut))) == crc);
      CHECK(hg::adler32(all.subspan(cut), hg::adler32(all.first(cut))) ==
            adler);
    }
  }

  TEST_CASE("table versions match the definitions on long inputs") {
    // 100,000 bytes of 0xFF push Adler's sums past several chunk boundaries
    // at their largest; random bytes exercise every table entry.
    std::vector<std::uint8_t> ones(100000, 0xFF);
    CHECK(hg::adler32(ones) == adler32_direct(ones));
    CHECK(hg::crc32(ones) == crc32_bitwise(ones));
    hg::Rng rng(9);
    for (int n : {1, 7, 33, 127, 5552, 5553, 20000}) {
      std::vector<std::uint8_t> data(static_cast<std::size_t>(n));
      for (auto& b : data) b = static_cast<std::uint8_t>(rng.below(256));
      CHECK(hg::crc32(data) == crc32_bitwise(data));
      CHECK(hg::adler32(data) == adler32_direct(data));
    }
  }
}
