// Hostile data and output folders for a lesson, made inside the tests: IDX
// files of any size (gzipped by the system's gzip), a gzip "bomb" that
// inflates far past what its IDX header says, and a way to run a lesson
// program and learn its exit code, its output and its peak memory.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace lesson_files {

namespace fs = std::filesystem;

inline void put_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(std::uint8_t(x >> s));
}

inline void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& b) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
  REQUIRE(out.good());
}

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `bytes` gzipped into `gz` by the system's gzip (an encoder not our own).
inline void write_gz(const fs::path& gz, const std::vector<std::uint8_t>& bytes) {
  const fs::path raw = gz.string() + ".raw";
  write_bytes(raw, bytes);
  const std::string cmd = "gzip -1 -n -c '" + raw.string() + "' > '" + gz.string() + "'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "failed: ", cmd);
  fs::remove(raw);
}

// The 16-byte header of n images of rows×cols, or the 8 of n labels.
inline std::vector<std::uint8_t> images_header(int n, int rows, int cols) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x803), put_be32(v, n), put_be32(v, rows), put_be32(v, cols);
  return v;
}
inline std::vector<std::uint8_t> labels_header(int n) {
  std::vector<std::uint8_t> v;
  put_be32(v, 0x801), put_be32(v, n);
  return v;
}

// A Fashion-MNIST-like pair of files: n images of rows×cols (a gradient,
// different per image) and their labels 0..9.
inline void write_split(const fs::path& dir, const std::string& prefix, int n,
                        int rows, int cols) {
  std::vector<std::uint8_t> im = images_header(n, rows, cols);
  im.reserve(im.size() + std::size_t(n) * rows * cols);
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < rows * cols; ++p) im.push_back(std::uint8_t((i * 7 + p) % 256));
  std::vector<std::uint8_t> lab = labels_header(n);
  for (int i = 0; i < n; ++i) lab.push_back(std::uint8_t(i % 10));
  fs::create_directories(dir);
  write_gz(dir / (prefix + "-images-idx3-ubyte.gz"), im);
  write_gz(dir / (prefix + "-labels-idx1-ubyte.gz"), lab);
}

// Enough images for a quick lesson run: 5,512 to train, 256 to test.
inline void write_data(const fs::path& dir, int test_rows = 28, int test_cols = 28) {
  write_split(dir, "train", 5512, 28, 28);
  write_split(dir, "t10k", 256, test_rows, test_cols);
}

// A gzip member of `n` zero bytes: 256 MiB packs into about 1 MB.
inline void write_zeros_gz(const fs::path& gz, std::size_t n) {
  const std::string cmd = "head -c " + std::to_string(n) +
                          " /dev/zero | gzip -1 -n > '" + gz.string() + "'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "failed: ", cmd);
}

// A gzip "bomb": a member holding a valid IDX header that says the file is
// small, then the member `zeros_gz`. gzip -d gives header + zeros; the
// header's size is the bound a reader should hold the inflated data to.
inline void write_bomb(const fs::path& gz, const std::vector<std::uint8_t>& header,
                       const fs::path& zeros_gz) {
  const fs::path head = gz.string() + ".head.gz";
  write_gz(head, header);
  const std::string cmd = "cat '" + head.string() + "' '" + zeros_gz.string() +
                          "' > '" + gz.string() + "'";
  REQUIRE_MESSAGE(std::system(cmd.c_str()) == 0, "failed: ", cmd);
  fs::remove(head);
}

struct Outcome {
  int exit_code = -1;  // -1: killed by a signal
  int signal = 0;
  long max_rss_kb = 0;  // the program's peak resident memory
  std::string output;   // stdout and stderr together
};

// Runs the lesson `name` from HG_LESSON_DIR with `args`, stdin from
// /dev/null, output to `log`.
inline Outcome run_lesson(const std::string& name, const std::vector<std::string>& args,
                          const fs::path& log) {
  const char* dir = std::getenv("HG_LESSON_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "HG_LESSON_DIR is not set (run via meson test)");
  const std::string program = std::string(dir) + "/" + name;
  std::vector<std::string> all = {program};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, program.c_str(), &actions, nullptr,
                                  argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(spawned == 0, "cannot start ", program);
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  Outcome o;
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  o.max_rss_kb = usage.ru_maxrss;
  o.output = slurp(log);
  return o;
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace lesson_files
