// Running a lesson: steps, the output directory, and the one place where
// errors become messages and exit codes.
#include <unistd.h>  // isatty

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
#include "hourglass/io/lesson_page.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

Lesson::Lesson(LessonInfo info, LessonOptions options, std::istream& in,
               std::ostream& out, bool interactive)
    : info_(std::move(info)),
      options_(std::move(options)),
      in_(in),
      out_(out),
      interactive_(interactive) {}

std::string Lesson::out_path(const std::string& file) const {
  return (std::filesystem::path(options_.out_dir) / file).string();
}

namespace {

// Characters in UTF-8 text (σ, ², … are one each, though several bytes): a
// character is every byte that is not a continuation byte 10xxxxxx.
std::size_t columns(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// `text` broken into lines of at most `width` characters (counting UTF-8
// characters, not bytes), each starting with `indent`.
std::string wrap(std::string_view text, std::size_t width,
                 const std::string& indent) {
  std::string out, line;
  std::size_t line_chars = 0;
  std::istringstream words{std::string(text)};
  for (std::string word; words >> word;) {
    const std::size_t chars = columns(word);
    if (line_chars > 0 && line_chars + 1 + chars > width) {
      out += indent + line + '\n';
      line.clear();
      line_chars = 0;
    }
    if (line_chars > 0) line += ' ', ++line_chars;
    line += word;
    line_chars += chars;
  }
  if (line_chars > 0) out += indent + line + '\n';
  return out;
}

}  // namespace

void Lesson::pause(const std::string& after) {
  if (options_.step == StepMode::Off || input_ended_) return;
  if (!interactive_) {
    // Nobody to press Enter (a pipe, a file, /dev/null): say so once.
    if (!said_not_waiting_)
      out_ << "(--step: standard input is not a terminal, so the stops do "
              "not wait)\n";
    said_not_waiting_ = true;
    return;
  }
  out_ << (after.empty() ? "" : "-- " + after + " ")
       << "(press Enter to continue) " << std::flush;
  std::string line;
  // At the end of input there is no one to press Enter: stop asking.
  if (!std::getline(in_, line)) {
    input_ended_ = true;
    out_ << '\n';
  }
}

void Lesson::step(int n, std::string_view title, std::string_view what) {
  if (!steps_.empty())
    pause("end of step " + std::to_string(steps_.back().n) + ": " +
          steps_.back().title);
  steps_.push_back({n, std::string(title), std::string(what)});
  out_ << "\n== Step " << n << ": " << title << " ==\n"
       << wrap(what, 74, "   ") << std::flush;
}

void Lesson::step(int n, std::string_view title) { step(n, title, ""); }

void Lesson::end_steps() {
  if (!steps_.empty())
    pause("end of step " + std::to_string(steps_.back().n) + ": " +
          steps_.back().title);
}

void Lesson::figure(const std::string& file, std::string_view caption) {
  figures_.push_back({steps_.empty() ? 0 : steps_.back().n, file,
                      std::string(caption)});
  out_ << "picture " << out_path(file) << ": " << caption << '\n' << std::flush;
}

void Lesson::table(std::string caption, std::vector<std::string> column_names,
                   std::vector<std::vector<std::string>> rows) {
  for (std::size_t r = 0; r < rows.size(); ++r)
    check(rows[r].size() == column_names.size(), "Lesson::table \"", caption,
          "\": row ", r + 1, " has ", rows[r].size(), " cells, expected ",
          column_names.size(), " (one per column)");
  std::vector<std::size_t> width(column_names.size(), 0);
  auto widen = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c)
      width[c] = std::max(width[c], columns(row[c]));
  };
  widen(column_names);
  for (const auto& row : rows) widen(row);
  // The first column names the row (left); the others hold numbers (right).
  auto print = [&](const std::vector<std::string>& row) {
    std::string line = "  ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - columns(row[c]), ' ');
      line += c == 0 ? row[c] + pad : "  " + pad + row[c];
    }
    out_ << line << '\n';
  };
  if (!caption.empty()) out_ << "  " << caption << '\n';
  print(column_names);
  for (const auto& row : rows) print(row);
  out_ << std::flush;
  tables_.push_back({steps_.empty() ? 0 : steps_.back().n, std::move(caption),
                     std::move(column_names), std::move(rows)});
}

void Lesson::try_this(std::vector<Experiment> experiments) {
  experiments_ = std::move(experiments);
}

void Lesson::warn(std::string message) { warnings_.push_back(std::move(message)); }

bool Lesson::stops_at_batch(long batch) const {
  return options_.step == StepMode::Batches && batch >= 1 && batch <= kBatchStops;
}

bool Lesson::stops_at_epoch() const {
  return options_.step == StepMode::Epochs || options_.step == StepMode::Batches;
}

