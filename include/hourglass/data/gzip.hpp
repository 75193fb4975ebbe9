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

namespace hg {

// Decompresses gzip data in memory; `name` is used in error messages.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in,
                                 const std::string& name = "<memory>");

// The bytes of a file; throws hg::Error naming the path if it cannot be
// opened or read.
std::vector<std::uint8_t> read_file_bytes(const std::string& path);

// read_file_bytes + gunzip.
std::vector<std::uint8_t> read_gzip_file(const std::string& path);

}  // namespace hg
