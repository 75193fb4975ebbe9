// The lesson harness: the flags every lesson accepts, its own extra flags,
// numbered steps, and turning any error into a message and an exit code.
//
//   int code_size = 32;
//   hg::LessonInfo info{.name = "01_vanilla", .summary = "...",
//                       .look_for = "what to watch in the whole run",
//                       .epochs = 10, .batch_size = 128, .lr = 1e-3f,
//                       .flags = {hg::flag("code-size", &code_size,
//                                          "size of the code z", 1, 784)}};
//   int main(int argc, char** argv) {
//     return hg::run_lesson(argc, argv, info, [&](hg::Lesson& lesson) {
//       lesson.step(1, "Load the data",
//                   "What this step does and what to look for, in a "
//                   "sentence or two: printed by the program, read here.");
//       ...
//       lesson.figure("loss.svg", "what the picture shows and what to notice");
//       lesson.table("the gradients", {"", "hand", "tape"},
//                    {{"dW", "0.25", "0.25"}});  // printed, and on the page
//       lesson.try_this({{"--code-size 8", "what to expect, in words"}});
//     });
//   }
//
// Common flags: --epochs N --batch-size N --lr X --seed N --threads N
// --data DIR --out DIR --quick --step[=epoch|batch] --synthetic --resume
// --help, written as `--flag value` or `--flag=value`. A bad flag prints
//   error: --epochs expects a positive integer, got "abc"
// and the usage, exit code 2; --help prints the usage, exit code 0; an
// hg::Error while the lesson runs prints `error: <message>`, exit code 1.
// At the end of a successful run the lesson's page, <out>/index.html, shows
// all of it, steps, pictures and tables in order (io/lesson_page.hpp).
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
  // What to look for in the whole run, a sentence or two: printed at the
  // start and shown at the top of the lesson's page. Optional.
  std::string look_for = {};
  int epochs = 10;
  int batch_size = 128;
  float lr = 1e-3f;
  std::vector<LessonFlag> flags = {};  // `= {}`: may be left out of {.name = ...}
  // Whether the lesson checkpoints its training and honours --resume; for
  // the others --resume is refused rather than silently ignored.
  bool resumable = false;
};

// Where --step stops. Each level stops where the one before does, and more:
//   --step        after each numbered step
//   --step=epoch  also after every epoch of training
//   --step=batch  also after each of the first kBatchStops batches of
//                 every training run
enum class StepMode { Off, Steps, Epochs, Batches };
inline constexpr int kBatchStops = 3;

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
  StepMode step = StepMode::Off;  // where to pause (--step)
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

// What a learner would watch in a debugger at a stop inside training: the
// loss of the batch just trained on and, per parameter, how large its
// gradient was and how far the optimizer moved it, relative to its size
// (‖Δw‖/‖w‖; a healthy step is a small fraction, a step near 1 rewrites the
// weight). lessons/common.hpp measures them; Lesson prints them.
struct ParamWatch {
  std::string name, shape;  // "enc.W", "(32, 784)"
  double grad_norm = 0;     // ‖∂L/∂w‖
  double update_ratio = 0;  // ‖Δw‖ / ‖w‖ of the step just taken
};
struct TrainingWatch {
  std::string where;  // "adam: epoch 1, batch 2 of 4"
  double loss = 0;
  std::vector<ParamWatch> params;
};

// What a lesson says about itself as it runs, kept in order so that a page
// of the lesson can be generated from them after the run.
struct LessonStep {
  int n;
  std::string title, what;  // `what`: what it does and what to look for
};
struct LessonFigure {
  int step;                    // the step that wrote it
  std::string file, caption;   // file inside the out dir
};
// One "Try this" experiment: flags to add, and what to expect in words.
struct Experiment {
  std::string flags, expect;
};
// A table of numbers a step shows, each cell as the lesson formatted it.
struct LessonTable {
  int step;  // the step that showed it
  std::string caption;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each as wide as `columns`
};
// One of the lesson's final numbers (see Lesson::result).
struct LessonResult {
  std::string key, label;
  double value;
};
// A result's value as people read it: in the printed table, in results.tsv
// and on the lesson's page ("%.6g").
std::string format_result(double value);
// A number as a table cell, as printf's `format` (one conversion of a
// double, "%.2f", "%+.3g", "σ = %g") would print it.
std::string cell(const char* format, double value);

