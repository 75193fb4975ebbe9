// Checks the exercises' checkers: each reference solution passes, each
// planted wrong answer fails with the wrong entries named, and each
// learner's file as shipped reports "not written yet" (exit 2) instead of
// crashing.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Run {
  int status;
  std::string output;
};

// Runs a program from the build tree; its exit status and what it printed.
Run run(const char* dir_variable, const std::string& program) {
  const char* dir = std::getenv(dir_variable);
  REQUIRE_MESSAGE(dir != nullptr, dir_variable, " is not set (run via meson test)");
  const std::string command = std::string(dir) + "/" + program + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  Run r{0, ""};
  char buf[4096];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, got);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* const kNames[] = {"01_tanh_backward", "02_sparsity_backward", "03_momentum_step",
                              "04_gemm_kernel"};

}  // namespace

TEST_SUITE("exercises") {
  TEST_CASE("every reference solution passes its checker") {
    for (const char* name : kNames) {
      const Run r = run("HG_EXERCISE_DIR", std::string("exercise_") + name + "_solution");
      INFO(r.output);
      CHECK(r.status == 0);
      CHECK(contains(r.output, "\npassed\n"));
      CHECK(!contains(r.output, "WRONG"));
    }
  }

  TEST_CASE("every learner's file as shipped says it is not written yet") {
    for (const char* name : kNames) {
      const Run r = run("HG_EXERCISE_DIR", std::string("exercise_") + name);
      INFO(r.output);
      CHECK(r.status == 2);
      CHECK(contains(r.output, "is not written yet"));
      CHECK(contains(r.output, std::string("not yet passing: write it in lessons/exercises/") +
                                   name + "/exercise.cpp"));
    }
  }

  TEST_CASE("a planted wrong answer fails, naming the wrong entries") {
    struct Case {
      const char* name;
      const char* says;  // a line of the checker's report
    };
    for (const Case& c : {Case{"01_tanh_backward", "of dx differ\n      dx[0] = "},
                          Case{"02_sparsity_backward", "of dz differ\n      dz[0] = "},
                          Case{"03_momentum_step", "WRONG  the worked example: w: 1 of 1"},
                          Case{"04_gemm_kernel", "WRONG  C = A·B at M×N×K = 1x1x1"}}) {
      const Run r = run("HG_EXERCISE_WRONG_DIR", std::string("wrong_") + c.name);
      INFO(r.output);
      CHECK(r.status == 1);
      CHECK(contains(r.output, c.says));
      CHECK(contains(r.output, "\nnot yet passing\n"));
    }
  }

  TEST_CASE("the blocked GEMM that drops its tail block is right on a multiple of the block") {
    // So the odd sizes are what catch it, as they are meant to.
    const Run r = run("HG_EXERCISE_WRONG_DIR", "wrong_04_gemm_kernel");
    INFO(r.output);
    CHECK(contains(r.output, "ok     C = A·B at M×N×K = 64x64x64"));
    CHECK(contains(r.output, "WRONG  C = A·B at M×N×K = 129x130x131"));
  }
}
