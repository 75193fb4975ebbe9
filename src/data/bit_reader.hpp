// BitReader: reads a DEFLATE stream's bits, least significant bit first.
//
// DEFLATE packs fields starting at the low bit of each byte (RFC 1951 §3.1.1).
// The reader keeps up to 64 bits in a buffer and refills it eight bytes at a
// time, so decoding a symbol costs a mask and a shift, not a loop over bits.
// Past the end of the input it feeds zero bytes instead of reading out of
// bounds, and remembers it did: `check_not_past_end()` then reports the
// stream as truncated. What it is not: a general bit stream (no writing, no
// MSB-first order). Private to src/data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "hourglass/error.hpp"

namespace hg::detail {

class BitReader {
 public:
  // `name` is the file (or "<memory>") and `base` the offset of in[0] in it:
  // every error names the byte offset in the file, not in the slice.
  BitReader(std::span<const std::uint8_t> in, std::string name,
            std::size_t base)
      : in_(in), name_(std::move(name)), base_(base) {}

  // Make sure at least 56 bits are buffered: enough for one length code,
  // its extra bits, a distance code and its extra bits (15+5+15+13 = 48).
  void refill() {
    if (pos_ + 8 <= in_.size()) {
      // Fast path: one 8-byte little-endian load, keep the whole bytes
      // that fit above the bits already buffered.
      std::uint64_t word = 0;
      for (int i = 7; i >= 0; --i) word = (word << 8) | in_[pos_ + i];
      bits_ |= word << count_;
      pos_ += (63 - count_) >> 3;
      count_ |= 56;
      return;
    }
    while (count_ <= 56) {
      const std::uint64_t b = pos_ < in_.size() ? in_[pos_] : 0;
      bits_ |= b << count_;
      ++pos_;
      count_ += 8;
    }
  }

  // The next n (<= 56) bits without consuming them; call refill() first.
  std::uint32_t peek(int n) const {
    return static_cast<std::uint32_t>(bits_ & ((std::uint64_t{1} << n) - 1));
  }
  void consume(int n) {
    bits_ >>= n;
    count_ -= n;
  }
  // Read an n-bit field (n <= 32), low bit first.
  std::uint32_t bits(int n) {
    if (count_ < n) refill();
    const std::uint32_t v = peek(n);
    consume(n);
    return v;
  }

  // Drop the bits up to the next byte boundary (stored blocks start there).
  void align_to_byte() { consume(count_ & 7); }

  // Bits consumed so far, counted from in[0].
  std::size_t bit_position() const { return pos_ * 8 - std::size_t(count_); }
  // Offset in the file of the byte holding the next unread bit.
  std::size_t offset() const { return base_ + bit_position() / 8; }
  // Bytes consumed, rounding a partly used last byte up.
  std::size_t bytes_used() const { return (bit_position() + 7) / 8; }

  // After consuming the padding zeros past the end, the stream was short.
  void check_not_past_end() const {
    if (bit_position() > in_.size() * 8) [[unlikely]]
      fail_at(base_ + in_.size(), "truncated stream: the data ends before ",
              "the final block is complete");
  }

  // Whole bytes straight from the input (for stored blocks): the reader
  // must be byte aligned. Returns the bytes; throws if there are too few.
  std::span<const std::uint8_t> take_bytes(std::size_t n) {
    // Give back the whole bytes still in the buffer, then slice the input.
    const std::size_t at = bit_position() / 8;
    bits_ = 0;
    count_ = 0;
    if (at > in_.size() || in_.size() - at < n)
      fail_at(base_ + in_.size(), "truncated stored block: expected ", n,
              " bytes at offset ", base_ + at, ", the data has ",
              at > in_.size() ? 0 : in_.size() - at);
    pos_ = at + n;
    return in_.subspan(at, n);
  }

  template <class... Parts>
  [[noreturn]] void fail_at(std::size_t offset, const Parts&... parts) const {
    fail("inflate: ", name_, ": byte offset ", offset, ": ", parts...);
  }
  template <class... Parts>
  [[noreturn]] void fail_here(const Parts&... parts) const {
    fail_at(offset(), parts...);
  }

 private:
  std::span<const std::uint8_t> in_;
  std::string name_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;     // next input byte to load (may pass the end)
  std::uint64_t bits_ = 0;  // buffered bits, next one at bit 0
  int count_ = 0;           // how many bits of bits_ are valid
};

}  // namespace hg::detail
