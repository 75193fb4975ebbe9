// Helpers shared by the data tests: a scratch directory, writing bytes to
// files, and running the system's gzip on them, so the tests decode streams
// made by an independent encoder.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hourglass/data/gzip.hpp"

namespace test {

// A fresh directory, removed with its contents when the test ends.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("hg_data_test_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const {
    return (path / name).string();
  }
};

inline std::vector<std::uint8_t> bytes_of(std::string_view s) {
  return {s.begin(), s.end()};
}

inline void write_file(const std::string& path,
                       std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// Runs `gzip <flags> -c path > path.gz` and returns the compressed bytes.
inline std::vector<std::uint8_t> system_gzip(const std::string& path,
                                             const std::string& flags) {
  const std::string cmd =
      "gzip " + flags + " -c '" + path + "' > '" + path + ".gz'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "failed: ", cmd);
  return hg::read_file_bytes(path + ".gz");
}

// Writes `bytes` to dir/name and gzips it, returning the .gz file's path.
inline std::string write_gz(const TempDir& dir, const std::string& name,
                            std::span<const std::uint8_t> bytes,
                            const std::string& flags = "-n") {
  const std::string path = dir.file(name);
  write_file(path, bytes);
  system_gzip(path, flags);
  return path + ".gz";
}

}  // namespace test
