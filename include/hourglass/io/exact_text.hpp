// Numbers as text that tells them apart.
//
// std::to_string writes six decimals (1e-7 and 4e-7 both become
// "0.000000") and a stream's default six significant digits merge nearby
// values too. exact_text writes the shortest decimal that reads back as the
// very same float or double ("0.001", "1e-07", "4e-07", "0.30000001"), so
// two settings that differ in any bit differ as text: in messages, in the
// settings a lesson prints, in a checkpoint's tag. What it is not: a
// formatter for tables (those round on purpose).
#pragma once

#include <charconv>
#include <string>

namespace hg {

inline std::string exact_text(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

inline std::string exact_text(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace hg
