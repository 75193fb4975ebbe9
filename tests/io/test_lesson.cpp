#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hourglass/io/lesson.hpp"
#include "temp_dir.hpp"

namespace {

// argv from a list of words; argv[0] is the program name.
struct Args {
  std::vector<std::string> words;
  std::vector<const char*> ptrs;
  Args(std::initializer_list<const char*> list) : words{"lesson"} {
    words.insert(words.end(), list.begin(), list.end());
    for (const std::string& w : words) ptrs.push_back(w.c_str());
  }
  int argc() const { return int(ptrs.size()); }
  const char* const* argv() const { return ptrs.data(); }
};

hg::LessonOptions parse(const Args& a, const hg::LessonInfo& info) {
  return hg::parse_lesson_flags(a.argc(), a.argv(), info);
}

std::string error_of(const Args& a, const hg::LessonInfo& info) {
  try {
    parse(a, info);
  } catch (const hg::FlagError& e) {
    return e.what();
  }
  return "no error";
}

const hg::LessonInfo kInfo{.name = "03_sparse", .summary = "a sparse code",
                           .epochs = 7, .batch_size = 64, .lr = 0.01f};

}  // namespace

TEST_SUITE("lesson") {
  TEST_CASE("defaults come from the lesson") {
    const hg::LessonOptions o = parse(Args{}, kInfo);
    CHECK(o.epochs == 7);
    CHECK(o.batch_size == 64);
    CHECK(o.lr == 0.01f);
    CHECK(o.seed == 42);
    CHECK(o.threads >= 1);
    CHECK(o.out_dir == "out/03_sparse");
    CHECK(o.data_dir == hg::kDefaultDataDir);
    CHECK_FALSE(o.quick);
    CHECK_FALSE(o.step);
    CHECK_FALSE(o.help);
  }

  TEST_CASE("--resume only where the lesson keeps a checkpoint") {
    CHECK(error_of(Args{"--resume"}, kInfo).find("--resume: 03_sparse") == 0);
    hg::LessonInfo resumable = kInfo;
    resumable.resumable = true;
    CHECK(parse(Args{"--resume"}, resumable).resume);
    CHECK_FALSE(parse(Args{}, resumable).resume);
  }

  TEST_CASE("both --flag value and --flag=value") {
    const hg::LessonOptions o =
        parse(Args{"--epochs", "3", "--batch-size=32", "--lr", "1e-4",
                   "--seed=18446744073709551615", "--threads", "2", "--data",
                   "d", "--out=o/x", "--quick", "--step", "--synthetic=true"},
              kInfo);
    CHECK(o.epochs == 3);
    CHECK(o.batch_size == 32);
    CHECK(o.lr == doctest::Approx(1e-4));
    CHECK(o.seed == 18446744073709551615ull);
    CHECK(o.threads == 2);
    CHECK(o.data_dir == "d");
    CHECK(o.out_dir == "o/x");
    CHECK(o.quick);
    CHECK(o.step);
    CHECK(o.synthetic);
    CHECK_FALSE(parse(Args{"--quick=false"}, kInfo).quick);
  }

  TEST_CASE("lesson-specific flags of every type") {
    int code = 32;
    float beta = 3;
    std::string noise = "gaussian";
    bool tied = false;
    hg::LessonInfo info = kInfo;
    info.flags = {hg::flag("code-size", &code, "size of the code", 1, 784),
                  hg::flag("beta", &beta, "weight of the penalty", 0),
                  hg::flag("noise", &noise, "gaussian or masking"),
                  hg::flag("tied", &tied, "tie decoder to encoder")};
    parse(Args{"--code-size", "16", "--beta=0.5", "--noise", "masking",
               "--tied", "--epochs", "2"},
          info);
    CHECK(code == 16);
    CHECK(beta == 0.5f);
    CHECK(noise == "masking");
    CHECK(tied);
    CHECK(error_of(Args{"--code-size", "0"}, info) ==
          "--code-size expects an integer >= 1 and <= 784, got \"0\"");
    CHECK(error_of(Args{"--beta", "-1"}, info) ==
          "--beta expects a number >= 0, got \"-1\"");
    CHECK(error_of(Args{"--tied=maybe"}, info) ==
          "--tied expects true or false, got \"maybe\"");
    const std::string usage = hg::lesson_usage(info);
    CHECK(usage.find("--code-size N") != std::string::npos);
    CHECK(usage.find("(default 16)") != std::string::npos);
    CHECK(usage.find("(default \"masking\")") != std::string::npos);
    info.flags.push_back(hg::flag("epochs", &code, "clash"));
    CHECK_THROWS_AS(parse(Args{}, info), hg::Error);
  }

  TEST_CASE("bad command lines name the flag and what it expects") {
    CHECK(error_of(Args{"--epochs", "abc"}, kInfo) ==
          "--epochs expects a positive integer, got \"abc\"");
    CHECK(error_of(Args{"--epochs", "0"}, kInfo) ==
          "--epochs expects a positive integer, got \"0\"");
    CHECK(error_of(Args{"--epochs=3x"}, kInfo) ==
          "--epochs expects a positive integer, got \"3x\"");
    CHECK(error_of(Args{"--batch-size", "-5"}, kInfo) ==
          "--batch-size expects a positive integer, got \"-5\"");
    CHECK(error_of(Args{"--lr", "0"}, kInfo) ==
          "--lr expects a positive number, got \"0\"");
    CHECK(error_of(Args{"--lr", "nan"}, kInfo) ==
          "--lr expects a positive number, got \"nan\"");
    CHECK(error_of(Args{"--threads", "0"}, kInfo) ==
          "--threads expects an integer from 1 to 1024, got \"0\"");
    CHECK(error_of(Args{"--seed", "-1"}, kInfo) ==
          "--seed expects a non-negative integer, got \"-1\"");
    CHECK(error_of(Args{"--epochs"}, kInfo) == "--epochs expects a value");
    CHECK(error_of(Args{"--lr", "--epochs", "3"}, kInfo) == "--lr expects a value");
    CHECK(error_of(Args{"--nope"}, kInfo) == "unknown flag --nope");
    CHECK(error_of(Args{"epochs"}, kInfo).find("unexpected argument") == 0);
  }

  TEST_CASE("run_lesson: exit codes 0, 1, 2 and what is printed") {
    TempDir dir;
    const std::string out_dir = dir.file("made/by/lesson");
    std::istringstream in;
    std::ostringstream out, err;
    bool ran = false;
    const Args ok{"--out", out_dir.c_str(), "--threads", "1"};
    CHECK(hg::run_lesson(ok.argc(), ok.argv(), kInfo,
                         [&](hg::Lesson& l) {
                           ran = true;
                           CHECK(l.out_path("a.png") == out_dir + "/a.png");
                         },
                         in, out, err) == 0);
    CHECK(ran);
    CHECK(out.str().find("settings: epochs 7, batch size 64, lr 0.01, seed 42, threads 1") !=
          std::string::npos);
    CHECK(std::filesystem::is_directory(out_dir));

    std::ostringstream out2, err2;
    CHECK(hg::run_lesson(Args{"--epochs", "abc"}.argc(),
                         Args{"--epochs", "abc"}.argv(), kInfo,
                         [](hg::Lesson&) { FAIL("must not run"); }, in, out2,
                         err2) == 2);
    CHECK(err2.str().find("error: --epochs expects a positive integer, got \"abc\"\n\n"
                          "03_sparse: a sparse code\n\nusage:") == 0);

    std::ostringstream out3, err3;
    const Args help{"--help"};
    CHECK(hg::run_lesson(help.argc(), help.argv(), kInfo,
                         [](hg::Lesson&) { FAIL("must not run"); }, in, out3,
                         err3) == 0);
    CHECK(out3.str().find("--batch-size N") != std::string::npos);
    CHECK(err3.str().empty());

    std::ostringstream out4, err4;
    CHECK(hg::run_lesson(ok.argc(), ok.argv(), kInfo,
                         [](hg::Lesson&) { hg::fail("matmul: shapes (2, 3) and (4, 5)"); },
                         in, out4, err4) == 1);
    CHECK(err4.str() == "error: matmul: shapes (2, 3) and (4, 5)\n");

    std::ostringstream out5, err5;
    CHECK(hg::run_lesson(ok.argc(), ok.argv(), kInfo,
                         [](hg::Lesson&) { throw std::runtime_error("boom"); },
                         in, out5, err5) == 1);
    CHECK(err5.str() == "error: boom\n");
  }

  TEST_CASE("steps are numbered; --step waits for Enter, never past EOF") {
    hg::LessonOptions o;
    o.step = true;
    std::istringstream in("\n");  // one Enter, then end of input
    std::ostringstream out;
    hg::Lesson lesson(kInfo, o, in, out);
    lesson.step(1, "Load the data");
    lesson.step(2, "Train the encoder with SGD");
    lesson.step(3, "Look at the pictures");
    const std::string s = out.str();
    CHECK(s.find("== Step 1: Load the data ==") != std::string::npos);
    CHECK(s.find("== Step 3: Look at the pictures ==") != std::string::npos);
    // Asked twice: after the Enter, and once more to find the end of input.
    std::size_t asked = 0;
    for (std::size_t p = s.find("press Enter"); p != std::string::npos;
         p = s.find("press Enter", p + 1))
      ++asked;
    CHECK(asked == 2);
    o.step = false;
    std::ostringstream quiet;
    hg::Lesson no_wait(kInfo, o, in, quiet);
    no_wait.step(1, "x");
    CHECK(quiet.str().find("press Enter") == std::string::npos);
  }

  TEST_CASE("results are printed as a table and written to results.txt and results.tsv") {
    TempDir dir;
    std::istringstream in;
    std::ostringstream out, err;
    const std::string out_dir = dir.file("r");
    const Args a{"--out", out_dir.c_str(), "--threads", "1"};
    CHECK(hg::run_lesson(a.argc(), a.argv(), kInfo,
                         [](hg::Lesson& l) {
                           l.result("test_mse", "test MSE", 0.0123);
                           l.result("epochs", "epochs run", 7);
                           l.result("test_mse", "test MSE", 0.0121);  // replaces
                         },
                         in, out, err) == 0);
    std::ifstream file(out_dir + "/results.txt");
    std::stringstream text;
    text << file.rdbuf();
    CHECK(text.str() == "test_mse 0.0121\nepochs 7\n");
    std::ifstream labelled(out_dir + "/results.tsv");
    std::stringstream rows;
    rows << labelled.rdbuf();
    CHECK(rows.str() == "test_mse\t0.0121\ttest MSE\nepochs\t7\tepochs run\n");
    CHECK(out.str().find("  test MSE    0.0121\n") != std::string::npos);

    std::ostringstream out2, err2;
    CHECK(hg::run_lesson(a.argc(), a.argv(), kInfo,
                         [](hg::Lesson& l) { l.result("two words", "x", 1); },
                         in, out2, err2) == 1);
    CHECK(err2.str().find("must be one word") != std::string::npos);
  }
}
