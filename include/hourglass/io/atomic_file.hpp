// Writing a file so that a crash never leaves a torn one.
//
// The bytes go to `<path>.tmp`, are flushed, and only then is the temporary
// renamed over `path`. On POSIX a rename within one directory is atomic: a
// reader sees either the old file or the new one, never half of each. What
// this is not: a durability guarantee against power loss (no fsync), nor a
// lock against two writers racing on the same path. Reading a file back
// is hg::read_file_bytes in hourglass/data/gzip.hpp.
#pragma once

#include <string>
#include <string_view>

namespace hg {

// Writes `bytes` to `path` through `<path>.tmp` + rename. Throws hg::Error
// naming the file if the temporary cannot be written or renamed; the old
// contents of `path`, if any, are then left as they were.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace hg
