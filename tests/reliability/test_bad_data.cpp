// A lesson given hostile data files or output folders, the way a user would
// give them: every case ends in exit code 1 and a message that names the
// file and what was expected, in bounded memory, before any training; and
// a second run never destroys the first run's checkpoint. The files are
// made here, never shipped.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "lesson_files.hpp"

namespace fs = std::filesystem;
using lesson_files::contains;
using lesson_files::Outcome;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("hg-bad-data-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// 01_vanilla --quick on the files in `data`, output into `out`.
Outcome run_01(const fs::path& data, const fs::path& out,
               std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"--quick", "--epochs", "1", "--side-epochs", "1",
                                   "--threads", "1", "--data", data.string(),
                                   "--out", out.string()};
  args.insert(args.end(), more.begin(), more.end());
  fs::create_directories(out);
  return lesson_files::run_lesson("01_vanilla", args, out.parent_path() / "log.txt");
}

// The lesson failed the way a user should see: exit code 1 with an error
// line, no crash, no training started.
void check_refused(const Outcome& o) {
  INFO("output:\n", o.output);
  CHECK(o.signal == 0);
  CHECK(o.exit_code == 1);
  CHECK(contains(o.output, "error: "));
  CHECK_FALSE(contains(o.output, "== Step 3"));
}

}  // namespace

