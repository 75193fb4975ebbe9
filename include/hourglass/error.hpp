// hg::Error and hg::check: the one way hourglass reports bad input.
//
// Every message names what was wrong and what was expected, e.g.
//   matmul: inner sizes differ: a is (128, 784), b is (700, 32)
// check() takes the condition and the pieces of the message; the pieces are
// only formatted when the check fails, so checks are cheap in hot code.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace hg {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Joins the pieces with operator<< and throws hg::Error.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  throw Error(out.str());
}

template <class... Parts>
inline void check(bool ok, const Parts&... parts) {
  if (!ok) [[unlikely]] fail(parts...);
}

}  // namespace hg
