#include <doctest/doctest.h>

#include <sstream>
#include <algorithm>
#include <string>

#include "hourglass/error.hpp"
#include "hourglass/io/progress.hpp"

TEST_SUITE("progress") {
  TEST_CASE("durations are short and rounded") {
    CHECK(hg::format_duration(0) == "0s");
    CHECK(hg::format_duration(4.4) == "4s");
    CHECK(hg::format_duration(59.6) == "1m00s");
    CHECK(hg::format_duration(65) == "1m05s");
    CHECK(hg::format_duration(3600 + 180 + 5) == "1h03m");
    CHECK(hg::format_duration(-1) == "?");
    CHECK(hg::format_duration(1.0 / 0.0) == "?");
  }

  TEST_CASE("the live line shows bar, percent, rate, loss, ETA") {
    CHECK(hg::progress_line(3, 10, 45, 100, 1234, 0.0213, 4, 20) ==
          "epoch 3/10 [#########-----------]  45% 1234 samples/s loss 0.0213 ETA 4s");
    CHECK(hg::progress_line(1, 1, 100, 100, 50, 1.5, 0, 4) ==
          "epoch 1/1 [####] 100% 50 samples/s loss 1.5 ETA 0s");
    CHECK(hg::progress_line(1, 2, 0, 0, 0, 0, -1, 2).find("100%") !=
          std::string::npos);  // an empty epoch is done, not a division by 0
  }

  TEST_CASE("the plain end-of-epoch line") {
    CHECK(hg::epoch_line(3, 10, 0.0213, 12.34, 4870.2) ==
          "epoch 3/10: loss 0.0213, 12.3 s, 4870 samples/s");
    CHECK(hg::epoch_line(1, 2, 0.5, 1, 10, "val 0.0250") ==
          "epoch 1/2: loss 0.5, 1.0 s, 10 samples/s, val 0.0250");
  }

  TEST_CASE("not a terminal: one line per epoch, nothing while it runs") {
    std::ostringstream out;
    hg::ProgressBar bar(2, 5, 1000, out, false);
    for (int done = 100; done <= 1000; done += 100) bar.update(done, 0.5);
    CHECK(out.str().empty());
    bar.finish(0.25, "val 0.3");
    bar.finish(0.25);  // a second finish prints nothing more
    const std::string s = out.str();
    CHECK(s.rfind("epoch 2/5: loss 0.25, ", 0) == 0);
    CHECK(s.find("val 0.3\n") != std::string::npos);
    CHECK(s.find('\r') == std::string::npos);
    CHECK(std::count(s.begin(), s.end(), '\n') == 1);
  }

  TEST_CASE("a terminal: redraws throttled, then the summary line") {
    std::ostringstream out;
    hg::ProgressBar bar(1, 1, 1000000, out, true);
    for (int done = 1; done <= 1000; ++done) bar.update(done, 0.1);
    // 1000 quick updates: the first draws, the rest fall within 100 ms.
    const std::string s = out.str();
    CHECK(std::count(s.begin(), s.end(), '\r') <= 3);
    CHECK(s.find("epoch 1/1 [") != std::string::npos);
    bar.update(1000000, 0.1);  // the last update always draws
    CHECK(out.str().find("100%") != std::string::npos);
    bar.finish(0.1);
    CHECK(out.str().find("epoch 1/1: loss 0.1") != std::string::npos);
    CHECK_THROWS_AS(hg::ProgressBar(0, 3, 10, out, false), hg::Error);
  }
}
