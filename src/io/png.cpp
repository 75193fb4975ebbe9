// PNG = signature + IHDR + IDAT + IEND; see png.hpp for the layout.
#include "hourglass/io/png.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

#include "hourglass/data/checksum.hpp"
#include "hourglass/error.hpp"
#include "hourglass/io/atomic_file.hpp"

namespace hg {

namespace {

// PNG stores its integers big-endian ("network byte order").
void put_u32_be(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(std::uint8_t(v >> 24));
  out.push_back(std::uint8_t(v >> 16));
  out.push_back(std::uint8_t(v >> 8));
  out.push_back(std::uint8_t(v));
}

// One chunk: length of the data, type, data, CRC-32 over type + data.
void put_chunk(std::vector<std::uint8_t>& out, const char (&type)[5],
               const std::vector<std::uint8_t>& data) {
  put_u32_be(out, std::uint32_t(data.size()));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  const std::span<const std::uint8_t> covered(out.data() + type_at,
                                              4 + data.size());
  put_u32_be(out, crc32(covered));
}

}  // namespace

std::vector<std::uint8_t> zlib_stored(const std::vector<std::uint8_t>& bytes) {
  constexpr std::size_t kMaxStored = 65535;  // LEN is a 16-bit field
  std::vector<std::uint8_t> out;
  out.reserve(bytes.size() + bytes.size() / kMaxStored * 5 + 16);
  // CMF 0x78: method 8 (deflate), 32 KiB window. FLG 0x01: no dictionary,
  // and (CMF·256 + FLG) divisible by 31, the header's own check.
  out.push_back(0x78);
  out.push_back(0x01);
  std::size_t at = 0;
  do {
    const std::size_t len = std::min(kMaxStored, bytes.size() - at);
    const bool final = at + len == bytes.size();
    // Block header: bit 0 BFINAL, bits 1-2 BTYPE = 00 (stored); a stored
    // block then skips to the byte boundary, and gives LEN and its one's
    // complement NLEN, little-endian.
    out.push_back(final ? 1 : 0);
    out.push_back(std::uint8_t(len));
    out.push_back(std::uint8_t(len >> 8));
    out.push_back(std::uint8_t(~len));
    out.push_back(std::uint8_t(~len >> 8));
    out.insert(out.end(), bytes.begin() + std::ptrdiff_t(at),
               bytes.begin() + std::ptrdiff_t(at + len));
    at += len;
  } while (at < bytes.size());
  put_u32_be(out, adler32(bytes));
  return out;
}

std::vector<std::uint8_t> encode_png(const float* pixels, int height,
                                     int width, int channels) {
  check(height > 0 && width > 0, "png: image is ", height, " x ", width,
        "; expected at least 1 x 1");
  check(channels == 1 || channels == 3, "png: ", channels,
        " channels; expected 1 (gray) or 3 (RGB)");
  // Keep the IDAT below 2 GiB, far above anything a lesson writes.
  check(std::size_t(height) * (std::size_t(width) * channels + 1) < (1u << 31),
        "png: image ", height, " x ", width, " is too large");
  check(pixels != nullptr, "png: pixels are null");

  // Raw scanlines: filter byte 0, then the row's bytes.
  std::vector<std::uint8_t> raw;
  raw.reserve(std::size_t(height) * (std::size_t(width) * channels + 1));
  for (int r = 0; r < height; ++r) {
    raw.push_back(0);
    for (int c = 0; c < width; ++c)
      for (int k = 0; k < channels; ++k) {
        const float v =
            pixels[(std::size_t(r) * width + c) * channels + std::size_t(k)];
        check(std::isfinite(v), "png: pixel (row ", r, ", col ", c,
              ", channel ", k, ") is ", v, "; expected a finite value in [0, 1]");
        raw.push_back(std::uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255)));
      }
  }

  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> ihdr;
  put_u32_be(ihdr, std::uint32_t(width));
  put_u32_be(ihdr, std::uint32_t(height));
  ihdr.push_back(8);                        // bit depth
  ihdr.push_back(channels == 1 ? 0 : 2);    // colour type: gray / RGB
  ihdr.push_back(0);                        // compression: deflate
  ihdr.push_back(0);                        // filter method: adaptive
  ihdr.push_back(0);                        // no interlace
  put_chunk(out, "IHDR", ihdr);
  put_chunk(out, "IDAT", zlib_stored(raw));
  put_chunk(out, "IEND", {});
  return out;
}

void write_png(const std::string& path, const float* pixels, int height,
               int width, int channels) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_png(pixels, height, width, channels);
  } catch (const Error& e) {
    fail(path, ": ", e.what());
  }
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()),
                             bytes.size()));
}

void write_png(const std::string& path, const Tensor& image) {
  const bool gray = image.rank() == 2;
  const bool rgb = image.rank() == 3 && image.dim(2) == 3;
  check(gray || rgb, "write_png ", path, ": image is ", image.shape(),
        "; expected (H, W) gray or (H, W, 3) RGB");
  write_png(path, image.data(), image.dim(0), image.dim(1), gray ? 1 : 3);
}

}  // namespace hg
