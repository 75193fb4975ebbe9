#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "hourglass/data/checksum.hpp"
#include "hourglass/data/gzip.hpp"
#include "hourglass/data/inflate.hpp"
#include "hourglass/error.hpp"
#include "hourglass/rng.hpp"

namespace {

// Contents of different character: what each exercises in the encoder.
std::vector<std::uint8_t> random_bytes(std::size_t n, hg::Rng& rng) {
  std::vector<std::uint8_t> v(n);  // incompressible: gzip emits stored blocks
  for (auto& b : v) b = static_cast<std::uint8_t>(rng.below(256));
  return v;
}
std::vector<std::uint8_t> text(std::size_t n, hg::Rng& rng) {
  // Words from a small vocabulary: many short matches, dynamic codes.
  const char* words[] = {"the ",       "autoencoder ", "learns ",  "a ",
                         "code ",      "of ",          "fashion ", "images, ",
                         "then ",      "decodes ",     "it.\n",    "Sparse ",
                         "denoising ", "variational "};
  std::string s;
  while (s.size() < n) s += words[rng.below(14)];
  s.resize(n);
  return test::bytes_of(s);
}
std::vector<std::uint8_t> runs(std::size_t n, hg::Rng& rng) {
  std::vector<std::uint8_t> v;  // long runs: length-258 copies at distance 1
  while (v.size() < n)
    v.insert(v.end(), static_cast<std::size_t>(1 + rng.below(5000)),
             static_cast<std::uint8_t>(rng.below(3)));
  v.resize(n);
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

bool names_offset(const std::string& message) {
  return message.find("byte offset") != std::string::npos;
}

}  // namespace

TEST_SUITE("gzip") {
  TEST_CASE("files made by the system gzip decode to the original") {
    test::TempDir dir;
    hg::Rng rng(11);
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>
        inputs = {{"empty", {}},
                  {"one", {42}},
                  {"random", random_bytes(70000, rng)},
                  {"text", text(200000, rng)},
                  {"runs", runs(300000, rng)}};
    for (const auto& [name, data] : inputs)
      for (const std::string level : {"-1", "-6", "-9"}) {
        CAPTURE(name);
        CAPTURE(level);
        const auto gz = test::write_gz(dir, name + level, data, "-n " + level);
        CHECK(hg::read_gzip_file(gz) == data);
      }
  }

  TEST_CASE("a stored file name (FNAME) is skipped") {
    test::TempDir dir;
    hg::Rng rng(12);
    const auto data = text(5000, rng);
    const auto gz = test::write_gz(dir, "named.txt", data, "-N");
    const auto bytes = hg::read_file_bytes(gz);
    REQUIRE(bytes.size() > 10);
    CHECK((bytes[3] & 8) != 0);  // gzip -N did store the name
    CHECK(hg::gunzip(bytes) == data);
  }

  TEST_CASE("FEXTRA, FCOMMENT and FHCRC fields are read and checked") {
    test::TempDir dir;
    hg::Rng rng(13);
    const auto data = text(3000, rng);
    const auto plain = hg::read_file_bytes(test::write_gz(dir, "x", data));
    // Rebuild the header with the optional fields gzip itself never writes.
    std::vector<std::uint8_t> gz(plain.begin(), plain.begin() + 10);
    gz[3] = 4 | 16 | 2;                           // FEXTRA | FCOMMENT | FHCRC
    gz.insert(gz.end(), {4, 0, 'A', 'B', 2, 0});  // XLEN=4, one subfield
    gz.insert(gz.end(), {'h', 'i', 0});           // comment "hi"
    const std::uint32_t hcrc = hg::crc32(gz) & 0xFFFFu;
    gz.push_back(static_cast<std::uint8_t>(hcrc));
    gz.push_back(static_cast<std::uint8_t>(hcrc >> 8));
    gz.insert(gz.end(), plain.begin() + 10, plain.end());
    CHECK(hg::gunzip(gz) == data);
    auto bad = gz;
    bad[15] ^= 1;  // inside FEXTRA: the header CRC catches it
    CHECK(error_of([&] { hg::gunzip(bad); }).find("header CRC-16") !=
          std::string::npos);
  }

  TEST_CASE("several members decode to their concatenation") {
    test::TempDir dir;
    hg::Rng rng(14);
    const auto a = text(10000, rng), b = runs(20000, rng);
    auto gz = hg::read_file_bytes(test::write_gz(dir, "a", a));
    const auto gb = hg::read_file_bytes(test::write_gz(dir, "b", b, "-9n"));
    gz.insert(gz.end(), gb.begin(), gb.end());
    auto both = a;
    both.insert(both.end(), b.begin(), b.end());
    CHECK(hg::gunzip(gz) == both);
    auto padded = gz;  // zeros after the last member are padding, as gzip -d
    padded.insert(padded.end(), 5, 0);
    CHECK(hg::gunzip(padded) == both);
    gz.push_back(0x1f);  // a third member that is only one byte
    CHECK(names_offset(error_of([&] { hg::gunzip(gz); })));
  }

  TEST_CASE("header errors: magic, method, flags") {
    test::TempDir dir;
    hg::Rng rng(15);
    const auto gz =
        hg::read_file_bytes(test::write_gz(dir, "h", text(500, rng)));
    auto magic = gz;
    magic[1] = 0x8c;
    CHECK(error_of([&] {
            hg::gunzip(magic, "f.gz");
          }).find("f.gz: byte offset 0: bad magic") != std::string::npos);
    auto method = gz;
    method[2] = 7;
    CHECK(error_of([&] {
            hg::gunzip(method);
          }).find("byte offset 2: unsupported compression method 7") !=
          std::string::npos);
    auto flags = gz;
    flags[3] = 0x80;
    CHECK(error_of([&] { hg::gunzip(flags); }).find("reserved flag") !=
          std::string::npos);
    CHECK(error_of([&] {
            hg::read_gzip_file(dir.file("missing.gz"));
          }).find("cannot open") != std::string::npos);
  }

  TEST_CASE("trailer errors: CRC-32 and ISIZE") {
    test::TempDir dir;
    hg::Rng rng(16);
    const auto gz =
        hg::read_file_bytes(test::write_gz(dir, "t", text(800, rng)));
    const std::size_t n = gz.size();
    auto crc = gz;
    crc[n - 8] ^= 0x01;
    CHECK(
        error_of([&] {
          hg::gunzip(crc);
        }).find("byte offset " + std::to_string(n - 8) + ": CRC-32 mismatch") !=
        std::string::npos);
    auto size = gz;
    size[n - 2] ^= 0x01;
    CHECK(error_of([&] {
            hg::gunzip(size);
          }).find("byte offset " + std::to_string(n - 4) + ": size mismatch") !=
          std::string::npos);
  }

  TEST_CASE("truncation at every point is an error naming the offset") {
    test::TempDir dir;
    hg::Rng rng(17);
    for (const auto& data : {text(4000, rng), random_bytes(3000, rng)}) {
      const auto gz = hg::read_file_bytes(test::write_gz(dir, "cut", data));
      for (std::size_t cut = 0; cut < gz.size(); ++cut) {
        CAPTURE(cut);
        const std::vector<std::uint8_t> part(gz.begin(), gz.begin() + cut);
        CHECK(names_offset(error_of([&] { hg::gunzip(part); })));
      }
    }
  }

  TEST_CASE("flipping any byte of the data or trailer is detected") {
    // Bytes 4..9 (time, extra flags, OS) carry no meaning to check; from
    // byte 10 on, every change must surface as an error.
    test::TempDir dir;
    hg::Rng rng(18);
    for (const auto& data : {text(3000, rng), runs(5000, rng)}) {
      const auto gz = hg::read_file_bytes(test::write_gz(dir, "flip", data));
      for (std::size_t at = 0; at < gz.size(); ++at) {
        if (at >= 4 && at < 10) continue;
        CAPTURE(at);
        auto bad = gz;
        bad[at] ^= 0xFF;
        CHECK(names_offset(error_of([&] { hg::gunzip(bad); })));
      }
    }
  }

  TEST_CASE("mutated streams end in the data or an hg::Error, never worse") {
    // A small fuzz run: a few random byte changes, sometimes a cut. Any
    // decode that succeeds must give back the original, since the CRC-32
    // covers it (changes to the unchecked time/OS bytes are harmless).
    test::TempDir dir;
    hg::Rng rng(19);
    const auto data = text(6000, rng);
    const auto gz = hg::read_file_bytes(test::write_gz(dir, "fuzz", data));
    int rejected = 0;
    for (int t = 0; t < 1500; ++t) {
      auto bad = gz;
      for (int k = 1 + rng.below(3); k > 0; --k)
        bad[std::size_t(rng.below(int(bad.size())))] =
            static_cast<std::uint8_t>(rng.below(256));
      if (rng.bernoulli(0.25f))
        bad.resize(std::size_t(rng.below(int(bad.size()) + 1)));
      try {
        const auto out = hg::gunzip(bad);
        CHECK(out == data);
      } catch (const hg::Error&) {
        ++rejected;
      }
    }
    CHECK(rejected > 1000);
  }

  TEST_CASE("a bomb is refused at the caller's bound, its output never grown far past it") {
    // 16 MiB of zeros gzip to about 16 KB; the caller expects 1,000 bytes.
    test::TempDir dir;
    const auto gz = hg::read_file_bytes(
        test::write_gz(dir, "zeros", std::vector<std::uint8_t>(16u << 20, 0)));
    CHECK(hg::gunzip(gz).size() == 16u << 20);  // no bound: all of it

    const std::string e = error_of([&] { hg::gunzip(gz, "bomb.gz", 1000); });
    CHECK(e.find("inflate: bomb.gz: byte offset ") == 0);
    CHECK(e.find("the data inflates to more than 1000 bytes, the most expected "
                 "here") != std::string::npos);

    // The DEFLATE data of a `gzip -n` file sits between its 10-byte header
    // and its 8-byte trailer. What `out` grew to is the memory the bomb got.
    const std::span<const std::uint8_t> deflate =
        std::span(gz).subspan(10, gz.size() - 18);
    std::vector<std::uint8_t> out;
    CHECK_THROWS_AS(hg::inflate_into(deflate, out, "bomb", 10, 1000), hg::Error);
    CHECK(out.size() <= 1000 + 258);
    CHECK(out.capacity() <= 1000 + 258 + 8);
    // Exactly at the bound is allowed; one byte less is not.
    CHECK(hg::gunzip(gz, "exact", 16u << 20).size() == 16u << 20);
    CHECK_THROWS_AS(hg::gunzip(gz, "short", (16u << 20) - 1), hg::Error);
  }

  TEST_CASE("gunzip_head: the first bytes, even across members, without the rest") {
    test::TempDir dir;
    hg::Rng rng(3);
    const std::vector<std::uint8_t> a = text(5, rng), b = text(40000, rng);
    auto one = hg::read_file_bytes(test::write_gz(dir, "a", a));
    const auto two = hg::read_file_bytes(test::write_gz(dir, "b", b));
    one.insert(one.end(), two.begin(), two.end());
    const std::vector<std::uint8_t> head = hg::gunzip_head(one, 16, "ab.gz");
    REQUIRE(head.size() == 16);
    CHECK(std::equal(a.begin(), a.end(), head.begin()));
    CHECK(std::equal(head.begin() + 5, head.end(), b.begin()));
    CHECK(hg::gunzip_head(one, 1u << 20, "ab.gz").size() == a.size() + b.size());
    // Its bound ends the decoding: a bomb gives its head at once.
    const auto gz = hg::read_file_bytes(
        test::write_gz(dir, "zeros", std::vector<std::uint8_t>(16u << 20, 0)));
    CHECK(hg::gunzip_head(gz, 8, "bomb.gz") == std::vector<std::uint8_t>(8, 0));
  }
}
