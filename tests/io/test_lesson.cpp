#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hourglass/io/lesson.hpp"
#include "args.hpp"
#include "temp_dir.hpp"

namespace {

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
    CHECK(o.step == hg::StepMode::Off);
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
    CHECK(o.step == hg::StepMode::Steps);
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

  TEST_CASE("--step, --step=epoch and --step=batch stop at ever finer places") {
    CHECK(parse(Args{"--step"}, kInfo).step == hg::StepMode::Steps);
    CHECK(parse(Args{"--step=epoch"}, kInfo).step == hg::StepMode::Epochs);
    CHECK(parse(Args{"--step=batch"}, kInfo).step == hg::StepMode::Batches);
    CHECK(parse(Args{"--step=false"}, kInfo).step == hg::StepMode::Off);
    CHECK(error_of(Args{"--step=often"}, kInfo) ==
          "--step expects no value, epoch or batch, got \"often\"");
    std::istringstream in;
    std::ostringstream out;
    auto lesson_with = [&](hg::StepMode mode) {
      hg::LessonOptions o;
      o.step = mode;
      return hg::Lesson(kInfo, o, in, out);
    };
    const hg::Lesson off = lesson_with(hg::StepMode::Off);
    CHECK_FALSE(off.stops_at_epoch());
    CHECK_FALSE(off.stops_at_batch(1));
    const hg::Lesson steps = lesson_with(hg::StepMode::Steps);
    CHECK_FALSE(steps.stops_at_epoch());
    CHECK_FALSE(steps.stops_at_batch(1));
    const hg::Lesson epochs = lesson_with(hg::StepMode::Epochs);
    CHECK(epochs.stops_at_epoch());
    CHECK_FALSE(epochs.stops_at_batch(1));
    const hg::Lesson batches = lesson_with(hg::StepMode::Batches);
    CHECK(batches.stops_at_epoch());
    CHECK(batches.stops_at_batch(1));
    CHECK(batches.stops_at_batch(hg::kBatchStops));
    CHECK_FALSE(batches.stops_at_batch(hg::kBatchStops + 1));
    CHECK_FALSE(batches.stops_at_batch(0));
  }

  TEST_CASE("--step pauses after each step, at a terminal, never past EOF") {
    hg::LessonOptions o;
    o.step = hg::StepMode::Steps;
    std::istringstream in("\n");  // one Enter, then end of input
    std::ostringstream out;
    hg::Lesson lesson(kInfo, o, in, out);
    lesson.step(1, "Load the data", "Reads the images. Look at the counts.");
    CHECK(out.str().find("press Enter") == std::string::npos);  // not before
    lesson.step(2, "Train the encoder with SGD");
    lesson.step(3, "Look at the pictures");
    lesson.end_steps();
    const std::string s = out.str();
    CHECK(s.find("== Step 1: Load the data ==\n"
                 "   Reads the images. Look at the counts.\n") != std::string::npos);
    // After step 1 (the Enter), then after step 2 (finds the end of input);
    // after that it no longer asks.
    CHECK(s.find("-- end of step 1: Load the data (press Enter to continue)") <
          s.find("== Step 2"));
    std::size_t asked = 0;
    for (std::size_t p = s.find("press Enter"); p != std::string::npos;
         p = s.find("press Enter", p + 1))
      ++asked;
    CHECK(asked == 2);
    REQUIRE(lesson.steps().size() == 3);
    CHECK(lesson.steps()[0].what == "Reads the images. Look at the counts.");
    CHECK(lesson.steps()[2].title == "Look at the pictures");

    o.step = hg::StepMode::Off;
    std::ostringstream quiet;
    hg::Lesson no_wait(kInfo, o, in, quiet);
    no_wait.step(1, "x");
    no_wait.step(2, "y");
    CHECK(quiet.str().find("press Enter") == std::string::npos);
  }

