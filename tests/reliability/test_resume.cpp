// Lesson 01 --resume: run 2 epochs, stop, resume to 4 epochs, and compare
// with 4 epochs straight. The results and the final checkpoints of both
// checkpointed runs, SGD and Adam (weights, the optimizer's state, the Rng,
// the curves), must be identical, byte for byte.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

namespace {

bool have_fashion_mnist() {
  return std::filesystem::exists(
      "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs lesson 01 quickly into `out` with `flags`; returns its exit status
// and leaves its output in out/log.txt.
int run_01(const std::filesystem::path& out, const std::string& flags) {
  const char* dir = std::getenv("HG_LESSON_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "HG_LESSON_DIR is not set (run via meson test)");
  std::filesystem::create_directories(out);
  const std::string command =
      std::string(dir) + "/01_vanilla --quick --side-epochs 1 --threads 2 --out " +
      out.string() + " " + flags + (have_fashion_mnist() ? "" : " --synthetic") +
      " </dev/null >>" + (out / "log.txt").string() + " 2>&1";
  return std::system(command.c_str());
}

}  // namespace

TEST_SUITE("resume") {
  TEST_CASE("01_vanilla: 2 epochs + --resume to 4 == 4 epochs straight") {
    // One directory per process: two test runs at once must not share it.
    const auto base = std::filesystem::temp_directory_path() /
                      ("hourglass-test-resume-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    const auto straight = base / "straight", resumed = base / "resumed";
    REQUIRE(run_01(straight, "--epochs 4") == 0);
    REQUIRE(run_01(resumed, "--epochs 2") == 0);
    REQUIRE(run_01(resumed, "--epochs 4 --resume") == 0);
    INFO("log of the resumed run:\n", slurp(resumed / "log.txt"));
    CHECK(slurp(resumed / "log.txt").find("resuming sgd from") != std::string::npos);
    CHECK(slurp(resumed / "log.txt").find("resuming adam from") != std::string::npos);
    CHECK(slurp(resumed / "log.txt").find("after epoch 2") != std::string::npos);
    const std::string results = slurp(straight / "results.txt");
    CHECK(results.find("adam_test_error") != std::string::npos);
    CHECK(results == slurp(resumed / "results.txt"));
    CHECK(slurp(straight / "adam_checkpoint.safetensors") ==
          slurp(resumed / "adam_checkpoint.safetensors"));
    CHECK(slurp(straight / "sgd_checkpoint.safetensors") ==
          slurp(resumed / "sgd_checkpoint.safetensors"));

    // Resuming with another model size is refused by name, exit code 1.
    const int status = run_01(resumed, "--epochs 4 --resume --code-size 16");
    CHECK(status != 0);
    CHECK(slurp(resumed / "log.txt").find("another run") != std::string::npos);
    std::filesystem::remove_all(base);
  }
}
