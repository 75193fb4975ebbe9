// gzip files (RFC 1952): the wrapper the system's `gzip` writes around a
// DEFLATE stream, and reading whole files into memory.
//
// A gzip file is one or more members; each is a 10-byte header (magic 1f 8b,
// method 8, flags, time, extra flags, OS), optional fields chosen by the
// flags (FEXTRA, FNAME, FCOMMENT, FHCRC), the DEFLATE data, and a trailer:
// CRC-32 and size mod 2^32 of the member's output. Members are decoded and
// concatenated, as `gzip -d` does. Every field is checked; errors name the
// file, the byte offset and what was expected. What it is not: a writer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hourglass/data/inflate.hpp"

namespace hg {

// Decompresses gzip data in memory; `name` is used in error messages. Data
// that inflates to more than `max_out` bytes is refused as soon as it passes
// them (see inflate_into), before it fills memory.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in,
                                 const std::string& name = "<memory>",
                                 std::size_t max_out = kNoBound);

// The first `n` bytes gunzip would give (all of them if there are fewer),
// decoding no more than that takes and checking no trailer past them: a
// header read first, to learn how large the whole should be.
std::vector<std::uint8_t> gunzip_head(std::span<const std::uint8_t> in,
                                      std::size_t n,
                                      const std::string& name = "<memory>");

// The bytes of a file; throws hg::Error naming the path if it cannot be
// opened or read, or is a directory.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

// read_file_bytes + gunzip.
std::vector<std::uint8_t> read_gzip_file(const std::string& path,
                                         std::size_t max_out = kNoBound);

}  // namespace hg