void Lesson::stop(const TrainingWatch& watch) {
  char line[160];
  // On a terminal a progress bar may be mid-line: start on a fresh one.
  out_ << (interactive_ ? "\n" : "") << "-- stop: " << watch.where << " --\n";
  std::snprintf(line, sizeof line, "   loss %.6g\n", watch.loss);
  out_ << line;
  if (!watch.params.empty()) {
    std::snprintf(line, sizeof line, "   %-12s %-12s %12s %12s\n", "parameter",
                  "shape", "|dL/dw|", "|dw|/|w|");
    out_ << line;
  }
  for (const ParamWatch& p : watch.params) {
    std::snprintf(line, sizeof line, "   %-12s %-12s %12.4g %12.4g\n",
                  p.name.c_str(), p.shape.c_str(), p.grad_norm, p.update_ratio);
    out_ << line;
  }
  pause("");
}

void Lesson::print_closing() {
  for (const std::string& w : warnings_) out_ << "warning: " << w << '\n';
  if (experiments_.empty()) return;
  out_ << "\n== Try this ==\n";
  for (const Experiment& e : experiments_)
    out_ << "  scripts/lesson " << info_.name << ' ' << e.flags << '\n'
         << wrap(e.expect, 72, "      ");
}

std::string format_result(double value) { return cell("%.6g", value); }

std::string cell(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

void Lesson::result(const std::string& key, const std::string& label,
                    double value) {
  check(!key.empty() && key.find_first_of(" \t\n") == std::string::npos,
        "Lesson::result: key \"", key, "\" must be one word");
  for (LessonResult& r : results_)
    if (r.key == key) {
      r = {key, label, value};
      return;
    }
  results_.push_back({key, label, value});
}

void Lesson::finish() {
  if (results_.empty()) return;
  // Labels may hold UTF-8 (σ, ², …): pad by characters, not bytes.
  std::size_t width = 0;
  for (const LessonResult& r : results_)
    width = std::max(width, columns(r.label));
  out_ << "\n== Results (" << info_.name << (options_.quick ? ", --quick" : "")
       << ") ==\n";
  // results.txt is for programs ("key value"); results.tsv adds the label
  // for the tables people read ("key<TAB>value<TAB>label", value as printed).
  std::ostringstream file, table;
  file.precision(9);
  for (const LessonResult& r : results_) {
    const std::string number = format_result(r.value);
    out_ << "  " << r.label << std::string(width - columns(r.label) + 2, ' ')
         << number << '\n';
    file << r.key << ' ' << r.value << '\n';
    table << r.key << '\t' << number << '\t' << r.label << '\n';
  }
  write_file_atomically(out_path("results.txt"), file.str());
  write_file_atomically(out_path("results.tsv"), table.str());
  out_ << "(written to " << out_path("results.txt") << " and results.tsv)\n";
}

int run_lesson(int argc, const char* const* argv, const LessonInfo& info,
               const std::function<void(Lesson&)>& body) {
  return run_lesson(argc, argv, info, body, std::cin, std::cout, std::cerr,
                    isatty(0) != 0);
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
               std::ostream& out, std::ostream& err, bool interactive) {
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
    // A results.txt or page from an earlier run would read as this run's if
    // this one stops early (a NaN, an error): remove them first.
    for (const char* stale : {"results.txt", kLessonPageFile})
      std::filesystem::remove(std::filesystem::path(options.out_dir) / stale,
                              ec);
    check_writable(options.out_dir);
    kernels::set_num_threads(options.threads);
    Lesson lesson(info, options, in, out, interactive);
    out << info.name << ": " << info.summary << '\n'
        << "settings: epochs " << options.epochs << ", batch size "
        << options.batch_size << ", lr " << exact_text(options.lr) << ", seed "
        << options.seed << ", threads " << options.threads << ", "
        << (options.synthetic ? std::string("synthetic data")
                              : "data " + options.data_dir)
        << (options.quick ? " (quick)" : "") << ", out " << options.out_dir
        << '\n';
    if (!info.look_for.empty())
      out << "what to look for:\n" << wrap(info.look_for, 74, "   ");
    body(lesson);
    lesson.end_steps();
    for (const std::string& file : missing_figures(lesson))
      lesson.warn("the picture " + file + " was registered but is not in " +
                  options.out_dir);
    lesson.finish();
    const std::string course = course_folder(options.out_dir, info.name);
    const std::string page = write_lesson_page(lesson, !course.empty());
    lesson.print_closing();
    out << "\npage: " << page << '\n';
    if (!course.empty())
      out << "course page: " << write_course_page(course) << '\n';
    out << std::flush;
    return 0;
  } catch (const std::exception& e) {
    // hg::Error says what was wrong; anything else (bad_alloc, ...) is
    // reported the same way rather than escaping main.
    out << std::flush;
    err << "error: " << e.what() << '\n';
    // This lesson's page is gone: the course page must not link it.
    refresh_course_page(course_folder(options.out_dir, info.name));
    return 1;
  }
}

}  // namespace hg
