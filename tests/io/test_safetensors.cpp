#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hourglass/data/gzip.hpp"
#include "hourglass/io/safetensors.hpp"
#include "hourglass/rng.hpp"
#include "temp_dir.hpp"

using hg::Shape;
using hg::Tensor;

namespace {

std::string with_header(const std::string& json, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += char((json.size() >> (8 * i)) & 0xFF);
  return out + json + data;
}

}  // namespace

TEST_SUITE("safetensors") {
  TEST_CASE("a tiny file has the byte layout of the format") {
    Tensor a(Shape{2}, {1.0f, -2.0f});
    const std::string bytes = hg::encode_safetensors({{"a", &a}});
    const std::string header =
        R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})"
        "   ";  // 61 characters padded to 64, so the data is 8-byte aligned
    const std::string expected = std::string("\x40\0\0\0\0\0\0\0", 8) + header +
                                 std::string("\0\0\x80\x3f\0\0\0\xc0", 8);
    CHECK(bytes == expected);
  }

  TEST_CASE("round trip keeps names, shapes, values and metadata") {
    TempDir dir;
    hg::Rng rng(7);
    Tensor w(Shape{33, 7}), b(Shape{7}), s(Shape{}), e(Shape{0, 3}),
        c(Shape{2, 3, 4, 5});
    rng.fill_normal(w, 0, 1);
    rng.fill_normal(b, 0, 1);
    rng.fill_normal(c, 0, 1);
    s[0] = 3.5f;
    const std::string path = dir.file("model.safetensors");
    hg::save_safetensors(path,
                         {{"enc.W", &w}, {"enc.b", &b}, {"scalar", &s},
                          {"empty", &e}, {"conv \"k\"", &c}},
                         {{"lesson", "01_vanilla"}, {"epoch", "10"}});
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    hg::Checkpoint ck = hg::read_safetensors(path);
    REQUIRE(ck.tensors.size() == 5);
    CHECK(ck.metadata.at("lesson") == "01_vanilla");
    CHECK(ck.metadata.at("epoch") == "10");
    const Tensor& w2 = ck.tensors.at("enc.W");
    CHECK(w2.shape() == w.shape());
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(w2[i] == w[i]);
    CHECK(ck.tensors.at("scalar").rank() == 0);
    CHECK(ck.tensors.at("scalar")[0] == 3.5f);
    CHECK(ck.tensors.at("empty").shape() == Shape{0, 3});
    CHECK(ck.tensors.at("conv \"k\"").shape() == c.shape());
    CHECK(ck.tensors.at("conv \"k\"")[119] == c[119]);
  }

  TEST_CASE("bad names are refused on save") {
    Tensor a(Shape{1});
    CHECK_THROWS_AS(hg::encode_safetensors({{"a", &a}, {"a", &a}}), hg::Error);
    CHECK_THROWS_AS(hg::encode_safetensors({{"", &a}}), hg::Error);
    CHECK_THROWS_AS(hg::encode_safetensors({{"__metadata__", &a}}), hg::Error);
  }

  TEST_CASE("truncation at every byte is an error, never garbage") {
    Tensor a(Shape{3, 2}, {1, 2, 3, 4, 5, 6}), b(Shape{4}, 0.5f);
    const std::string bytes =
        hg::encode_safetensors({{"a", &a}, {"b", &b}}, {{"k", "v"}});
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      CHECK_THROWS_AS(hg::decode_safetensors(bytes.substr(0, n), "t.st"),
                      hg::Error);
    }
    CHECK(hg::decode_safetensors(bytes, "t.st").tensors.size() == 2);
    // One byte too many is as wrong as one too few.
    CHECK_THROWS_AS(hg::decode_safetensors(bytes + "x", "t.st"), hg::Error);
  }

  TEST_CASE("edited headers are errors that name the file and the field") {
    const std::string data(8, '\0');
    auto error_of = [&](const std::string& json) {
      try {
        hg::decode_safetensors(with_header(json, data), "m.st");
      } catch (const hg::Error& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    const std::string ok =
        R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})";
    CHECK(error_of(ok) == "no error");
    CHECK(error_of(R"({"a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 8]}})")
              .find("dtype is F16") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})")
              .find("needs 12") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})")
              .find("m.st") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})")
              .find("shape[0]") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                       "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})")
              .find("contiguous") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                       "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})")
              .find("duplicate key") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [2]}})")
              .find("data_offsets") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [1, 1, 1, 1, 2], "data_offsets": [0, 8]}})")
              .find("rank 5") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"k": 1}})")
              .find("expected a string") != std::string::npos);
    CHECK(error_of(R"([1, 2])").find("expected an object") != std::string::npos);
    CHECK(error_of(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},})")
              .find("expected a key") != std::string::npos);
    // A header length far beyond the file must not allocate or read past it.
    std::string huge = with_header(ok, data);
    huge[6] = '\x7f';
    CHECK_THROWS_AS(hg::decode_safetensors(huge, "m.st"), hg::Error);
  }

  TEST_CASE("a failed write leaves the old checkpoint intact") {
    TempDir dir;
    const std::string path = dir.file("ck.safetensors");
    Tensor old(Shape{2}, {1, 2}), fresh(Shape{2}, {3, 4});
    hg::save_safetensors(path, {{"w", &old}});
    const std::vector<std::uint8_t> before = hg::read_file_bytes(path);
    // The temporary cannot be created: a directory sits where it would go.
    std::filesystem::create_directory(path + ".tmp");
    CHECK_THROWS_AS(hg::save_safetensors(path, {{"w", &fresh}}), hg::Error);
    std::filesystem::remove(path + ".tmp");
    // A throw before anything is written (duplicate names).
    CHECK_THROWS_AS(hg::save_safetensors(path, {{"w", &fresh}, {"w", &fresh}}),
                    hg::Error);
    CHECK(hg::read_file_bytes(path) == before);
    CHECK(hg::load_safetensors(path).at("w")[1] == 2.0f);
    // Writing into a missing directory fails with the path in the message.
    try {
      hg::save_safetensors(dir.file("missing/ck.safetensors"), {{"w", &fresh}});
      FAIL("expected an error");
    } catch (const hg::Error& e) {
      CHECK(std::string(e.what()).find("missing/ck.safetensors") !=
            std::string::npos);
    }
    CHECK_THROWS_AS(hg::load_safetensors(dir.file("nope.safetensors")),
                    hg::Error);
  }

  TEST_CASE("parameters load by name, all or nothing") {
    TempDir dir;
    const std::string path = dir.file("params.safetensors");
    hg::Parameter W("enc.W", Tensor(Shape{2, 3}, {1, 2, 3, 4, 5, 6}));
    hg::Parameter b("enc.b", Tensor(Shape{3}, {7, 8, 9}));
    hg::save_parameters(path, {&W, &b});

    hg::Parameter W2("enc.W", Tensor(Shape{2, 3}));
    hg::Parameter b2("enc.b", Tensor(Shape{3}));
    hg::load_parameters(path, {&W2, &b2});
    CHECK(W2.value.at(1, 2) == 6);
    CHECK(b2.value[0] == 7);
    CHECK(W2.grad.shape() == W2.value.shape());

    hg::Parameter only_W("enc.W", Tensor(Shape{2, 3}));
    hg::load_parameters(path, {&only_W});  // extra tensors in the file are fine
    CHECK(only_W.value[0] == 1);

    hg::Parameter ok("enc.W", Tensor(Shape{2, 3}));
    hg::Parameter wrong("enc.b", Tensor(Shape{4}));
    CHECK_THROWS_WITH_AS(hg::load_parameters(path, {&ok, &wrong}),
                         doctest::Contains("(4)"), hg::Error);
    CHECK(ok.value[0] == 0);  // untouched: the load failed as a whole
    hg::Parameter absent("dec.W", Tensor(Shape{1}));
    CHECK_THROWS_WITH_AS(hg::load_parameters(path, {&absent}),
                         doctest::Contains("dec.W"), hg::Error);
  }
}
