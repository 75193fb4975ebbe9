#include "lesson_runner.hpp"

// Lesson 00 reports no numbers of its own (its tables compare columns a
// reader checks by eye): its run must succeed and leave a sound page.
TEST_SUITE("lesson_00") {
  TEST_CASE("00_tape --quick runs and writes its page") {
    const auto out = lesson_test::run_quick("00_tape");
    CHECK(page_check::read(out / "index.html").find("<h2>Step 3: ") !=
          std::string::npos);
  }
}
