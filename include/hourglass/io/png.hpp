// A PNG writer for 8-bit grayscale and RGB images, so lessons can show
// digits, reconstructions and filters as pictures.
//
// A PNG file is an 8-byte signature, then chunks (length, 4-letter type,
// data, CRC-32 of type + data): IHDR (size and pixel format), IDAT (the
// pixels as a zlib stream), IEND. Each row of pixels is prefixed by its
// filter byte (0: none). The zlib stream (RFC 1950) wraps DEFLATE data
// (RFC 1951) in a 2-byte header and an Adler-32 trailer.
//
// What it is not: a compressor. We emit "stored" DEFLATE blocks (raw bytes
// of at most 65535 each), so files are about as big as the pixels. That is
// a few kilobytes for our grids and keeps the writer short and obviously
// correct. No reading, no palettes, no 16-bit, no interlacing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hourglass/tensor.hpp"

namespace hg {

// Pixels are floats in [0, 1], row-major, channels interleaved (RGBRGB...
// for channels == 3); values outside are clamped, v -> round(255 v). A NaN
// or infinite value throws hg::Error naming the pixel.
// pixels: (height, width, channels), channels 1 (gray) or 3 (RGB).
std::vector<std::uint8_t> encode_png(const float* pixels, int height,
                                     int width, int channels);

// The same, written to `path` through a temporary file + rename.
void write_png(const std::string& path, const float* pixels, int height,
               int width, int channels);

// image: (H, W) grayscale or (H, W, 3) RGB.
void write_png(const std::string& path, const Tensor& image);

// The zlib stream of `bytes` in stored blocks: exposed for the tests.
std::vector<std::uint8_t> zlib_stored(const std::vector<std::uint8_t>& bytes);

}  // namespace hg
