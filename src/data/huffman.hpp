// Canonical Huffman codes as DEFLATE uses them (RFC 1951 §3.2.2).
//
// A DEFLATE block sends only each symbol's code length; the codes follow:
// shorter codes first, and within one length in symbol order, consecutive
// binary numbers. Decoding uses a lookup table indexed by the next kFastBits
// bits of the stream: one load gives the symbol and its length for every
// code up to kFastBits long, which covers nearly all symbols in practice.
// The rare longer codes fall back to the canonical walk over lengths
// (count[len], first code of that length), which needs no tree at all.
// What it is not: an encoder, or a general prefix-code library.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "bit_reader.hpp"

namespace hg::detail {

class HuffmanCode {
 public:
  static constexpr int kMaxBits = 15;  // DEFLATE's longest code
  static constexpr int kFastBits = 10;

  // Builds the code from one length per symbol (0 = symbol unused). Throws
  // through `in` (for the offset) if the lengths over-subscribe the code
  // space, or leave it incomplete beyond what RFC 1951 allows (a single
  // code of length 1), or use no symbol at all when `allow_empty` is false.
  // `what` names the code in messages ("literal/length", "distance", ...).
  void build(std::span<const std::uint8_t> lengths, const BitReader& in,
             const char* what, bool allow_empty = false);

  // Decodes one symbol. Needs >= 15 buffered bits (call in.refill()).
  int decode(BitReader& in) const {
    const std::uint16_t entry = fast_[in.peek(kFastBits)];
    const int len = entry & 15;
    if (len != 0) [[likely]] {
      in.consume(len);
      return entry >> 4;
    }
    return decode_slow(in);
  }

 private:
  int decode_slow(BitReader& in) const;

  const char* what_ = "";
  // fast_[bits]: symbol << 4 | length, or 0 if the code is longer than
  // kFastBits (or matches no symbol). `bits` is in stream order, i.e. the
  // code's bits reversed, since codes are sent most significant bit first.
  std::array<std::uint16_t, 1 << kFastBits> fast_{};
  std::array<std::uint16_t, kMaxBits + 1> count_{};  // codes of each length
  std::array<std::uint16_t, 288> symbols_{};  // sorted by (length, symbol)
};

}  // namespace hg::detail