  TEST_CASE("with input that is not a terminal the stops never wait") {
    hg::LessonOptions o;
    o.step = hg::StepMode::Batches;
    std::istringstream in("\n\n\n");  // an open pipe of Enters: `yes "" |`
    std::ostringstream out;
    hg::Lesson lesson(kInfo, o, in, out, /*interactive=*/false);
    lesson.step(1, "a");
    lesson.step(2, "b");
    lesson.stop({.where = "sgd: epoch 1, batch 1 of 4", .loss = 2.5, .params = {}});
    lesson.end_steps();
    CHECK(out.str().find("press Enter") == std::string::npos);
    CHECK(out.str().find("standard input is not a terminal") != std::string::npos);
    CHECK(out.str().find("-- stop: sgd: epoch 1, batch 1 of 4 --") != std::string::npos);
    std::string line;
    int left = 0;
    while (std::getline(in, line)) ++left;
    CHECK(left == 3);  // nothing was read
  }

  TEST_CASE("a stop shows the loss, gradient norms and update sizes, then waits") {
    hg::LessonOptions o;
    o.step = hg::StepMode::Batches;
    std::istringstream in("\nrest\n");
    std::ostringstream out;
    hg::Lesson lesson(kInfo, o, in, out);
    lesson.stop({.where = "adam: epoch 1, batch 2 of 4",
                 .loss = 52.125,
                 .params = {{"enc.W", "(32, 784)", 3.0625, 0.078125},
                            {"dec.b", "(1, 784)", 4.5, 0.828125}}});
    const std::string s = out.str();
    CHECK(s.find("-- stop: adam: epoch 1, batch 2 of 4 --\n   loss 52.125\n") !=
          std::string::npos);
    CHECK(s.find("   enc.W        (32, 784)           3.062      0.07812\n") !=
          std::string::npos);
    CHECK(s.find("   dec.b        (1, 784)              4.5       0.8281\n") !=
          std::string::npos);
    CHECK(s.find("(press Enter to continue)") != std::string::npos);
    std::string line;
    REQUIRE(std::getline(in, line));
    CHECK(line == "rest");  // it read exactly one line
  }

  TEST_CASE("figures, warnings and Try this are kept in order and printed last") {
    TempDir dir;
    std::istringstream in;
    std::ostringstream out, err;
    const std::string out_dir = dir.file("f");
    const Args a{"--out", out_dir.c_str(), "--threads", "1"};
    std::vector<hg::LessonFigure> figures;
    CHECK(hg::run_lesson(a.argc(), a.argv(), kInfo,
                         [&](hg::Lesson& l) {
                           l.step(1, "Train");
                           l.figure("loss.svg", "the loss falls");
                           l.step(2, "Look");
                           l.figure("faces.png", "blurry faces");
                           l.warn("training diverged: SGD ends at 0.2");
                           l.try_this({{"--lr 1", "the loss jumps"}});
                           l.result("err", "error", 0.25);
                           figures = l.figures();
                         },
                         in, out, err) == 0);
    REQUIRE(figures.size() == 2);
    CHECK(figures[0].step == 1);
    CHECK(figures[0].file == "loss.svg");
    CHECK(figures[1].step == 2);
    CHECK(figures[1].caption == "blurry faces");
    const std::string s = out.str();
    CHECK(s.find("picture " + out_dir + "/loss.svg: the loss falls\n") !=
          std::string::npos);
    const std::size_t table = s.find("== Results"),
                      warning = s.find("warning: training diverged: SGD ends at 0.2\n"),
                      try_this = s.find("== Try this ==\n  scripts/lesson 03_sparse --lr 1\n"
                                        "      the loss jumps\n");
    REQUIRE(table != std::string::npos);
    REQUIRE(warning != std::string::npos);
    REQUIRE(try_this != std::string::npos);
    CHECK(table < warning);
    CHECK(warning < try_this);
  }

  TEST_CASE("a run that fails leaves no results.txt, not even an earlier one") {
    TempDir dir;
    const std::string out_dir = dir.file("r");
    std::filesystem::create_directories(out_dir);
    std::ofstream(out_dir + "/results.txt") << "test_mse 0.01\n";
    std::istringstream in;
    std::ostringstream out, err;
    const Args a{"--out", out_dir.c_str(), "--threads", "1"};
    CHECK(hg::run_lesson(a.argc(), a.argv(), kInfo,
                         [](hg::Lesson& l) {
                           l.result("test_mse", "test MSE", 0.02);
                           hg::fail("training step 3: nan");
                         },
                         in, out, err) == 1);
    CHECK_FALSE(std::filesystem::exists(out_dir + "/results.txt"));
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
