// Inflate (RFC 1951) and the zlib wrapper (RFC 1950); see inflate.hpp.
//
// A DEFLATE stream is a sequence of blocks; each starts with 3 bits: BFINAL
// (is this the last block?) and BTYPE (0 stored, 1 fixed Huffman codes,
// 2 dynamic Huffman codes sent in the block). Compressed blocks are
// LZ77 symbols: literals 0..255, end-of-block 256, and lengths 257..285,
// each followed by a distance: "copy `length` bytes from `distance` back".
#include "hourglass/data/inflate.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "bit_reader.hpp"
#include "hourglass/data/checksum.hpp"
#include "hourglass/error.hpp"
#include "huffman.hpp"

namespace hg {

namespace {

using detail::BitReader;
using detail::HuffmanCode;

// Length symbols 257..285 stand for a base length plus `extra` more bits
// read after the symbol (RFC 1951 §3.2.5): 257 is length 3, ..., 284 with 5
// extra bits covers 227..258, and 285 is exactly 258 (not 259, a quirk).
constexpr std::array<std::uint16_t, 29> kLengthBase = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
// Distance symbols 0..29 likewise: 1..4 exactly, then each pair of symbols
// doubles the range, up to 24577 + 13 extra bits = 32768, the window size.
constexpr std::array<std::uint16_t, 30> kDistBase = {
    1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {
    0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
    6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// The order in which a dynamic block sends the code lengths of the
// code-length alphabet: the ones most often used come first, so trailing
// zeros can be left out (RFC 1951 §3.2.7).
constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Output buffer that grows ahead of the writes, so the hot loop writes
// through a pointer and checks room once per symbol (at most 258 bytes).
struct Output {
  std::vector<std::uint8_t>& bytes;
  std::size_t start;  // where this stream's output begins
  std::size_t n;      // bytes written so far, in total
  std::size_t limit;  // the most `n` may reach: the caller's bound
  AtBound at_bound;

  // Growth doubles, but never far past the limit: a stream that runs past
  // it is refused (or stopped) within one symbol, so the room beyond it
  // would never be used.
  void make_room(std::size_t more) {
    if (n + more <= bytes.size()) return;
    constexpr std::size_t kSlack = 258 + 8;
    const std::size_t cap = limit > kNoBound - kSlack ? kNoBound : limit + kSlack;
    std::size_t grown = std::max({n + more, bytes.capacity(), bytes.size() * 2});
    grown = std::max(n + more, std::min(grown, cap));
    bytes.resize(grown);
  }

  // Checked before each symbol: true when decoding should stop here (the
  // caller asked for only the first bytes); throws when the stream has
  // passed the caller's bound.
  bool at_limit(const BitReader& in) const {
    if (n < limit) return false;
    if (at_bound == AtBound::Stop) return true;
    if (n > limit)
      in.fail_here("the data inflates to more than ", limit,
                   " bytes, the most expected here (a decompression bomb, or ",
                   "the wrong file?)");
    return false;
  }
};

// Stored block: byte-aligned LEN, NLEN (its one's complement), LEN bytes.
void stored_block(BitReader& in, Output& out) {
  in.align_to_byte();
  const std::uint32_t len = in.bits(16);
  const std::uint32_t nlen = in.bits(16);
  in.check_not_past_end();
  if ((len ^ 0xFFFFu) != nlen)
    in.fail_at(in.offset() - 4, "stored block: LEN ", len, " and NLEN ", nlen,
               " disagree (expected NLEN = ~LEN)");
  const auto bytes = in.take_bytes(len);
  // Refused before a byte is copied; with AtBound::Stop the whole block is
  // kept (at most 65,535 bytes past the bound).
  if (out.at_bound == AtBound::Refuse && len > out.limit - out.n)
    in.fail_here("the data inflates to more than ", out.limit,
                 " bytes, the most expected here (a decompression bomb, or ",
                 "the wrong file?)");
  out.make_room(len);
  std::copy(bytes.begin(), bytes.end(),
            out.bytes.begin() + std::ptrdiff_t(out.n));
  out.n += len;
}

// The body of a Huffman block: symbols until end-of-block (256).
void huffman_block(BitReader& in, Output& out, const HuffmanCode& lit_len,
                   const HuffmanCode& dist) {
  // Room for the longest copy plus the 8-byte overshoot of the chunked
  // copy below, checked once per symbol instead of once per byte.
  constexpr std::size_t kRoom = 258 + 8;
  for (;;) {
    in.refill();
    // Past the end the reader sees zeros, which may well decode as
    // literals: this check is what keeps a truncated stream from running on.
    in.check_not_past_end();
    if (out.at_limit(in)) return;
    out.make_room(kRoom);
    const int sym = lit_len.decode(in);
    if (sym < 256) {
      out.bytes[out.n++] = static_cast<std::uint8_t>(sym);
      continue;
    }
    if (sym == 256) return;
    if (sym > 285)
      in.fail_here("invalid length symbol ", sym, " (expected 257..285)");
    const int li = sym - 257;
    const std::size_t length = kLengthBase[li] + in.bits(kLengthExtra[li]);
    const int ds = dist.decode(in);
    if (ds >= 30)
      in.fail_here("invalid distance symbol ", ds, " (expected 0..29)");
    const std::size_t distance = kDistBase[ds] + in.bits(kDistExtra[ds]);
    if (distance > out.n - out.start)
      in.fail_here("distance too far back: ", distance, " bytes, but only ",
                   out.n - out.start, " have been written");
    std::uint8_t* to = out.bytes.data() + out.n;
    const std::uint8_t* from = to - distance;
    if (distance >= 8) {
      // Eight bytes at a time: each chunk reads only bytes written before
      // it (they are >= 8 back), and may write up to 7 bytes past `length`
      // into the room reserved above; those are overwritten later.
      for (std::size_t i = 0; i < length; i += 8)
        std::memcpy(to + i, from + i, 8);
    } else {
      // Byte by byte when the copy overlaps its own output: that is how
      // DEFLATE encodes runs ("abcabcabc..." is "abc" + <6, distance 3>).
      for (std::size_t i = 0; i < length; ++i) to[i] = from[i];
    }
    out.n += length;
  }
}

// Fixed codes (RFC 1951 §3.2.6): literal/length lengths 8 for 0..143,
// 9 for 144..255, 7 for 256..279, 8 for 280..287; 5 bits for all 30
// distances (32 codes, the last two unused). Built once.
struct FixedCodes {
  HuffmanCode lit_len, dist;
  explicit FixedCodes(const BitReader& in) {
    std::array<std::uint8_t, 288> l{};
    std::fill(l.begin(), l.begin() + 144, 8);
    std::fill(l.begin() + 144, l.begin() + 256, 9);
    std::fill(l.begin() + 256, l.begin() + 280, 7);
    std::fill(l.begin() + 280, l.end(), 8);
    lit_len.build(l, in, "fixed literal/length");
    std::array<std::uint8_t, 32> d{};
    d.fill(5);
    dist.build(d, in, "fixed distance");
  }
};

// Dynamic block header: the code lengths of both codes, themselves Huffman
// coded with a small code-length code, with run-length symbols 16 (repeat
// the previous length 3..6 times), 17 (3..10 zeros), 18 (11..138 zeros).
void read_dynamic_codes(BitReader& in, HuffmanCode& lit_len,
                        HuffmanCode& dist) {
  const int hlit = static_cast<int>(in.bits(5)) + 257;
  const int hdist = static_cast<int>(in.bits(5)) + 1;
  const int hclen = static_cast<int>(in.bits(4)) + 4;
  if (hlit > 286 || hdist > 30)
    in.fail_here("dynamic block: ", hlit, " literal/length and ", hdist,
                 " distance codes (expected at most 286 and 30)");

  std::array<std::uint8_t, 19> cl_lengths{};
  for (int i = 0; i < hclen; ++i)
    cl_lengths[kCodeLengthOrder[i]] = static_cast<std::uint8_t>(in.bits(3));
  in.check_not_past_end();
  HuffmanCode cl;
  cl.build(cl_lengths, in, "code-length");

  std::array<std::uint8_t, 286 + 30> lengths{};
  int i = 0;
  while (i < hlit + hdist) {
    in.refill();
    in.check_not_past_end();
    const int sym = cl.decode(in);
    if (sym < 16) {
      lengths[i++] = static_cast<std::uint8_t>(sym);
      continue;
    }
    std::uint8_t value = 0;
    int repeat = 0;
    if (sym == 16) {
      if (i == 0)
        in.fail_here("dynamic block: code length repeat (16) with no ",
                     "previous length");
      value = lengths[i - 1];
      repeat = 3 + static_cast<int>(in.bits(2));
    } else if (sym == 17) {
      repeat = 3 + static_cast<int>(in.bits(3));
    } else {
      repeat = 11 + static_cast<int>(in.bits(7));
    }
    if (i + repeat > hlit + hdist)
      in.fail_here("dynamic block: code length repeat runs past the ",
                   hlit + hdist, " lengths it should fill");
    std::fill(lengths.begin() + i, lengths.begin() + i + repeat, value);
    i += repeat;
  }
  if (lengths[256] == 0)
    in.fail_here("dynamic block: end-of-block symbol 256 has no code");
  lit_len.build(std::span(lengths).first(hlit), in, "literal/length");
  // A block of literals only may send no distance codes at all.
  dist.build(std::span(lengths).subspan(hlit, hdist), in, "distance",
             /*allow_empty=*/true);
}

}  // namespace

std::size_t inflate_into(std::span<const std::uint8_t> in,
                         std::vector<std::uint8_t>& out,
                         const std::string& name, std::size_t base,
                         std::size_t max_out, AtBound at_bound) {
  BitReader bits(in, name, base);
  Output o{out, out.size(), out.size(), max_out, at_bound};
  static const FixedCodes fixed(bits);
  HuffmanCode lit_len, dist;
  bool last = false;
  try {
    while (!last) {
      if (o.at_limit(bits)) break;
      const std::size_t block_at = bits.offset();
      last = bits.bits(1) == 1;
      const std::uint32_t type = bits.bits(2);
      bits.check_not_past_end();
      if (type == 0) {
        stored_block(bits, o);
      } else if (type == 1) {
        huffman_block(bits, o, fixed.lit_len, fixed.dist);
      } else if (type == 2) {
        read_dynamic_codes(bits, lit_len, dist);
        huffman_block(bits, o, lit_len, dist);
      } else {
        bits.fail_at(block_at, "invalid block type 3 (expected 0 stored, ",
                     "1 fixed or 2 dynamic Huffman)");
      }
    }
    bits.check_not_past_end();
    o.at_limit(bits);  // the last symbol may have passed the bound
  } catch (...) {
    out.resize(o.n);
    throw;
  }
  out.resize(o.n);
  return bits.bytes_used();
}

std::vector<std::uint8_t> inflate(std::span<const std::uint8_t> in,
                                  const std::string& name,
                                  std::size_t max_out) {
  std::vector<std::uint8_t> out;
  const std::size_t used = inflate_into(in, out, name, 0, max_out);
  check(used == in.size(), "inflate: ", name, ": byte offset ", used, ": ",
        in.size() - used, " bytes after the end of the DEFLATE stream ",
        "(expected the stream to fill the input)");
  return out;
}

std::vector<std::uint8_t> zlib_inflate(std::span<const std::uint8_t> in,
                                       const std::string& name,
                                       std::size_t max_out) {
  const char* what = "zlib_inflate: ";
  check(in.size() >= 2, what, name, ": byte offset 0: ", in.size(),
        " bytes (expected at least a 2-byte zlib header)");
  const unsigned cmf = in[0], flg = in[1];
  check((cmf & 15) == 8, what, name, ": byte offset 0: compression method ",
        cmf & 15, " (expected 8, deflate)");
  check((cmf >> 4) <= 7, what, name, ": byte offset 0: window size 2^",
        (cmf >> 4) + 8, " (expected at most 2^15)");
  check((cmf * 256 + flg) % 31 == 0, what, name,
        ": byte offset 1: header check bits wrong (expected CMF*256+FLG to ",
        "be a multiple of 31)");
  check((flg & 0x20) == 0, what, name,
        ": byte offset 1: a preset dictionary is required (not supported)");
  std::vector<std::uint8_t> out;
  const std::size_t end = 2 + inflate_into(in.subspan(2), out, name, 2, max_out);
  check(in.size() >= end + 4, what, name, ": byte offset ", end,
        ": truncated: expected a 4-byte Adler-32 trailer, found ",
        in.size() - end, " bytes");
  const std::uint32_t stored = std::uint32_t(in[end]) << 24 |
                               std::uint32_t(in[end + 1]) << 16 |
                               std::uint32_t(in[end + 2]) << 8 | in[end + 3];
  const std::uint32_t actual = adler32(out);
  check(stored == actual, what, name, ": byte offset ", end,
        ": Adler-32 mismatch: stored ", stored, ", data gives ", actual);
  check(in.size() == end + 4, what, name, ": byte offset ", end + 4, ": ",
        in.size() - end - 4, " bytes after the zlib stream (expected none)");
  return out;
}

}  // namespace hg
