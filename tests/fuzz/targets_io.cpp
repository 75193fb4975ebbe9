// The fuzz targets of the io layer (see targets.hpp): checkpoints coming
// back from disk and the command line. hg::Error is the expected refusal;
// everything else escapes.
#include <string>
#include <vector>

#include "attempt.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/io/safetensors.hpp"

namespace hg_fuzz {

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
                hg::flag("noisy", &noisy, "noise on")},
      .resumable = true};
  return attempt([&] {
    hg::parse_lesson_flags(int(argv.size()), argv.data(), info);
    (void)hg::lesson_usage(info);
  });
}

}  // namespace hg_fuzz
