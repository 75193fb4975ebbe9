// Runs a lesson program the way a user would, with --quick, checks the page
// it writes (<out>/index.html, and the course page beside it), and reads the
// numbers it reports (<out>/results.txt: one "key value" per line).
//
// The lessons' smoke tests use it: each runs one lesson end to end on a few
// hundred images and checks its reported numbers against stated bounds.
// Real Fashion-MNIST is used when installed, the synthetic set otherwise.
// The out dirs are <tmp>/hourglass-test-<pid>/<name>: a course folder like
// out/, one per process, so that two test runs at once never share one.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "../io/page_check.hpp"

namespace lesson_test {

inline bool have_fashion_mnist() {
  return std::filesystem::exists(
      "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

// What a lesson left behind, for a test to look at: its output directory
// and what it printed.
using Inspect = std::function<void(const std::filesystem::path& out,
                                   const std::string& output)>;

// Runs `name` with --quick plus `flags`; returns its out dir. Fails the
// test (with the program's output) if it exits non-zero, or if its page or
// the course page is not as page_check.hpp wants it. `inspect`, if given,
// looks at what the run left first.
inline std::filesystem::path run_quick(const std::string& name,
                                       const std::string& flags = "",
                                       const Inspect& inspect = nullptr) {
  const char* dir = std::getenv("HG_LESSON_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "HG_LESSON_DIR is not set (run via meson test)");
  const auto course = std::filesystem::temp_directory_path() /
                      ("hourglass-test-" + std::to_string(::getpid()));
  const auto out = course / name;
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(out);
  const std::string log = (out / "log.txt").string();
  std::string command = std::string(dir) + "/" + name + " --quick --out " +
                        out.string() + " " + flags +
                        (have_fashion_mnist() ? "" : " --synthetic") +
                        " </dev/null >" + log + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log_in(log);
  std::stringstream output;
  output << log_in.rdbuf();
  INFO("command: ", command, "\noutput:\n", output.str());
  REQUIRE(status == 0);
  if (inspect) inspect(out, output.str());

  const auto page = out / "index.html";
  CHECK_MESSAGE(page_check::page_problem(page) == "", "the page ",
                page.string());
  CHECK(output.str().find("page: " + page.string() + "\n") !=
        std::string::npos);
  const auto course_page = course / "index.html";
  const std::string link = "href=\"" + name + "/index.html\"";
  CHECK_MESSAGE(page_check::page_problem(course_page) == "", "the course page");
  CHECK_MESSAGE(page_check::read(course_page).find(link) != std::string::npos,
                "the course page links ", name);
  return out;
}

// run_quick, then the numbers the lesson reported in results.txt. A lesson
// that reports no numbers (00) passes `need_results = false`. The out dir is
// removed afterwards; it is kept only when the run failed.
inline std::map<std::string, double> run(const std::string& name,
                                         const std::string& flags = "",
                                         const Inspect& inspect = nullptr,
                                         bool need_results = true) {
  const std::filesystem::path out = run_quick(name, flags, inspect);
  std::map<std::string, double> results;
  std::ifstream in(out / "results.txt");
  REQUIRE_MESSAGE((in.good() || !need_results), "the lesson wrote no results.txt");
  std::string key;
  double value;
  while (in >> key >> value) results[key] = value;
  in.close();
  std::filesystem::remove_all(out);
  return results;
}

}  // namespace lesson_test
