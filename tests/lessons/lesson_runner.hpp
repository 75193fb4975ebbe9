// Runs a lesson program the way a user would, with --quick, and reads the
// numbers it reports (out/<name>/results.txt: one "key value" per line).
//
// The lessons' smoke tests use it: each runs one lesson end to end on a few
// hundred images and checks its reported numbers against stated bounds.
// Real Fashion-MNIST is used when installed, the synthetic set otherwise.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <unistd.h>

namespace lesson_test {

inline bool have_fashion_mnist() {
  return std::filesystem::exists(
      "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

// Runs `name` with --quick plus `flags`; returns its reported numbers.
// Fails the test (with the program's output) if it exits non-zero.
inline std::map<std::string, double> run(const std::string& name,
                                         const std::string& flags = "") {
  const char* dir = std::getenv("HG_LESSON_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "HG_LESSON_DIR is not set (run via meson test)");
  // One directory per process: two test runs at once must not share it.
  const auto out = std::filesystem::temp_directory_path() /
                   ("hourglass-test-" + name + "-" + std::to_string(::getpid()));
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

  std::map<std::string, double> results;
  std::ifstream in(out / "results.txt");
  REQUIRE_MESSAGE(in.good(), "the lesson wrote no results.txt");
  std::string key;
  double value;
  while (in >> key >> value) results[key] = value;
  in.close();
  std::filesystem::remove_all(out);  // kept only when the run failed
  return results;
}

}  // namespace lesson_test