TEST_SUITE("bad_data") {
  TEST_CASE("01_vanilla: a 14×14 test set beside 28×28 training images names both sizes") {
    const fs::path base = fresh_dir("sizes");
    lesson_files::write_data(base / "data", 14, 14);
    const Outcome o = run_01(base / "data", base / "out");
    check_refused(o);
    CHECK(contains(o.output, "28×28"));
    CHECK(contains(o.output, "14×14"));
    CHECK(contains(o.output, "train-images-idx3-ubyte.gz"));
    CHECK(contains(o.output, "t10k-images-idx3-ubyte.gz"));
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: a gzip bomb in any of the four files is refused in bounded memory") {
    const fs::path base = fresh_dir("bomb");
    // 256 MiB of zeros in about 1 MB: inflated whole, it alone would take
    // more than the 100 MB the run may use.
    const fs::path zeros = base / "zeros.gz";
    lesson_files::write_zeros_gz(zeros, std::size_t(256) << 20);
    struct Case {
      const char* file;
      std::vector<std::uint8_t> header;
    };
    const std::vector<Case> cases = {
        {"t10k-images-idx3-ubyte.gz", lesson_files::images_header(256, 28, 28)},
        {"t10k-labels-idx1-ubyte.gz", lesson_files::labels_header(256)},
        {"train-images-idx3-ubyte.gz", lesson_files::images_header(5512, 28, 28)},
        {"train-labels-idx1-ubyte.gz", lesson_files::labels_header(5512)}};
    lesson_files::write_data(base / "good");
    for (const Case& c : cases) {
      const std::string file = c.file;
      CAPTURE(file);
      const fs::path data = base / "data";
      fs::remove_all(data);
      fs::copy(base / "good", data);
      lesson_files::write_bomb(data / c.file, c.header, zeros);
      const Outcome o = run_01(data, base / "out");
      check_refused(o);
      CHECK(contains(o.output, c.file));
      CHECK(contains(o.output, "inflates to more than"));
      MESSAGE(file, ": peak memory ", o.max_rss_kb / 1024, " MB");
      CHECK(o.max_rss_kb < 100 * 1024);
    }
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: a folder where a data file belongs is named as one") {
    const fs::path base = fresh_dir("data-dir");
    lesson_files::write_data(base / "data");
    fs::remove(base / "data" / "train-images-idx3-ubyte.gz");
    fs::create_directory(base / "data" / "train-images-idx3-ubyte.gz");
    const Outcome o = run_01(base / "data", base / "out");
    check_refused(o);
    CHECK(contains(o.output, "train-images-idx3-ubyte.gz' is a directory, expected a file"));
    CHECK_FALSE(contains(o.output, "missing file"));
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: too few images are counted in images, not in internal terms") {
    const fs::path base = fresh_dir("small");
    lesson_files::write_split(base / "data", "train", 600, 28, 28);
    lesson_files::write_split(base / "data", "t10k", 256, 28, 28);
    Outcome o = run_01(base / "data", base / "out");
    check_refused(o);
    CHECK(contains(o.output, "holds 600 training images; the lessons need at least 5512"));
    CHECK_FALSE(contains(o.output, "split_off"));

    // Enough to split off validation, too few left to train on: PCA would
    // have been the first to notice, in its own terms.
    lesson_files::write_split(base / "data", "train", 5001, 28, 28);
    o = run_01(base / "data", base / "out");
    check_refused(o);
    CHECK(contains(o.output, "holds 5001 training images; the lessons need at least 5512"));
    CHECK_FALSE(contains(o.output, "fit_pca"));

    lesson_files::write_split(base / "data", "train", 5512, 28, 28);
    lesson_files::write_split(base / "data", "t10k", 10, 28, 28);
    o = run_01(base / "data", base / "out");
    check_refused(o);
    CHECK(contains(o.output, "holds 10 test images; the lessons need at least 256"));
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: a folder at the checkpoint's path is a clear error") {
    const fs::path base = fresh_dir("ckpt-dir");
    fs::create_directories(base / "out" / "adam_checkpoint.safetensors");
    for (const std::vector<std::string>& flags :
         {std::vector<std::string>{"--synthetic", "--resume"},
          std::vector<std::string>{"--synthetic"}}) {
      CAPTURE(flags.size());
      const Outcome o = run_01(base / "data", base / "out", flags);
      INFO("output:\n", o.output);
      CHECK(o.signal == 0);
      CHECK(o.exit_code == 1);
      CHECK(contains(o.output, "adam_checkpoint.safetensors is a directory, expected a checkpoint file"));
      CHECK_FALSE(contains(o.output, "bad_alloc"));
    }
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: an --out that cannot be written is reported before any step") {
    // Root may write into a read-only folder, but nobody can create files
    // in /proc: use it when running as root.
    const fs::path base = fresh_dir("read-only");
    fs::path out = base / "out";
    fs::create_directories(out);
    if (::geteuid() == 0) {
      out = "/proc";
    } else {
      fs::permissions(out, fs::perms::owner_read | fs::perms::owner_exec);
    }
    const Outcome o = lesson_files::run_lesson(
        "01_vanilla", {"--quick", "--synthetic", "--out", out.string()}, base / "log.txt");
    check_refused(o);
    CHECK(contains(o.output, "cannot write to the output directory " + out.string()));
    CHECK_FALSE(contains(o.output, "== Step 1"));
    fs::permissions(base / "out", fs::perms::owner_all);
    fs::remove_all(base);
  }

  TEST_CASE("01_vanilla: a second run without --resume keeps the first run's checkpoint") {
    const fs::path base = fresh_dir("rerun");
    const fs::path out = base / "out";
    const fs::path checkpoint = out / "adam_checkpoint.safetensors";
    Outcome o = run_01(base / "data", out, {"--synthetic", "--seed", "1"});
    REQUIRE_MESSAGE(o.exit_code == 0, o.output);
    const std::string first = lesson_files::slurp(checkpoint);
    REQUIRE(!first.empty());

    o = run_01(base / "data", out, {"--synthetic", "--seed", "2"});
    INFO("output:\n", o.output);
    REQUIRE(o.exit_code == 0);
    CHECK(contains(o.output, "kept as " + checkpoint.string() + ".prev"));
    CHECK(lesson_files::slurp(checkpoint.string() + ".prev") == first);
    CHECK(lesson_files::slurp(checkpoint) != first);
    fs::remove_all(base);
  }
}
