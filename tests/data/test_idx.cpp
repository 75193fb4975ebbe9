#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "hourglass/data/idx.hpp"
#include "hourglass/error.hpp"

namespace {

void put_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(std::uint8_t(x >> s));
}

// An IDX image file of n images of rows×cols, pixel (i, p) = (i + p) % 256.
std::vector<std::uint8_t> idx_images(std::uint32_t n, std::uint32_t rows,
                                     std::uint32_t cols) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x00000803);
  put_be32(v, n);
  put_be32(v, rows);
  put_be32(v, cols);
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t p = 0; p < rows * cols; ++p)
      v.push_back(std::uint8_t((i + p) % 256));
  return v;
}

std::vector<std::uint8_t> idx_labels(const std::vector<std::uint8_t>& labels) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x00000801);
  put_be32(v, static_cast<std::uint32_t>(labels.size()));
  v.insert(v.end(), labels.begin(), labels.end());
  return v;
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("idx") {
  TEST_CASE("images and labels round-trip through gzip, scaled to [0, 1]") {
    test::TempDir dir;
    const auto gz = test::write_gz(dir, "img.idx", idx_images(3, 4, 5));
    const hg::IdxImages im = hg::load_idx_images(gz);
    CHECK(im.rows == 4);
    CHECK(im.cols == 5);
    CHECK(im.images.shape() == hg::Shape{3, 20});
    CHECK(im.images.at(0, 0) == 0.0f);
    CHECK(im.images.at(2, 19) == doctest::Approx(21.0 / 255.0));
    const auto big = hg::parse_idx_images(idx_images(1, 16, 16));
    CHECK(big.images.at(0, 255) == 1.0f);  // byte 255 is exactly 1

    const auto lg = test::write_gz(dir, "lab.idx", idx_labels({3, 1, 4, 1, 5}));
    CHECK(hg::load_idx_labels(lg) == std::vector<std::uint8_t>{3, 1, 4, 1, 5});
    // Uncompressed files are read as they are.
    const std::string raw = dir.file("raw.idx");
    test::write_file(raw, idx_labels({9, 0}));
    CHECK(hg::load_idx_labels(raw) == std::vector<std::uint8_t>{9, 0});
  }

  TEST_CASE("wrong magic names the file and offset 0") {
    test::TempDir dir;
    const auto gz = test::write_gz(dir, "lab.idx", idx_labels({1, 2}));
    const std::string e = error_of([&] { hg::load_idx_images(gz); });
    CHECK(has(e, gz + ": byte offset 0: magic 0x801 (expected 0x803"));
    CHECK(has(error_of([&] { hg::parse_idx_labels(idx_images(1, 2, 2)); }),
              "magic 0x803 (expected 0x801"));
  }

  TEST_CASE("truncated header and data, and trailing bytes") {
    const auto im = idx_images(4, 3, 3);  // 16 + 36 bytes
    for (std::size_t cut : {0, 3, 15}) {
      const std::vector<std::uint8_t> part(im.begin(), im.begin() + cut);
      CHECK(has(error_of([&] { hg::parse_idx_images(part); }),
                "truncated header"));
    }
    const std::vector<std::uint8_t> short_data(im.begin(), im.end() - 1);
    CHECK(has(error_of([&] { hg::parse_idx_images(short_data, "x.idx"); }),
              "x.idx: byte offset 51: truncated data: 35 bytes after the "
              "header (expected 36)"));
    auto extra = im;
    extra.push_back(0);
    CHECK(has(error_of([&] { hg::parse_idx_images(extra); }),
              "byte offset 52: 1 bytes after the data"));
    // A header claiming 2^31 images is caught before any allocation.
    auto huge = im;
    huge[4] = 0x80;
    CHECK(has(error_of([&] { hg::parse_idx_images(huge); }), "byte offset 4"));
    huge[4] = 0x10;  // 2^28 images of 9 pixels: far more than the data
    CHECK(has(error_of([&] { hg::parse_idx_images(huge); }), "truncated data"));
  }

  TEST_CASE("labels out of range name their offset") {
    const auto lab = idx_labels({0, 9, 10, 2});
    CHECK(has(error_of([&] { hg::parse_idx_labels(lab, "l.idx", 10); }),
              "l.idx: byte offset 10: label 10 (expected 0..9)"));
    CHECK(hg::parse_idx_labels(lab, "l.idx", 11).size() == 4);
  }

  TEST_CASE("corrupt gzip inside an IDX load names the file") {
    test::TempDir dir;
    const auto gz = test::write_gz(dir, "c.idx", idx_images(2, 8, 8));
    auto bytes = hg::read_file_bytes(gz);
    bytes[bytes.size() - 6] ^= 1;  // inside the stored CRC-32
    test::write_file(gz, bytes);
    CHECK(
        has(error_of([&] { hg::load_idx_images(gz); }), gz + ": byte offset"));
    CHECK(has(error_of([&] { hg::load_idx_images(dir.file("none.gz")); }),
              "cannot open"));
  }

  TEST_CASE("a gzip bomb behind a valid header is refused at the header's size") {
    // The header says 2 images of 4×5 (56 bytes in all); 16 MiB of zeros
    // follow it in a second gzip member.
    test::TempDir dir;
    std::vector<std::uint8_t> head = idx_images(2, 4, 5);
    head.resize(16);
    auto bomb = hg::read_file_bytes(test::write_gz(dir, "head", head));
    const auto zeros = hg::read_file_bytes(
        test::write_gz(dir, "zeros", std::vector<std::uint8_t>(16u << 20, 0)));
    bomb.insert(bomb.end(), zeros.begin(), zeros.end());
    const std::string path = dir.file("bomb-idx3-ubyte.gz");
    test::write_file(path, bomb);
    CHECK(has(error_of([&] { hg::load_idx_images(path); }),
              path + ": byte offset"));
    CHECK(has(error_of([&] { hg::load_idx_images(path); }),
              "the data inflates to more than 56 bytes"));

    std::vector<std::uint8_t> labels_head = idx_labels({1, 2, 3});
    labels_head.resize(8);
    auto label_bomb = hg::read_file_bytes(test::write_gz(dir, "lhead", labels_head));
    label_bomb.insert(label_bomb.end(), zeros.begin(), zeros.end());
    const std::string label_path = dir.file("bomb-idx1-ubyte.gz");
    test::write_file(label_path, label_bomb);
    CHECK(has(error_of([&] { hg::load_idx_labels(label_path); }),
              "the data inflates to more than 11 bytes"));
  }

  TEST_CASE("a header promising more than its gzip can hold is refused unread") {
    // 2^31 - 1 images of 1024×1024 from a file of a few dozen bytes.
    test::TempDir dir;
    std::vector<std::uint8_t> head;
    put_be32(head, 0x803), put_be32(head, 0x7FFFFFFF), put_be32(head, 1024),
        put_be32(head, 1024);
    const auto gz = test::write_gz(dir, "huge-idx3-ubyte", head);
    const std::string e = error_of([&] { hg::load_idx_images(gz); });
    CHECK(has(e, gz + ": byte offset 4: the header gives 2251799812636688 "
                  "bytes in all, more than"));
    CHECK(has(e, "gzipped bytes can inflate to"));
  }
}
