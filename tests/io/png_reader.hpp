// A test-only PNG reader for what png.cpp writes: it walks the chunk list,
// checks every CRC, joins the IDAT chunks, unwraps the zlib stream (header
// check, stored DEFLATE blocks with LEN/NLEN, Adler-32) and removes the
// filter bytes, and checks that the data layer's zlib_inflate reads the
// same bytes. Anything unexpected throws std::runtime_error, so a test
// that decodes a file checks the writer byte by byte.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "hourglass/data/checksum.hpp"
#include "hourglass/data/inflate.hpp"

struct DecodedPng {
  int width = 0, height = 0, channels = 0;
  std::vector<std::string> chunk_types;
  std::vector<std::uint8_t> pixels;  // (height, width, channels)
  int stored_blocks = 0;
  int at(int row, int col, int ch = 0) const {
    return pixels[(std::size_t(row) * width + col) * channels + ch];
  }
};

inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 |
         std::uint32_t(p[2]) << 8 | p[3];
}

inline std::vector<std::uint8_t> unwrap_zlib_stored(
    const std::vector<std::uint8_t>& z, int* blocks) {
  auto need = [&](bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("zlib: ") + what);
  };
  need(z.size() >= 6, "too short");
  need((z[0] * 256 + z[1]) % 31 == 0 && (z[0] & 0x0F) == 8, "bad header");
  std::vector<std::uint8_t> out;
  std::size_t at = 2;
  bool final = false;
  *blocks = 0;
  while (!final) {
    need(at + 5 <= z.size(), "truncated block header");
    final = z[at] & 1;
    need((z[at] >> 1) == 0, "not a stored block");
    const unsigned len = z[at + 1] | z[at + 2] << 8;
    const unsigned nlen = z[at + 3] | z[at + 4] << 8;
    need((len ^ 0xFFFFu) == nlen, "NLEN is not the complement of LEN");
    at += 5;
    need(at + len <= z.size(), "truncated stored data");
    out.insert(out.end(), z.begin() + at, z.begin() + at + len);
    at += len;
    ++*blocks;
  }
  need(at + 4 == z.size(), "trailer missing or extra bytes");
  need(be32(&z[at]) == hg::adler32(out), "Adler-32 mismatch");
  return out;
}

inline DecodedPng read_png(const std::vector<std::uint8_t>& f) {
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error("png: " + what);
  };
  const std::uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  need(f.size() >= 8 && std::equal(sig, sig + 8, f.begin()), "bad signature");
  DecodedPng png;
  std::vector<std::uint8_t> idat;
  std::size_t at = 8;
  while (at < f.size()) {
    need(at + 12 <= f.size(), "truncated chunk");
    const std::uint32_t len = be32(&f[at]);
    need(at + 12 + len <= f.size(), "truncated chunk data");
    const std::string type(f.begin() + at + 4, f.begin() + at + 8);
    const std::uint32_t crc = be32(&f[at + 8 + len]);
    need(crc == hg::crc32(std::span(&f[at + 4], 4 + len)), "CRC of " + type);
    const std::uint8_t* d = &f[at + 8];
    png.chunk_types.push_back(type);
    if (type == "IHDR") {
      need(len == 13, "IHDR length");
      png.width = int(be32(d));
      png.height = int(be32(d + 4));
      need(d[8] == 8 && (d[9] == 0 || d[9] == 2) && d[10] == 0 && d[11] == 0 &&
               d[12] == 0,
           "IHDR fields");
      png.channels = d[9] == 0 ? 1 : 3;
    } else if (type == "IDAT") {
      idat.insert(idat.end(), d, d + len);
    }
    at += 12 + len;
  }
  need(png.chunk_types.front() == "IHDR" && png.chunk_types.back() == "IEND",
       "chunk order");
  const std::vector<std::uint8_t> raw = unwrap_zlib_stored(idat, &png.stored_blocks);
  // A second opinion: the data layer's general inflate must agree.
  need(hg::zlib_inflate(idat, "IDAT") == raw, "zlib_inflate disagrees");
  const std::size_t stride = std::size_t(png.width) * png.channels + 1;
  need(raw.size() == stride * png.height, "scanline bytes");
  for (int r = 0; r < png.height; ++r) {
    need(raw[r * stride] == 0, "filter byte");
    png.pixels.insert(png.pixels.end(), raw.begin() + r * stride + 1,
                      raw.begin() + (r + 1) * stride);
  }
  return png;
}
