// The fuzz targets (see targets.hpp). Each one catches hg::Error, the
// expected refusal, and lets everything else escape.
#include "targets.hpp"

#include <string>
#include <vector>

#include "hourglass/data/gzip.hpp"
#include "hourglass/data/idx.hpp"
#include "hourglass/data/inflate.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/io/safetensors.hpp"

namespace hg_fuzz {

namespace {

template <class F>
Outcome attempt(F&& f) {
  try {
    f();
    return Outcome::Accepted;
  } catch (const hg::Error&) {
    return Outcome::Refused;
  }
}

}  // namespace

Outcome gzip(Bytes in) {
  return attempt([&] { hg::gunzip(in, "fuzz.gz"); });
}

Outcome inflate(Bytes in) {
  if (in.empty()) return attempt([&] { hg::inflate(in); });
  const Bytes rest = in.subspan(1);
  return attempt([&] {
    if (in[0] % 2 == 0)
      hg::inflate(rest, "fuzz.deflate");
    else
      hg::zlib_inflate(rest, "fuzz.zlib");
  });
}

Outcome idx(Bytes in) {
  // Both parsers see every input: an images header mutated into a labels
  // header (or back) is exactly the kind of confusion to try.
  const Outcome images = attempt([&] { hg::parse_idx_images(in, "fuzz.idx"); });
  const Outcome labels = attempt([&] { hg::parse_idx_labels(in, "fuzz.idx", 10); });
  return images == Outcome::Accepted || labels == Outcome::Accepted
             ? Outcome::Accepted
             : Outcome::Refused;
}

Outcome safetensors(Bytes in) {
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  return attempt([&] { hg::decode_safetensors(text, "fuzz.safetensors"); });
}

Outcome flags(Bytes in) {
  // argv[0], then one argument per line.
  std::vector<std::string> args{"lesson"};
  std::string arg;
  for (std::uint8_t c : in) {
    if (c == '\n') {
      args.push_back(arg);
      arg.clear();
    } else {
      arg += char(c);
    }
  }
  args.push_back(arg);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());

  // A lesson with one flag of each kind, ranges included.
  int code_size = 32;
  float beta = 1.0f;
  std::string name = "x";
  bool noisy = true;
  const hg::LessonInfo info{
      .name = "fuzz",
      .summary = "fuzzing the flags",
      .flags = {hg::flag("code-size", &code_size, "code", 1, 784),
                hg::flag("beta", &beta, "weight", 0, 10),
                hg::flag("name", &name, "a name"),
                hg::flag("noisy", &noisy, "noise on")}};
  return attempt([&] {
    hg::parse_lesson_flags(int(argv.size()), argv.data(), info);
    (void)hg::lesson_usage(info);
  });
}

}  // namespace hg_fuzz
