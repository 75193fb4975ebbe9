// attempt(f): runs f and reports whether it returned or refused with
// hg::Error; any other exception escapes, to be reported as a bug.
#pragma once

#include "hourglass/error.hpp"
#include "targets.hpp"

namespace hg_fuzz {

template <class F>
Outcome attempt(F&& f) {
  try {
    f();
    return Outcome::Accepted;
  } catch (const hg::Error&) {
    return Outcome::Refused;
  }
}

}  // namespace hg_fuzz
