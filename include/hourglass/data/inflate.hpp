// Inflate: decompression of DEFLATE streams (RFC 1951) and of the zlib
// wrapper around them (RFC 1950).
//
// What it is: a decoder written to be read, one block type at a time, fast
// enough to unpack Fashion-MNIST's 26 MB training images in a fraction of a
// second, and safe on any input: it never reads or writes out of bounds and
// always ends, either with the data or with an hg::Error that names the file,
// the byte offset and what was expected there. What it is not: a compressor,
// or a streaming decoder (the whole input is in memory, the whole output is
// returned). The gzip wrapper (RFC 1952) lives in gzip.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace hg {

// A bound on how many bytes a stream may inflate to. DEFLATE packs up to
// 1032 output bytes into one input byte, so a file of 1 MB may inflate to
// 1 GB: a caller that knows how much it expects (a header that gives the
// size) passes that, and a larger stream is refused as soon as it passes
// it, before it fills memory.
inline constexpr std::size_t kNoBound = std::numeric_limits<std::size_t>::max();

// What inflate_into does when the output reaches the bound: refuse the
// stream (an hg::Error), or stop there quietly and return what it has
// (to read a header at the start of the data before the rest).
enum class AtBound { Refuse, Stop };

// Decodes one raw DEFLATE stream starting at in[0] (its final block ends it)
// and appends the bytes to `out`; back-references may reach only bytes this
// stream wrote. `name` and `base` (the offset of in[0] in that file) are
// used in error messages. Returns the number of input bytes the stream used
// (a partly used last byte counts), so a wrapper can find its trailer.
// `out` may hold at most `max_out` bytes when done (what it held before
// counts, so a wrapper decoding several streams into one `out` passes one
// bound for all): a longer stream is refused with an hg::Error saying it
// "inflates to more than max_out bytes", before `out` grows much past the
// bound. With AtBound::Stop decoding stops there instead (`out` then holds
// at least max_out bytes, or the whole stream if shorter, and may hold a
// few more), and the return value counts the input used so far.
std::size_t inflate_into(std::span<const std::uint8_t> in,
                         std::vector<std::uint8_t>& out,
                         const std::string& name = "<memory>",
                         std::size_t base = 0, std::size_t max_out = kNoBound,
                         AtBound at_bound = AtBound::Refuse);

// A whole raw DEFLATE stream; trailing bytes after it are an error.
std::vector<std::uint8_t> inflate(std::span<const std::uint8_t> in,
                                  const std::string& name = "<memory>",
                                  std::size_t max_out = kNoBound);

// A zlib stream: 2-byte header (CM = 8 deflate, window <= 32 KiB, FCHECK so
// that the header is a multiple of 31, no preset dictionary), the DEFLATE
// data, then the Adler-32 of the output, big-endian. Checked throughout.
std::vector<std::uint8_t> zlib_inflate(std::span<const std::uint8_t> in,
                                       const std::string& name = "<memory>",
                                       std::size_t max_out = kNoBound);

}  // namespace hg
