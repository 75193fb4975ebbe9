// libFuzzer entry point for one target, chosen when this file is compiled
// (-DHG_FUZZ_TARGET=gzip, ...). Built only with clang; see scripts/fuzz.
#include <cstddef>
#include <cstdint>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hg_fuzz::HG_FUZZ_TARGET(hg_fuzz::Bytes(data, size));
  return 0;  // a refusal is a fine answer; anything worse aborts
}
