// The fuzz targets: each feeds arbitrary bytes to one parser of untrusted
// input and accepts exactly two outcomes, a result or an hg::Error.
//
// Shared by the seeded mutation harness that runs in the test suite
// (test_fuzz.cpp) and by the libFuzzer entry points (fuzz_main.cpp, built
// only with clang; see scripts/fuzz). Defined in targets_data.cpp and
// targets_io.cpp, so each libFuzzer program links only its own layer. Anything else (another exception, a
// crash, a sanitizer report, a hang) is a bug. What this is not: a test of
// the parsers' answers on valid input; their own tests do that.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace hg_fuzz {

using Bytes = std::span<const std::uint8_t>;

// What a target did with one input.
enum class Outcome { Accepted, Refused };

Outcome gzip(Bytes in);         // hg::gunzip
Outcome inflate(Bytes in);      // in[0] even: raw DEFLATE, odd: zlib
Outcome idx(Bytes in);          // images and labels parsers
Outcome safetensors(Bytes in);  // hg::decode_safetensors
Outcome flags(Bytes in);        // parse_lesson_flags, '\n' between arguments

struct Target {
  std::string_view name;  // also the corpus folder: tests/fuzz/corpus/<name>
  Outcome (*run)(Bytes);
};
inline constexpr Target kTargets[] = {
    {"gzip", gzip}, {"inflate", inflate}, {"idx", idx},
    {"safetensors", safetensors}, {"flags", flags}};

}  // namespace hg_fuzz
