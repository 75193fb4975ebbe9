// Parsing the lesson flags. Every value is read whole (std::from_chars must
// consume the entire text) and range-checked, so "--epochs 3x" or
// "--lr nan" is an error instead of a quietly wrong run. A float setting is
// checked again once rounded to float, the type the lesson computes with.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <thread>

#include "hourglass/io/exact_text.hpp"
#include "hourglass/io/lesson.hpp"

namespace hg {

LessonFlag flag(std::string name, int* target, std::string help, double min,
                double max) {
  return {std::move(name), std::move(help), target, min, max};
}
LessonFlag flag(std::string name, float* target, std::string help, double min,
                double max) {
  return {std::move(name), std::move(help), target, min, max};
}
LessonFlag flag(std::string name, std::string* target, std::string help) {
  return {std::move(name), std::move(help), target};
}
LessonFlag flag(std::string name, bool* target, std::string help) {
  return {std::move(name), std::move(help), target};
}

namespace {

[[noreturn]] void bad_value(std::string_view flag, const char* expects,
                            std::string_view got) {
  throw FlagError("--" + std::string(flag) + " expects " + expects + ", got \"" +
                  std::string(got) + "\"");
}

// An integer in [lo, hi]; `expects` describes it for the message.
long long parse_int(std::string_view flag, std::string_view text, long long lo,
                    long long hi, const char* expects) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi)
    bad_value(flag, expects, text);
  return v;
}

double parse_real(std::string_view flag, std::string_view text, double lo,
                  double hi, bool open_lo, const char* expects) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(v) || v < lo || v > hi || (open_lo && v == lo))
    bad_value(flag, expects, text);
  return v;
}

// --step (after each numbered step), --step=epoch, --step=batch, or off.
StepMode parse_step(std::string_view text) {
  if (text == "epoch") return StepMode::Epochs;
  if (text == "batch") return StepMode::Batches;
  if (text == "true" || text == "1" || text == "yes") return StepMode::Steps;
  if (text == "false" || text == "0" || text == "no") return StepMode::Off;
  bad_value("step", "no value, epoch or batch", text);
}

// A float setting: read as a number in the range, then rounded to float,
// which must leave it finite (1e39 becomes inf) and, when the range leaves
// out 0, not 0 (1e-50 becomes 0, a learning rate that would not learn).
float parse_float(std::string_view flag, std::string_view text, double lo,
                  double hi, bool open_lo, const char* expects) {
  const float v = float(parse_real(flag, text, lo, hi, open_lo, expects));
  const std::string why = "--" + std::string(flag) + " expects " + expects +
                          ", got \"" + std::string(text) + "\", which ";
  if (!std::isfinite(v))
    throw FlagError(why + "is too large for a float (the largest is " +
                    exact_text(std::numeric_limits<float>::max()) + ")");
  const bool zero_left_out = lo > 0 || hi < 0 || (open_lo && lo == 0);
  if (v == 0 && zero_left_out)
    throw FlagError(why + "rounds to 0 as a float (the smallest above 0 is " +
                    exact_text(std::numeric_limits<float>::denorm_min()) + ")");
  return v;
}

bool parse_bool(std::string_view flag, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  bad_value(flag, "true or false", text);
}

std::string range_text(const char* kind, double min, double max) {
  std::ostringstream s;
  s << kind;
  if (std::isfinite(min) && min > -2147483648.0) s << " >= " << exact_text(min);
  if (std::isfinite(max) && max < 2147483647.0)
    s << (std::isfinite(min) && min > -2147483648.0 ? " and <= " : " <= ")
      << exact_text(max);
  return s.str();
}

// Sets a lesson-specific flag from its text.
void set_custom(const LessonFlag& f, std::string_view text) {
  if (int* const* p = std::get_if<int*>(&f.target)) {
    const std::string expects = range_text("an integer", f.min, f.max);
    **p = int(parse_int(f.name, text, (long long)std::max(f.min, -2147483648.0),
                        (long long)std::min(f.max, 2147483647.0),
                        expects.c_str()));
  } else if (float* const* p = std::get_if<float*>(&f.target)) {
    const std::string expects = range_text("a number", f.min, f.max);
    **p = parse_float(f.name, text, f.min, f.max, false, expects.c_str());
  } else if (std::string* const* p = std::get_if<std::string*>(&f.target)) {
    **p = std::string(text);
  } else {
    *std::get<bool*>(f.target) = parse_bool(f.name, text);
  }
}

const char* const kCommon[] = {"epochs", "batch-size", "lr",     "seed",
                               "threads", "data",      "out",    "quick",
                               "step",   "synthetic",  "resume", "help"};

bool is_bool_common(std::string_view name) {
  return name == "quick" || name == "step" || name == "synthetic" ||
         name == "resume" || name == "help";
}

}  // namespace

