// What every exercise's checker shares: a way for an unwritten exercise to
// say so, a comparison that names the wrong entries, and the run that turns
// the checks into a verdict and an exit code.
//
// Exit codes (scripts/exercise reads them): 0 passed, 1 not yet passing
// (some entries wrong, or an error), 2 not written yet.
#pragma once

#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>

namespace exercise {

// Thrown by the shipped, unsolved exercise: "not written yet" is not a crash.
class NotWrittenYet : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
[[noreturn]] inline void not_written_yet(const std::string& what) {
  throw NotWrittenYet(what + " is not written yet");
}

// One exercise's comparisons; each prints one line, and the wrong entries.
class Checker {
 public:
  // got[i] against expected[i], i < n: close when |got − expected| <=
  // atol + rtol·|expected|. Wrong entries print as "dx[3] = 0.12, expected 0.41".
  void compare(const std::string& what, const std::string& name, const float* got,
               const float* expected, std::size_t n, double atol = 1e-5,
               double rtol = 1e-4) {
    std::size_t wrong = 0;
    std::string lines;
    for (std::size_t i = 0; i < n; ++i) {
      const double g = got[i], e = expected[i];
      if (std::abs(g - e) <= atol + rtol * std::abs(e)) continue;  // NaN is never close
      if (++wrong <= kShown) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "      %s[%zu] = %.6g, expected %.6g\n", name.c_str(), i,
                      g, e);
        lines += buf;
      }
    }
    if (wrong == 0) {
      std::printf("  ok     %s\n", what.c_str());
      return;
    }
    failed_ = true;
    std::printf("  WRONG  %s: %zu of %zu entries of %s differ\n%s", what.c_str(), wrong, n,
                name.c_str(), lines.c_str());
    if (wrong > kShown) std::printf("      ... and %zu more\n", wrong - kShown);
  }
  // A yes-or-no check, with what was expected when it fails.
  void expect(bool ok, const std::string& what, const std::string& otherwise) {
    if (ok) {
      std::printf("  ok     %s\n", what.c_str());
      return;
    }
    failed_ = true;
    std::printf("  WRONG  %s: %s\n", what.c_str(), otherwise.c_str());
  }
  bool passed() const { return !failed_; }

 private:
  static constexpr std::size_t kShown = 6;
  bool failed_ = false;
};

// Prints the title, runs the checks, prints the verdict; returns the exit code.
inline int run(const std::string& name, const std::string& title,
               const std::function<void(Checker&)>& checks) {
  std::printf("exercise %s: %s\n", name.c_str(), title.c_str());
  Checker checker;
  try {
    checks(checker);
  } catch (const NotWrittenYet& e) {
    std::printf("  TODO   %s\nnot yet passing: write it in lessons/exercises/%s/exercise.cpp\n",
                e.what(), name.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::printf("  ERROR  %s\nnot yet passing\n", e.what());
    return 1;
  }
  std::printf(checker.passed() ? "passed\n" : "not yet passing\n");
  return checker.passed() ? 0 : 1;
}

}  // namespace exercise
