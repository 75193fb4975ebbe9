// Float flags checked as the float the lesson computes with, and printed
// with every digit needed to tell two values apart.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "hourglass/io/exact_text.hpp"
#include "hourglass/io/lesson.hpp"
#include "args.hpp"
#include "temp_dir.hpp"

namespace {

std::string error_of(const Args& a, const hg::LessonInfo& info) {
  try {
    hg::parse_lesson_flags(a.argc(), a.argv(), info);
  } catch (const hg::FlagError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_SUITE("lesson_numbers") {
  TEST_CASE("a float flag must stay finite, and not 0 where 0 is out of range, once a float") {
    float beta = 3, rho = 0.05f, free = 1;
    const hg::LessonInfo info{
        .name = "04_sparse", .summary = "a sparse code",
        .flags = {hg::flag("beta", &beta, "weight of the penalty", 0, 1e4),
                  hg::flag("rho", &rho, "target activation", 1e-4, 0.9999),
                  hg::flag("free", &free, "any float")}};
    CHECK(error_of(Args{"--lr", "1e-50"}, info) ==
          "--lr expects a positive number, got \"1e-50\", which rounds to 0 as "
          "a float (the smallest above 0 is 1e-45)");
    CHECK(error_of(Args{"--free", "1e39"}, info) ==
          "--free expects a number, got \"1e39\", which is too large for a "
          "float (the largest is 3.4028235e+38)");
    CHECK(error_of(Args{"--free", "-1e300"}, info).find("too large for a float") !=
          std::string::npos);
    CHECK(error_of(Args{"--rho", "0"}, info) ==
          "--rho expects a number >= 1e-04 and <= 0.9999, got \"0\"");
    // A range that holds 0 still takes it, as 0 or as what rounds to it.
    CHECK(error_of(Args{"--beta", "0", "--free", "1e-50"}, info) == "no error");
    CHECK(beta == 0.0f);
    CHECK(free == 0.0f);
    // Unwise but valid: the top of --lr's range, and a tiny rate that is
    // still a float above 0.
    const hg::LessonOptions big =
        hg::parse_lesson_flags(Args{"--lr", "1e6"}.argc(), Args{"--lr", "1e6"}.argv(), info);
    CHECK(big.lr == 1e6f);
    const Args tiny{"--lr", "1e-40"};
    CHECK(hg::parse_lesson_flags(tiny.argc(), tiny.argv(), info).lr > 0.0f);
  }

  TEST_CASE("settings and defaults are printed with every digit that tells them apart") {
    CHECK(hg::exact_text(1e-7f) == "1e-07");
    CHECK(hg::exact_text(4e-7f) == "4e-07");
    CHECK(hg::exact_text(0.001f) == "0.001");
    CHECK(hg::exact_text(0.1f + 0.2f) == "0.3");
    CHECK(hg::exact_text(1.0000001f) == "1.0000001");
    CHECK(hg::exact_text(0.1 + 0.2) == "0.30000000000000004");

    float sigma = 0.123456789f;
    const hg::LessonInfo info{.name = "05_denoising", .summary = "noise",
                              .lr = 0.0012345678f,
                              .flags = {hg::flag("sigma", &sigma, "noise", 0, 10)}};
    const std::string usage = hg::lesson_usage(info);
    // Six digits would print 0.00123457, which is another float.
    CHECK(usage.find("learning rate (default 0.0012345678)") != std::string::npos);
    CHECK(usage.find("noise (default 0.12345679)") != std::string::npos);

    TempDir dir;
    const Args a{"--lr", "1.0000001e-7", "--out", dir.file("out").c_str(), "--threads", "1"};
    std::istringstream in;
    std::ostringstream out, err;
    CHECK(hg::run_lesson(a.argc(), a.argv(), info, [](hg::Lesson&) {}, in, out, err) == 0);
    CHECK(out.str().find(", lr 1.0000001e-07, ") != std::string::npos);
  }
}
