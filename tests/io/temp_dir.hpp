// A fresh directory under the system temp dir, removed with everything in
// it when the test ends, so io tests never write into the source tree.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("hg_io_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};
