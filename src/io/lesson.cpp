// Running a lesson: steps, the output directory, and the one place where
// errors become messages and exit codes.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/exact_text.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

Lesson::Lesson(LessonInfo info, LessonOptions options, std::istream& in,
               std::ostream& out)
    : info_(std::move(info)), options_(std::move(options)), in_(in), out_(out) {}

std::string Lesson::out_path(const std::string& file) const {
  return (std::filesystem::path(options_.out_dir) / file).string();
}

void Lesson::step(int n, std::string_view title) {
  out_ << "\n== Step " << n << ": " << title << " ==\n" << std::flush;
  if (!options_.step || input_ended_) return;
  out_ << "(press Enter to continue)" << std::flush;
  std::string line;
  // At the end of input there is no one to press Enter: stop asking.
  if (!std::getline(in_, line)) {
    input_ended_ = true;
    out_ << '\n';
  }
}

void Lesson::result(const std::string& key, const std::string& label,
                    double value) {
  check(!key.empty() && key.find_first_of(" \t\n") == std::string::npos,
        "Lesson::result: key \"", key, "\" must be one word");
  for (Result& r : results_)
    if (r.key == key) {
      r = {key, label, value};
      return;
    }
  results_.push_back({key, label, value});
}

void Lesson::finish() {
  if (results_.empty()) return;
  // Labels may hold UTF-8 (σ, ², …): pad by characters, not bytes. A
  // character is every byte that is not a continuation byte 10xxxxxx.
  auto columns = [](const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0) != 0x80;
    return n;
  };
  std::size_t width = 0;
  for (const Result& r : results_) width = std::max(width, columns(r.label));
  out_ << "\n== Results (" << info_.name << (options_.quick ? ", --quick" : "")
       << ") ==\n";
  std::ostringstream file;
  file.precision(9);
  for (const Result& r : results_) {
    char number[32];
    std::snprintf(number, sizeof number, "%.6g", r.value);
    out_ << "  " << r.label << std::string(width - columns(r.label) + 2, ' ')
         << number << '\n';
    file << r.key << ' ' << r.value << '\n';
  }
  write_file_atomically(out_path("results.txt"), file.str());
  out_ << "(written to " << out_path("results.txt") << ")\n";
}

int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body) {
  return run_lesson(argc, argv, info, body, std::cin, std::cout, std::cerr);
}

namespace {

// A folder that exists may still refuse files (read-only, another owner's,
// a full disk): try one now, so that the run stops before its training
// rather than at its first picture or checkpoint.
void check_writable(const std::string& dir) {
  const std::filesystem::path probe =
      std::filesystem::path(dir) / ".hourglass-write-test";
  bool ok = false;
  int error = 0;
  {
    std::ofstream out(probe, std::ios::binary | std::ios::trunc);
    ok = out.is_open() && (out << "ok").flush().good();
    if (!ok) error = errno;
  }
  std::error_code ignored;
  std::filesystem::remove(probe, ignored);
  check(ok, "cannot write to the output directory ", dir, " (",
        std::strerror(error),
        "); expected a folder this user can write to: pass --out DIR");
}

}  // namespace

int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body, std::istream& in,
               std::ostream& out, std::ostream& err) {
  LessonOptions options;
  try {
    options = parse_lesson_flags(argc, argv, info);
  } catch (const FlagError& e) {
    err << "error: " << e.what() << "\n\n" << lesson_usage(info);
    return 2;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << '\n';
    return 1;
  }
  if (options.help) {
    out << lesson_usage(info);
    return 0;
  }
  try {
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    check(!ec, "cannot create the output directory ", options.out_dir, " (",
          ec.message(), ")");
    check_writable(options.out_dir);
    kernels::set_num_threads(options.threads);
    Lesson lesson(info, options, in, out);
    out << info.name << ": " << info.summary << '\n'
        << "settings: epochs " << options.epochs << ", batch size "
        << options.batch_size << ", lr " << exact_text(options.lr) << ", seed "
        << options.seed << ", threads " << options.threads << ", "
        << (options.synthetic ? std::string("synthetic data")
                              : "data " + options.data_dir)
        << (options.quick ? " (quick)" : "") << ", out " << options.out_dir
        << '\n';
    body(lesson);
    lesson.finish();
    out << std::flush;
    return 0;
  } catch (const std::exception& e) {
    // hg::Error says what was wrong; anything else (bad_alloc, ...) is
    // reported the same way rather than escaping main.
    out << std::flush;
    err << "error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace hg
