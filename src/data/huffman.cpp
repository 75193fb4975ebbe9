// Building and slow-path decoding of canonical Huffman codes; see huffman.hpp.
#include "huffman.hpp"

namespace hg::detail {

namespace {

// Codes are defined most significant bit first but arrive low bit first, so
// the fast table is indexed by the code with its `len` bits reversed.
unsigned reverse_bits(unsigned code, int len) {
  unsigned r = 0;
  for (int i = 0; i < len; ++i, code >>= 1) r = (r << 1) | (code & 1u);
  return r;
}

}  // namespace

void HuffmanCode::build(std::span<const std::uint8_t> lengths,
                        const BitReader& in, const char* what,
                        bool allow_empty) {
  what_ = what;
  check(lengths.size() <= symbols_.size(), "HuffmanCode: ", lengths.size(),
        " symbols (expected at most ", symbols_.size(), ")");
  count_.fill(0);
  for (std::uint8_t len : lengths) {
    if (len > kMaxBits)
      in.fail_here("invalid ", what, " code lengths: length ", int(len),
                   " (expected at most ", kMaxBits, ")");
    ++count_[len];
  }
  count_[0] = 0;

  // Kraft's inequality: a prefix code of these lengths exists iff
  // sum 2^-len <= 1. `left` counts the codes still free at each length;
  // going negative means over-subscribed, ending positive means incomplete.
  int left = 1;
  int used = 0;
  for (int len = 1; len <= kMaxBits; ++len) {
    left = 2 * left - count_[len];
    used += count_[len];
    if (left < 0)
      in.fail_here("invalid ", what, " code lengths: too many codes of ",
                   "length ", len, " (the code is over-subscribed)");
  }
  if (used == 0 && !allow_empty)
    in.fail_here("invalid ", what, " code lengths: no symbol has a code");
  const bool single = used == 1 && count_[1] == 1;
  if (left > 0 && used > 0 && !single)
    in.fail_here("invalid ", what, " code lengths: the code is incomplete");

  // offset[len]: where the symbols of that length start in symbols_.
  std::array<std::uint16_t, kMaxBits + 2> offset{};
  for (int len = 1; len <= kMaxBits; ++len)
    offset[len + 1] = static_cast<std::uint16_t>(offset[len] + count_[len]);
  for (std::size_t s = 0; s < lengths.size(); ++s)
    if (lengths[s] != 0) symbols_[offset[lengths[s]]++] = std::uint16_t(s);

  // Walk the codes in canonical order to fill the fast table: each code of
  // length len <= kFastBits owns every table slot whose low len bits are
  // its reversed code (the higher bits belong to whatever follows).
  fast_.fill(0);
  unsigned code = 0;
  int index = 0;
  for (int len = 1; len <= kFastBits; ++len) {
    for (int k = 0; k < count_[len]; ++k, ++code, ++index) {
      const std::uint16_t entry =
          static_cast<std::uint16_t>(symbols_[index] << 4 | len);
      for (unsigned slot = reverse_bits(code, len); slot < fast_.size();
           slot += 1u << len)
        fast_[slot] = entry;
    }
    code <<= 1;
  }
}

// The canonical walk (as in Mark Adler's puff.c, in our words): read one bit
// at a time; `code` is the value so far, `first` the first code of the
// current length. A code of this length is one of count[len] numbers from
// first, else move on to the next length.
int HuffmanCode::decode_slow(BitReader& in) const {
  int code = 0, first = 0, index = 0;
  const std::uint32_t bits = in.peek(kMaxBits);
  for (int len = 1; len <= kMaxBits; ++len) {
    code |= static_cast<int>((bits >> (len - 1)) & 1u);
    const int count = count_[len];
    if (code - first < count) {
      in.consume(len);
      return symbols_[index + (code - first)];
    }
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  in.fail_here("invalid ", what_, " code: the bits match no symbol");
}

}  // namespace hg::detail
