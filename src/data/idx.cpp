// IDX images and labels; see idx.hpp.
#include "hourglass/data/idx.hpp"

#include <array>

#include "hourglass/data/gzip.hpp"
#include "hourglass/error.hpp"

namespace hg {

namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 |
         std::uint32_t(b[at + 2]) << 8 | std::uint32_t(b[at + 3]);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() &&
         s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Checks the magic and the header length; returns the dimensions.
template <std::size_t Rank>
std::array<std::uint32_t, Rank> read_header(std::span<const std::uint8_t> b,
                                            const std::string& name,
                                            const char* what,
                                            std::uint32_t magic) {
  const std::size_t header = 4 + 4 * Rank;
  check(b.size() >= 4, what, ": ", name, ": byte offset ", b.size(),
        ": truncated header: ", b.size(), " bytes (expected ", header, ")");
  const std::uint32_t found = be32(b, 0);
  check(found == magic, what, ": ", name, ": byte offset 0: magic 0x", std::hex,
        found, " (expected 0x", magic, std::dec,
        "; is this the right kind of IDX file?)");
  check(b.size() >= header, what, ": ", name, ": byte offset ", b.size(),
        ": truncated header: ", b.size(), " bytes (expected ", header, ")");
  std::array<std::uint32_t, Rank> dims{};
  for (std::size_t i = 0; i < Rank; ++i) dims[i] = be32(b, 4 + 4 * i);
  return dims;
}

// The data must be exactly `count` bytes after the header.
void check_data_size(std::span<const std::uint8_t> b, std::size_t header,
                     std::uint64_t count, const std::string& name,
                     const char* what) {
  const std::uint64_t have = b.size() - header;
  check(have >= count, what, ": ", name, ": byte offset ", b.size(),
        ": truncated data: ", have, " bytes after the header (expected ", count,
        ")");
  check(have == count, what, ": ", name, ": byte offset ", header + count, ": ",
        have - count, " bytes after the data (expected none)");
}

// The size of a whole images file, as its header gives it; throws on a
// header that is not one (wrong magic, impossible sizes).
std::uint64_t images_file_size(std::span<const std::uint8_t> b,
                               const std::string& name) {
  const char* what = "load_idx_images";
  const auto [n, rows, cols] = read_header<3>(b, name, what, 0x00000803);
  check(n <= 0x7FFFFFFF && rows > 0 && cols > 0 &&
            rows * std::uint64_t(cols) <= 1u << 20,
        what, ": ", name, ": byte offset 4: sizes (", n, ", ", rows, ", ", cols,
        ") (expected N < 2^31 and images of at most 2^20 pixels)");
  return 16 + std::uint64_t(n) * rows * cols;
}

std::uint64_t labels_file_size(std::span<const std::uint8_t> b,
                               const std::string& name) {
  const char* what = "load_idx_labels";
  const auto [n] = read_header<1>(b, name, what, 0x00000801);
  check(n <= 0x7FFFFFFF, what, ": ", name, ": byte offset 4: ", n,
        " labels (expected fewer than 2^31)");
  return 8 + std::uint64_t(n);
}

// The bytes of an IDX file, gunzipped if its name ends in ".gz". A gzipped
// file is inflated in two goes: first only its header, which says how
// large the whole is, then all of it with that size as the bound, so a
// file that inflates to more (a decompression bomb, or data appended) is
// refused as soon as it passes it, not after filling memory.
std::vector<std::uint8_t> read_idx_file(
    const std::string& path, std::size_t header_size,
    std::uint64_t (*file_size)(std::span<const std::uint8_t>, const std::string&),
    const char* what) {
  if (!ends_with(path, ".gz")) return read_file_bytes(path);
  const std::vector<std::uint8_t> gz = read_file_bytes(path);
  const std::vector<std::uint8_t> head = gunzip_head(gz, header_size, path);
  const std::uint64_t size = file_size(head, path);
  // DEFLATE writes at most 258 bytes per 2 bits: a header that promises
  // more than the compressed bytes can hold is refused before any memory
  // is set aside for it.
  const std::uint64_t most = std::uint64_t(gz.size()) * 1032 + 1024;
  check(size <= most, what, ": ", path, ": byte offset 4: the header gives ",
        size, " bytes in all, more than ", gz.size(),
        " gzipped bytes can inflate to (at most ", most, ")");
  return gunzip(gz, path, std::size_t(size));
}

}  // namespace

IdxImages parse_idx_images(std::span<const std::uint8_t> b,
                           const std::string& name) {
  const char* what = "load_idx_images";
  const std::uint64_t data = images_file_size(b, name) - 16;
  const auto [n, rows, cols] = read_header<3>(b, name, what, 0x00000803);
  const std::uint64_t pixels = std::uint64_t(rows) * cols;
  check_data_size(b, 16, data, name, what);

  IdxImages out;
  out.rows = static_cast<int>(rows);
  out.cols = static_cast<int>(cols);
  // resize, not Tensor(shape): every element is written below, so the
  // zero fill would be a wasted pass over up to 188 MB.
  out.images.resize(Shape{static_cast<int>(n), static_cast<int>(pixels)});
  // A 256-entry table of p / 255 turns the divide into a load.
  std::array<float, 256> scale{};
  for (int p = 0; p < 256; ++p) scale[p] = static_cast<float>(p) / 255.0f;
  const std::uint8_t* src = b.data() + 16;
  float* dst = out.images.data();
  for (std::size_t i = 0; i < out.images.size(); ++i) dst[i] = scale[src[i]];
  return out;
}

std::vector<std::uint8_t> parse_idx_labels(std::span<const std::uint8_t> b,
                                           const std::string& name,
                                           int num_classes) {
  const char* what = "load_idx_labels";
  check_data_size(b, 8, labels_file_size(b, name) - 8, name, what);
  std::vector<std::uint8_t> labels(b.begin() + 8, b.end());
  for (std::size_t i = 0; i < labels.size(); ++i)
    check(labels[i] < num_classes, what, ": ", name, ": byte offset ", 8 + i,
          ": label ", int(labels[i]), " (expected 0..", num_classes - 1, ")");
  return labels;
}

IdxImages load_idx_images(const std::string& path) {
  return parse_idx_images(
      read_idx_file(path, 16, images_file_size, "load_idx_images"), path);
}

std::vector<std::uint8_t> load_idx_labels(const std::string& path,
                                          int num_classes) {
  return parse_idx_labels(
      read_idx_file(path, 8, labels_file_size, "load_idx_labels"), path,
      num_classes);
}

}  // namespace hg
