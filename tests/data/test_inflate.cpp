#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "hourglass/data/checksum.hpp"
#include "hourglass/data/inflate.hpp"
#include "hourglass/error.hpp"
#include "hourglass/rng.hpp"

namespace {

// Packs fields low bit first, as DEFLATE does, to hand-make test streams.
struct BitWriter {
  std::vector<std::uint8_t> bytes;
  int used = 8;                           // bits used in the last byte
  void put(std::uint32_t value, int n) {  // a field, low bit first
    for (int i = 0; i < n; ++i) {
      if (used == 8) {
        bytes.push_back(0);
        used = 0;
      }
      bytes.back() |= static_cast<std::uint8_t>(((value >> i) & 1u) << used++);
    }
  }
  void put_code(std::uint32_t code, int n) {  // a Huffman code, high bit first
    for (int i = n - 1; i >= 0; --i) put((code >> i) & 1u, 1);
  }
  // A symbol of the fixed literal/length code (RFC 1951 §3.2.6).
  void fixed_symbol(int sym) {
    if (sym < 144)
      put_code(0x30 + sym, 8);
    else if (sym < 256)
      put_code(0x190 + sym - 144, 9);
    else if (sym < 280)
      put_code(sym - 256, 7);
    else
      put_code(0xC0 + sym - 280, 8);
  }
};

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("inflate") {
  TEST_CASE("a hand-made stored block") {
    // BFINAL=1, BTYPE=00, then byte-aligned LEN=5, NLEN=~5, "hello".
    const std::vector<std::uint8_t> s = {0x01, 0x05, 0x00, 0xFA, 0xFF,
                                         'h',  'e',  'l',  'l',  'o'};
    CHECK(hg::inflate(s) == test::bytes_of("hello"));
    auto bad = s;
    bad[3] = 0xFB;  // NLEN no longer ~LEN
    CHECK(error_of([&] { hg::inflate(bad); }).find("NLEN") !=
          std::string::npos);
    const std::vector<std::uint8_t> short_block(s.begin(), s.end() - 1);
    CHECK(error_of([&] {
            hg::inflate(short_block);
          }).find("truncated stored block") != std::string::npos);
  }

  TEST_CASE("a hand-made fixed block with an overlapping copy") {
    // "abc", then <length 6, distance 3>: the copy reads its own output.
    BitWriter w;
    w.put(1, 1);  // BFINAL
    w.put(1, 2);  // BTYPE = 01, fixed codes
    for (char c : std::string("abc")) w.fixed_symbol(c);
    w.fixed_symbol(260);  // length 6 (base 6, no extra bits)
    w.put_code(2, 5);     // distance symbol 2 = distance 3
    w.fixed_symbol(285);  // length 258
    w.put_code(0, 5);     // distance 1
    w.fixed_symbol(256);  // end of block
    std::string expect = "abcabcabc" + std::string(258, 'c');
    CHECK(hg::inflate(w.bytes) == test::bytes_of(expect));
  }

  TEST_CASE("hand-made errors name the offset and what was expected") {
    BitWriter type3;
    type3.put(1, 1);
    type3.put(3, 2);
    const std::string e3 = error_of([&] { hg::inflate(type3.bytes); });
    CHECK(e3.find("invalid block type 3") != std::string::npos);
    CHECK(e3.find("<memory>: byte offset 0") != std::string::npos);

    BitWriter far;  // distance 4 after writing only 1 byte
    far.put(1, 1);
    far.put(1, 2);
    far.fixed_symbol('x');
    far.fixed_symbol(257);
    far.put_code(3, 5);
    far.fixed_symbol(256);
    CHECK(error_of([&] {
            hg::inflate(far.bytes);
          }).find("distance too far back: 4") != std::string::npos);

    BitWriter bad_dist;  // distance symbols 30, 31 exist only in the table
    bad_dist.put(1, 1);
    bad_dist.put(1, 2);
    bad_dist.fixed_symbol('x');
    bad_dist.fixed_symbol(257);
    bad_dist.put_code(30, 5);
    CHECK(error_of([&] {
            hg::inflate(bad_dist.bytes);
          }).find("invalid distance symbol 30") != std::string::npos);

    BitWriter no_end;  // a block that never ends runs into the end of input
    no_end.put(1, 1);
    no_end.put(1, 2);
    for (int i = 0; i < 10; ++i) no_end.fixed_symbol('a');
    CHECK(error_of([&] { hg::inflate(no_end.bytes); }).find("truncated") !=
          std::string::npos);

    CHECK(error_of([&] { hg::inflate({}); }).find("truncated") !=
          std::string::npos);
  }

  TEST_CASE("dynamic block headers with bad code lengths are rejected") {
    // BFINAL=1, BTYPE=10, HLIT=0 (257), HDIST=0 (1), HCLEN=15 (19), then
    // every code-length code length 1: 19 codes of length 1 over-subscribe.
    BitWriter over;
    over.put(1, 1);
    over.put(2, 2);
    over.put(0, 5);
    over.put(0, 5);
    over.put(15, 4);
    for (int i = 0; i < 19; ++i) over.put(1, 3);
    for (int i = 0; i < 8; ++i) over.put(0, 8);
    CHECK(error_of([&] {
            hg::inflate(over.bytes);
          }).find("invalid code-length code lengths") != std::string::npos);

    // HLIT = 30 → 287 literal/length codes, more than the 286 that exist.
    BitWriter too_many;
    too_many.put(1, 1);
    too_many.put(2, 2);
    too_many.put(30, 5);
    too_many.put(0, 5);
    too_many.put(0, 4);
    for (int i = 0; i < 8; ++i) too_many.put(0, 8);
    CHECK(error_of([&] {
            hg::inflate(too_many.bytes);
          }).find("expected at most 286 and 30") != std::string::npos);
  }

  TEST_CASE("zlib streams: known answer and checked header and trailer") {
    // zlib.compress(b"hello hello hello hello") from the reference zlib.
    const std::vector<std::uint8_t> z = {0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9,
                                         0xc9, 0x57, 0xc8, 0x40, 0x27, 0x01,
                                         0x68, 0x03, 0x08, 0xb1};
    CHECK(hg::zlib_inflate(z) == test::bytes_of("hello hello hello hello"));
    auto bad_adler = z;
    bad_adler.back() ^= 1;
    CHECK(error_of([&] {
            hg::zlib_inflate(bad_adler);
          }).find("Adler-32 mismatch") != std::string::npos);
    auto bad_header = z;
    bad_header[1] ^= 1;
    CHECK(error_of([&] {
            hg::zlib_inflate(bad_header);
          }).find("multiple of 31") != std::string::npos);
    auto bad_method = z;
    bad_method[0] = 0x77;
    CHECK(error_of([&] {
            hg::zlib_inflate(bad_method);
          }).find("compression method 7") != std::string::npos);
    for (std::size_t cut = 0; cut < z.size(); ++cut) {
      const std::vector<std::uint8_t> part(z.begin(), z.begin() + cut);
      CHECK(error_of([&] { hg::zlib_inflate(part); }).find("byte offset") !=
            std::string::npos);
    }
  }

  TEST_CASE("zlib with stored blocks, as a simple writer makes them") {
    // Header 78 01, two stored blocks ("hel", then final "lo"), Adler-32.
    std::vector<std::uint8_t> z = {0x78, 0x01, 0x00, 0x03, 0x00, 0xFC,
                                   0xFF, 'h',  'e',  'l',  0x01, 0x02,
                                   0x00, 0xFD, 0xFF, 'l',  'o'};
    const std::uint32_t a = hg::adler32(test::bytes_of("hello"));
    for (int s = 24; s >= 0; s -= 8) z.push_back(std::uint8_t(a >> s));
    CHECK(hg::zlib_inflate(z) == test::bytes_of("hello"));
    z.push_back(0);
    CHECK(error_of([&] {
            hg::zlib_inflate(z);
          }).find("byte offset 21: 1 bytes after the zlib stream") !=
          std::string::npos);
  }

  TEST_CASE("bytes after a raw stream are an error") {
    const std::vector<std::uint8_t> s = {0x01, 0x01, 0x00, 0xFE,
                                         0xFF, 'x',  'y'};
    CHECK(error_of([&] {
            hg::inflate(s);
          }).find("byte offset 6: 1 bytes after the end") != std::string::npos);
    std::vector<std::uint8_t> out;
    CHECK(hg::inflate_into(s, out) == 6);  // the stream's own length
    CHECK(out == test::bytes_of("x"));
  }

  TEST_CASE("random bytes never crash or hang the decoder") {
    // Most random streams fail early; all must end in data or hg::Error.
    hg::Rng rng(3);
    int decoded = 0, rejected = 0;
    for (int t = 0; t < 3000; ++t) {
      std::vector<std::uint8_t> junk(static_cast<std::size_t>(rng.below(64)));
      for (auto& b : junk) b = static_cast<std::uint8_t>(rng.below(256));
      try {
        std::vector<std::uint8_t> out;
        hg::inflate_into(junk, out);
        ++decoded;
      } catch (const hg::Error&) {
        ++rejected;
      }
    }
    CHECK(decoded + rejected == 3000);
    CHECK(rejected > 0);
  }
}
