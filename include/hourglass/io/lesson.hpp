// The lesson harness: the flags every lesson accepts, its own extra flags,
// numbered steps, and turning any error into a message and an exit code.
//
//   int code_size = 32;
//   hg::LessonInfo info{.name = "01_vanilla", .summary = "...",
//                       .epochs = 10, .batch_size = 128, .lr = 1e-3f,
//                       .flags = {hg::flag("code-size", &code_size,
//                                          "size of the code z", 1, 784)}};
//   int main(int argc, char** argv) {
//     return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
//       lesson.step(1, "Load the data");
//       ...
//     });
//   }
//
// Common flags: --epochs N --batch-size N --lr X --seed N --threads N
// --data DIR --out DIR --quick --step --synthetic --resume --help, written as
// `--flag value` or `--flag=value`. A bad flag prints
//   error: --epochs expects a positive integer, got "abc"
// and the usage, exit code 2; --help prints the usage, exit code 0; an
// hg::Error while the lesson runs prints `error: <message>`, exit code 1.
// What it is not: a general command-line library (no short options, no
// positional arguments, no subcommands).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hourglass/data/dataset.hpp"
#include "hourglass/error.hpp"

namespace hg {

// A lesson-specific flag: its name without "--", its help line, and the
// variable it sets, whose value before parsing is the default. Numbers are
// checked against [min, max].
struct LessonFlag {
  std::string name, help;
  std::variant<int*, float*, std::string*, bool*> target;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

LessonFlag flag(std::string name, int* target, std::string help,
                double min = std::numeric_limits<int>::min(),
                double max = std::numeric_limits<int>::max());
LessonFlag flag(std::string name, float* target, std::string help,
                double min = -std::numeric_limits<double>::infinity(),
                double max = std::numeric_limits<double>::infinity());
LessonFlag flag(std::string name, std::string* target, std::string help);
LessonFlag flag(std::string name, bool* target, std::string help);

// What a lesson says about itself: its defaults, and its own flags.
struct LessonInfo {
  std::string name;     // "01_vanilla": also the default out dir out/<name>
  std::string summary;  // one line, shown by --help
  int epochs = 10;
  int batch_size = 128;
  float lr = 1e-3f;
  std::vector<LessonFlag> flags = {};  // `= {}`: may be left out of {.name = ...}
  // Whether the lesson checkpoints its training and honours --resume; for
  // the others --resume is refused rather than silently ignored.
  bool resumable = false;
};

// The common flags after parsing.
struct LessonOptions {
  int epochs = 10;
  int batch_size = 128;
  float lr = 1e-3f;
  std::uint64_t seed = 42;
  int threads = 1;
  std::string data_dir;  // Fashion-MNIST's *-ubyte.gz files
  std::string out_dir;   // pictures and checkpoints go here
  bool quick = false;    // a few hundred samples: smoke tests
  bool step = false;     // pause between numbered steps
  bool synthetic = false;  // generated images instead of Fashion-MNIST
  bool resume = false;   // continue from the checkpoint in out_dir, if any
  bool help = false;
};

// Where Fashion-MNIST is found by default (Debian's dataset-fashion-mnist).
inline constexpr const char* kDefaultDataDir = kFashionMnistDir;

// A bad command line: run_lesson prints it with the usage, exit code 2.
class FlagError : public Error {
 public:
  using Error::Error;
};

// Parses argv[1..argc); sets the lesson's own flag variables; throws
// FlagError naming the flag and what it expects.
LessonOptions parse_lesson_flags(int argc, const char* const* argv,
                                 const LessonInfo& info);

// The --help text.
std::string lesson_usage(const LessonInfo& info);

class Lesson {
 public:
  Lesson(LessonInfo info, LessonOptions options, std::istream& in,
         std::ostream& out);

  const LessonOptions& options() const { return options_; }
  const LessonInfo& info() const { return info_; }
  // `file` inside the output directory.
  std::string out_path(const std::string& file) const;

  // Prints "== Step n: title ==" and, with --step, waits for Enter. At the
  // end of input (e.g. stdin is /dev/null in CI) it does not wait.
  void step(int n, std::string_view title);

  // Records one of the lesson's final numbers: `key` for machines (the
  // smoke tests read them back), `label` for people. When the lesson ends
  // they are printed as a table and written to <out>/results.txt, one
  // "key value" per line, and to <out>/results.tsv, one "key, value as
  // printed, label" per line, tab-separated (scripts/record-lessons reads it).
  void result(const std::string& key, const std::string& label, double value);
  // Prints the table and writes both files (run_lesson calls it).
  void finish();

 private:
  struct Result {
    std::string key, label;
    double value;
  };
  std::vector<Result> results_;
  LessonInfo info_;
  LessonOptions options_;
  std::istream& in_;
  std::ostream& out_;
  bool input_ended_ = false;
};

// Parses the flags, creates the output directory, sets the thread count,
// runs `body`, and turns every failure into a message and an exit code:
// 0 done (or --help), 1 error while running, 2 bad command line. No
// exception escapes.
int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body);
// The same with explicit streams, for tests.
int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body, std::istream& in,
               std::ostream& out, std::ostream& err);

}  // namespace hg