class Lesson {
 public:
  // `interactive`: whether `in` is a person at a terminal. Stops wait for
  // Enter only then; otherwise (a pipe, /dev/null, CI) they print what they
  // show and run on.
  Lesson(LessonInfo info, LessonOptions options, std::istream& in,
         std::ostream& out, bool interactive = true);

  const LessonOptions& options() const { return options_; }
  const LessonInfo& info() const { return info_; }
  // `file` inside the output directory.
  std::string out_path(const std::string& file) const;

  // Opens step n: prints "== Step n: title ==" and `what` (what the step
  // does and what to look for). With --step it first pauses after the
  // step before it, so each pause comes after a numbered step. It never
  // waits past the end of input.
  void step(int n, std::string_view title, std::string_view what);
  void step(int n, std::string_view title);  // a step without its text yet
  // Pauses after the last step (run_lesson calls it before the results).
  void end_steps();

  // Registers a picture the lesson wrote into the out dir, with a caption
  // saying what it shows and what to notice; prints one line.
  void figure(const std::string& file, std::string_view caption);
  // Prints a table of numbers under the current step, first column to the
  // left and the others to the right, and keeps it for the lesson's page.
  // Every row must have one cell per column. Optional: a lesson may print
  // its numbers itself, but then they are not on the page.
  void table(std::string caption, std::vector<std::string> columns,
             std::vector<std::vector<std::string>> rows);
  // The experiments printed at the end of the run under "Try this".
  void try_this(std::vector<Experiment> experiments);
  // A line printed under the results table, e.g. "training diverged: ...".
  void warn(std::string message);

  // Stops inside training (lessons/common.hpp asks and calls them).
  // `batch` counts the batches of one training run from 1.
  bool stops_at_batch(long batch) const;
  bool stops_at_epoch() const;
  // Prints the watch and, with a person at the terminal, waits for Enter.
  void stop(const TrainingWatch& watch);

  const std::vector<LessonStep>& steps() const { return steps_; }
  const std::vector<LessonFigure>& figures() const { return figures_; }
  const std::vector<LessonTable>& tables() const { return tables_; }
  const std::vector<LessonResult>& results() const { return results_; }
  const std::vector<Experiment>& experiments() const { return experiments_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Prints the warnings and "Try this" (run_lesson calls it after finish).
  void print_closing();

  // Records one of the lesson's final numbers: `key` for machines (the
  // smoke tests read them back), `label` for people. When the lesson ends
  // they are printed as a table and written to <out>/results.txt, one
  // "key value" per line, and to <out>/results.tsv, one "key, value as
  // printed, label" per line, tab-separated (scripts/record-lessons reads it).
  void result(const std::string& key, const std::string& label, double value);
  // Prints the table and writes both files (run_lesson calls it).
  void finish();

 private:
  // Waits for Enter if someone can press it; `after` says what just ended.
  void pause(const std::string& after);

  std::vector<LessonResult> results_;
  std::vector<LessonStep> steps_;
  std::vector<LessonFigure> figures_;
  std::vector<LessonTable> tables_;
  std::vector<Experiment> experiments_;
  std::vector<std::string> warnings_;
  LessonInfo info_;
  LessonOptions options_;
  std::istream& in_;
  std::ostream& out_;
  bool interactive_ = true;
  bool input_ended_ = false;
  bool said_not_waiting_ = false;
};

// Parses the flags, creates the output directory, sets the thread count,
// removes a results.txt and index.html left by an earlier run (so a run that
// fails leaves neither), runs `body`, writes the results and the lesson's
// page (io/lesson_page.hpp), and turns every failure into a message and an
// exit code: 0 done (or --help), 1 error while running, 2 bad command line.
// No exception escapes.
int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body);
// The same with explicit streams, for tests; `interactive` as for Lesson
// (the first form passes whether standard input is a terminal).
int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body, std::istream& in,
               std::ostream& out, std::ostream& err, bool interactive = true);

}  // namespace hg
