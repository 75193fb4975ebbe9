// The in-suite fuzz pass: every target runs its seeds, every bad input
// kept in tests/data/fuzz/<target>/ (hand-made hostile files and any input
// that ever broke a parser; each must be refused), and a fixed number of seeded
// mutations of the seeds (HG_FUZZ_RUNS, default 10000 per target). Each
// input must end in a result or an hg::Error; the sanitizer build of the
// suite turns any out-of-bounds read or undefined behaviour into a failure.
// On a failure the input is written to fuzz-failure-<target>.bin so it can
// be kept as a regression input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "mutator.hpp"
#include "targets.hpp"

namespace fs = std::filesystem;
using hg_fuzz::ByteVec;

namespace {

fs::path source_root() {
  const char* root = std::getenv("HG_SOURCE_ROOT");
  REQUIRE_MESSAGE(root != nullptr, "HG_SOURCE_ROOT is not set (run via meson test)");
  return root;
}

std::vector<ByteVec> read_dir(const fs::path& dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());  // a fixed order: replayable
  std::vector<ByteVec> out;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

int runs_per_target() {
  const char* env = std::getenv("HG_FUZZ_RUNS");
  return env ? std::max(0, std::atoi(env)) : 10000;
}

struct Tally {
  int tried = 0, accepted = 0, refused = 0;
};

// Runs one input; on anything but a result or an hg::Error, saves it and
// fails the test with the exception's message.
void run_one(const hg_fuzz::Target& t, const ByteVec& input, Tally& tally) {
  ++tally.tried;
  try {
    const auto o = t.run(input);
    (o == hg_fuzz::Outcome::Accepted ? tally.accepted : tally.refused)++;
  } catch (const std::exception& e) {
    const std::string file = "fuzz-failure-" + std::string(t.name) + ".bin";
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(input.data()), long(input.size()));
    FAIL(t.name, ": input of ", input.size(), " bytes (saved to ", file,
         ") threw ", typeid(e).name(), ", not hg::Error: ", e.what());
  }
}

}  // namespace

TEST_SUITE("fuzz") {
  TEST_CASE("the mutator is deterministic and changes its input") {
    const ByteVec seed = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    hg_fuzz::Mutator a(9), b(9);
    int changed = 0;
    for (int i = 0; i < 200; ++i) {
      const ByteVec x = a.mutate(seed, seed), y = b.mutate(seed, seed);
      REQUIRE(x == y);
      changed += x != seed;
    }
    CHECK(changed > 150);
  }

  TEST_CASE("every seed is accepted: the corpus is valid input") {
    for (const hg_fuzz::Target& t : hg_fuzz::kTargets) {
      const auto seeds = read_dir(source_root() / "tests/fuzz/corpus" / std::string(t.name));
      INFO(t.name);
      REQUIRE(!seeds.empty());
      for (const ByteVec& s : seeds) CHECK(t.run(s) == hg_fuzz::Outcome::Accepted);
    }
  }

  TEST_CASE("regression inputs and seeded mutations: a result or hg::Error") {
    const int runs = runs_per_target();
    for (const hg_fuzz::Target& t : hg_fuzz::kTargets) {
      const std::string name(t.name);
      const auto seeds = read_dir(source_root() / "tests/fuzz/corpus" / name);
      const auto regressions = read_dir(source_root() / "tests/data/fuzz" / name);
      REQUIRE(!seeds.empty());
      Tally tally;
      // Kept inputs are known-bad: each must be refused, not just survived.
      for (const ByteVec& r : regressions) {
        run_one(t, r, tally);
        CHECK_MESSAGE(t.run(r) == hg_fuzz::Outcome::Refused, name,
                      ": a kept bad input of ", r.size(), " bytes was accepted");
      }
      hg_fuzz::Mutator m(0x5eed0000u + std::uint64_t(name.size()) * 131u + std::uint64_t(name[0]));
      hg::Rng pick{std::uint64_t(name[0])};
      for (int i = 0; i < runs; ++i) {
        const ByteVec& s = seeds[std::size_t(pick.below(int(seeds.size())))];
        const ByteVec& o = seeds[std::size_t(pick.below(int(seeds.size())))];
        run_one(t, m.mutate(s, o), tally);
      }
      MESSAGE(name, ": ", tally.tried, " inputs (", regressions.size(),
              " regression), ", tally.accepted, " accepted, ", tally.refused,
              " refused with hg::Error");
      // Mutations must reach both outcomes, or they test nothing.
      CHECK(tally.refused > 0);
      if (runs >= 1000) CHECK(tally.accepted > 0);
    }
  }
}