LessonOptions parse_lesson_flags(int argc, const char* const* argv,
                                 const LessonInfo& info) {
  for (const LessonFlag& f : info.flags)
    for (const char* common : kCommon)
      check(f.name != common, info.name, ": lesson flag --", f.name,
            " clashes with a common flag");

  LessonOptions o;
  o.epochs = info.epochs;
  o.batch_size = info.batch_size;
  o.lr = info.lr;
  o.threads = int(std::max(1u, std::min(1024u, std::thread::hardware_concurrency())));
  o.data_dir = kDefaultDataDir;
  o.out_dir = "out/" + info.name;

  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.size() < 3 || arg.substr(0, 2) != "--")
      throw FlagError("unexpected argument \"" + std::string(arg) +
                      "\" (flags start with --)");
    // --name=value or --name [value]
    const std::size_t eq = arg.find('=');
    const std::string_view name = arg.substr(2, eq == arg.npos ? arg.npos : eq - 2);
    const bool inline_value = eq != arg.npos;
    const std::string_view inline_text = inline_value ? arg.substr(eq + 1) : "";

    const LessonFlag* custom = nullptr;
    for (const LessonFlag& f : info.flags)
      if (f.name == name) custom = &f;
    bool known = custom != nullptr;
    for (const char* common : kCommon) known = known || name == common;
    if (!known) throw FlagError("unknown flag --" + std::string(name));

    const bool is_bool = custom ? std::holds_alternative<bool*>(custom->target)
                                : is_bool_common(name);
    std::string_view value;
    if (is_bool) {
      value = inline_value ? inline_text : "true";
    } else if (inline_value) {
      value = inline_text;
    } else {
      // The next argument is the value, unless there is none or it is
      // another flag: "--lr --epochs 3" is a missing value, not lr "--epochs".
      if (i + 1 >= argc || std::string_view(argv[i + 1]).substr(0, 2) == "--")
        throw FlagError("--" + std::string(name) + " expects a value");
      value = argv[++i];
    }

    if (custom) {
      set_custom(*custom, value);
    } else if (name == "epochs") {
      o.epochs = int(parse_int(name, value, 1, 1000000, "a positive integer"));
    } else if (name == "batch-size") {
      o.batch_size = int(parse_int(name, value, 1, 1 << 24, "a positive integer"));
    } else if (name == "lr") {
      o.lr = parse_float(name, value, 0, 1e6, true, "a positive number");
    } else if (name == "seed") {
      std::uint64_t seed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
      if (ec != std::errc() || end != value.data() + value.size())
        bad_value(name, "a non-negative integer", value);
      o.seed = seed;
    } else if (name == "threads") {
      o.threads = int(parse_int(name, value, 1, 1024, "an integer from 1 to 1024"));
    } else if (name == "data" || name == "out") {
      if (value.empty()) bad_value(name, "a directory", value);
      (name == "data" ? o.data_dir : o.out_dir) = std::string(value);
    } else if (name == "step") {
      o.step = parse_step(value);
    } else {
      const bool b = parse_bool(name, value);
      if (name == "quick") o.quick = b;
      if (name == "synthetic") o.synthetic = b;
      if (name == "resume") {
        if (b && !info.resumable)
          throw FlagError("--resume: " + info.name +
                          " keeps no checkpoint to resume from (its runs "
                          "are short; the lessons with long runs do)");
        o.resume = b;
      }
      if (name == "help") o.help = b;
    }
  }
  return o;
}

std::string lesson_usage(const LessonInfo& info) {
  std::ostringstream s;
  auto line = [&](const std::string& flag, const std::string& help) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "  %-20s ", flag.c_str());
    s << buf << help << '\n';
  };
  s << info.name << ": " << info.summary << "\n\nusage: " << info.name
    << " [flags]\n";
  line("--epochs N", "passes over the training set (default " +
                         std::to_string(info.epochs) + ")");
  line("--batch-size N", "samples per gradient step (default " +
                             std::to_string(info.batch_size) + ")");
  line("--lr X", "learning rate (default " + exact_text(info.lr) + ")");
  line("--seed N", "random seed: same seed, same run (default 42)");
  line("--threads N", "threads for the kernels (default: all cores)");
  line("--data DIR", std::string("Fashion-MNIST directory (default ") +
                         kDefaultDataDir + ")");
  line("--out DIR", "where pictures and checkpoints go (default out/" +
                        info.name + ")");
  line("--quick", "a few hundred samples: a smoke test in seconds");
  line("--step", "pause after each numbered step until Enter");
  line("--step=epoch", "... and after every epoch");
  line("--step=batch", "... and after the first batches of each training run");
  line("--synthetic", "generated images instead of Fashion-MNIST");
  line("--resume", "continue from the checkpoint in the out dir");
  line("--help", "this message");
  if (!info.flags.empty()) s << "lesson flags:\n";
  for (const LessonFlag& f : info.flags) {
    std::ostringstream d;
    std::string arg;
    if (int* const* p = std::get_if<int*>(&f.target)) d << **p, arg = " N";
    if (float* const* p = std::get_if<float*>(&f.target))
      d << exact_text(**p), arg = " X";
    if (std::string* const* p = std::get_if<std::string*>(&f.target))
      d << '"' << **p << '"', arg = " S";
    if (bool* const* p = std::get_if<bool*>(&f.target))
      d << (**p ? "on" : "off");
    line("--" + f.name + arg, f.help + " (default " + d.str() + ")");
  }
  s << "Flags take `--flag value` or `--flag=value`.\n";
  return s.str();
}

}  // namespace hg
