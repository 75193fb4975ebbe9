#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "hourglass/data/gzip.hpp"
#include "hourglass/io/png.hpp"
#include "png_reader.hpp"
#include "temp_dir.hpp"

using hg::Shape;
using hg::Tensor;


TEST_SUITE("png") {
  TEST_CASE("a 2x3 gray image decodes to the bytes we meant") {
    // 0 -> 0, 1 -> 255, 0.5 -> round(127.5) = 128, clamping outside [0, 1].
    const float px[] = {0.0f, 1.0f, 0.5f, -3.0f, 7.0f, 0.2f};
    const DecodedPng png = read_png(hg::encode_png(px, 2, 3, 1));
    CHECK(png.width == 3);
    CHECK(png.height == 2);
    CHECK(png.channels == 1);
    CHECK(png.chunk_types == std::vector<std::string>{"IHDR", "IDAT", "IEND"});
    CHECK(png.pixels == std::vector<std::uint8_t>{0, 255, 128, 0, 255, 51});
  }

  TEST_CASE("RGB keeps channels interleaved") {
    const float px[] = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.25f, 0.25f, 0.25f};
    const DecodedPng png = read_png(hg::encode_png(px, 2, 2, 3));
    CHECK(png.channels == 3);
    CHECK(png.at(0, 0, 0) == 255);
    CHECK(png.at(0, 1, 1) == 255);
    CHECK(png.at(1, 0, 2) == 255);
    CHECK(png.at(1, 0, 1) == 0);
    CHECK(png.at(1, 1, 2) == 64);
  }

  TEST_CASE("large images span several stored blocks of <= 65535 bytes") {
    for (int side : {1, 7, 33, 127, 300}) {
      CAPTURE(side);
      std::vector<float> px(std::size_t(side) * side);
      for (std::size_t i = 0; i < px.size(); ++i) px[i] = float(i % 256) / 255;
      const DecodedPng png = read_png(hg::encode_png(px.data(), side, side, 1));
      REQUIRE(png.pixels.size() == px.size());
      for (std::size_t i = 0; i < px.size(); ++i)
        if (png.pixels[i] != i % 256) FAIL("pixel ", i);
      const std::size_t raw = std::size_t(side) * (side + 1);
      CHECK(png.stored_blocks == int((raw + 65534) / 65535));
    }
  }

  TEST_CASE("zlib framing: empty input is one final empty block") {
    const std::vector<std::uint8_t> z = hg::zlib_stored({});
    CHECK(z == std::vector<std::uint8_t>{0x78, 0x01, 0x01, 0x00, 0x00, 0xFF,
                                         0xFF, 0, 0, 0, 1});
  }

  TEST_CASE("NaN, infinity and bad sizes are errors naming the problem") {
    float px[] = {0, 0, 0, 0, std::nanf(""), 0};
    CHECK_THROWS_WITH_AS(hg::encode_png(px, 2, 3, 1),
                         doctest::Contains("pixel (row 1, col 1, channel 0)"),
                         hg::Error);
    px[4] = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(hg::encode_png(px, 2, 3, 1), hg::Error);
    CHECK_THROWS_AS(hg::encode_png(px, 0, 3, 1), hg::Error);
    CHECK_THROWS_AS(hg::encode_png(px, 1, 3, 2), hg::Error);
    CHECK_THROWS_AS(hg::write_png("x.png", Tensor(Shape{2, 2, 2})), hg::Error);
  }

  TEST_CASE("write_png writes a file through a temporary") {
    TempDir dir;
    const std::string path = dir.file("img.png");
    hg::write_png(path, Tensor(Shape{4, 5}, 1.0f));
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    const DecodedPng png = read_png(hg::read_file_bytes(path));
    CHECK(png.width == 5);
    CHECK(png.height == 4);
    CHECK(png.at(3, 4) == 255);
    Tensor bad(Shape{2, 2});
    bad[3] = std::nanf("");
    CHECK_THROWS_WITH_AS(hg::write_png(dir.file("bad.png"), bad),
                         doctest::Contains("bad.png"), hg::Error);
    CHECK_FALSE(std::filesystem::exists(dir.file("bad.png")));
    CHECK_THROWS_AS(hg::write_png(dir.file("no/dir.png"), Tensor(Shape{1, 1})),
                    hg::Error);
  }
}
