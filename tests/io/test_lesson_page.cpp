#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "hourglass/io/lesson.hpp"
#include "hourglass/io/lesson_page.hpp"
#include "hourglass/io/png.hpp"
#include "page_check.hpp"
#include "temp_dir.hpp"

namespace {

const hg::LessonInfo kInfo{.name = "03_sparse",
                           .summary = "a sparse code: <few> units & \"on\"",
                           .look_for = "the code's units switch off one by one",
                           .epochs = 2};

// Runs a lesson body with --out `out_dir`; returns the exit code.
int run(const std::string& out_dir,
        const std::function<void(hg::Lesson&)>& body,
        std::string* printed = nullptr, const hg::LessonInfo& info = kInfo) {
  std::vector<std::string> words{"lesson", "--out", out_dir, "--threads", "1"};
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  std::istringstream in;
  std::ostringstream out, err;
  const int code =
      hg::run_lesson(int(argv.size()), argv.data(), info, body, in, out, err);
  if (printed) *printed = out.str() + err.str();
  return code;
}

void write_png(const std::string& path) {
  const std::vector<float> gray(28 * 14, 0.5f);
  hg::write_png(path, gray.data(), 14, 28, 1);
}

// A lesson with two steps, a picture and a table each, results, a warning
// and an experiment; `draw` false leaves its pictures unwritten.
void two_steps(hg::Lesson& l, bool draw = true) {
  l.step(1, "Train <fast>", "Watch the loss & the \"code\".");
  if (draw) write_png(l.out_path("faces.png"));
  l.figure("faces.png", "faces, 'blurry' <at first>");
  l.table("the gradients", {"", "hand", "tape"},
          {{"dW", "0.5", "0.5"}, {"db", "-1", "-1"}});
  l.step(2, "Look");
  if (draw)
    std::ofstream(l.out_path("loss curve.svg"))
        << "<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
  l.figure("loss curve.svg", "the loss falls");
  l.result("test_mse", "test MSE (x − x̂)²", 0.0123456789);
  l.result("mean_image", "mean image <baseline>", 0.08);
  l.warn("training diverged: SGD & friends");
  l.try_this({{"--lr 1 --note \"x\"", "the loss jumps <up>"}});
}

std::size_t at(const std::string& text, const std::string& what) {
  const std::size_t i = text.find(what);
  INFO("looking for: ", what, "\nin: ", text);
  CHECK(i != std::string::npos);
  return i;
}

}  // namespace

TEST_SUITE("lesson_page") {
  TEST_CASE("html_escape escapes the five characters HTML gives meaning") {
    CHECK(hg::html_escape("a & b < c > d \"e\" 'f' σ") ==
          "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39; σ");
    CHECK(hg::html_escape("") == "");
  }

  TEST_CASE("the page tells the lesson's story in the order it ran, escaped") {
    TempDir dir;
    const std::string out = dir.file("03_sparse");
    std::string printed;
    REQUIRE(run(
                out, [](hg::Lesson& l) { two_steps(l); }, &printed) == 0);
    const std::string html = page_check::read(out + "/index.html");
    CHECK(page_check::page_problem(out + "/index.html") == "");
    const std::size_t
        title = at(html, "<h1>03_sparse</h1>"),
        summary = at(html,
                     "<p class=\"summary\">a sparse code: &lt;few&gt; units "
                     "&amp; &quot;on&quot;</p>"),
        look = at(html, "<h2>What to look for</h2>\n<p>the code&#39;s units"),
        step1 = at(html,
                   "<h2>Step 1: Train &lt;fast&gt;</h2>\n"
                   "<p>Watch the loss &amp; the &quot;code&quot;.</p>"),
        table = at(html, "<caption>the gradients</caption>"),
        faces = at(html,
                   "<img src=\"faces.png\" alt=\"faces, &#39;blurry&#39; "
                   "&lt;at first&gt;\" class=\"pixels\" width=\"112\" "
                   "height=\"56\" />"),
        step2 = at(html, "<h2>Step 2: Look</h2>"),
        loss = at(html, "<img src=\"loss%20curve.svg\""),
        results = at(html,
                     "<tr data-key=\"test_mse\"><td>test MSE (x − x̂)²</td>"
                     "<td class=\"num\">0.0123457</td></tr>"),
        warning = at(html, "<li>training diverged: SGD &amp; friends</li>"),
        experiment = at(html,
                        "<code>scripts/lesson 03_sparse --lr 1 --note "
                        "&quot;x&quot;</code></dt>\n<dd>the loss jumps "
                        "&lt;up&gt;</dd>");
    CHECK(title < summary);
    CHECK(summary < look);
    CHECK(look < step1);
    CHECK(step1 < table);
    CHECK(table < faces);
    CHECK(faces < step2);
    CHECK(step2 < loss);
    CHECK(loss < results);
    CHECK(results < warning);
    CHECK(warning < experiment);
    at(html,
       "<tr><td>dW</td><td class=\"num\">0.5</td><td "
       "class=\"num\">0.5</td></tr>");
    CHECK(html.find("<few>") == std::string::npos);
    // Not a course folder (the out dir is named after the lesson, but the
    // page is asked for with no course link here): no dead link either way.
    CHECK(printed.find("page: " + out + "/index.html\n") != std::string::npos);
  }

  TEST_CASE(
      "a picture whose file is missing is marked on the page and warned "
      "about") {
    TempDir dir;
    const std::string out = dir.file("x");
    std::string printed;
    REQUIRE(run(
                out, [](hg::Lesson& l) { two_steps(l, false); }, &printed) ==
            0);
    const std::string html = page_check::read(out + "/index.html");
    at(html,
       "<p class=\"missing\">missing picture: faces.png (registered by the "
       "lesson, "
       "but not in its output folder)</p>");
    CHECK(html.find("<img src=\"faces.png\"") == std::string::npos);
    CHECK(xml_problem(html) == "");
    CHECK(page_check::page_problem(out + "/index.html") ==
          "a picture is marked missing");
    at(printed,
       "warning: the picture faces.png was registered but is not in " + out);
  }

  TEST_CASE("a run that fails leaves no page, not even an earlier one") {
    TempDir dir;
    const std::string out = dir.file("f");
    REQUIRE(run(out, [](hg::Lesson& l) { two_steps(l); }) == 0);
    REQUIRE(std::filesystem::exists(out + "/index.html"));
    CHECK(run(out, [](hg::Lesson& l) {
            l.step(1, "Train");
            hg::fail("training step 3: nan");
          }) == 1);
    CHECK_FALSE(std::filesystem::exists(out + "/index.html"));
  }

  TEST_CASE("hg::cell prints a number as its format says") {
    CHECK(hg::cell("%.2f", 3.14159) == "3.14");
    CHECK(hg::cell("%+.1f", 2) == "+2.0");
    CHECK(hg::cell("σ = %g", 0.5) == "σ = 0.5");
    CHECK(hg::format_result(1.0 / 3) == "0.333333");
  }

  TEST_CASE("Lesson::table prints aligned columns and refuses ragged rows") {
    TempDir dir;
    std::string printed;
    REQUIRE(run(
                dir.file("t"),
                [](hg::Lesson& l) {
                  l.step(1, "Check");
                  l.table("σ by three methods", {"", "hand", "finite diff."},
                          {{"df/da", "0.25", "0.250001"}, {"σ", "-1", "-1"}});
                },
                &printed) == 0);
    at(printed,
       "  σ by three methods\n"
       "         hand  finite diff.\n"
       "  df/da  0.25      0.250001\n"
       "  σ        -1            -1\n");
    CHECK(run(
              dir.file("t"),
              [](hg::Lesson& l) {
                l.table("t", {"a", "b"}, {{"1"}});
              },
              &printed) == 1);
    at(printed,
       "error: Lesson::table \"t\": row 1 has 1 cells, expected 2 (one per "
       "column)");
  }

  TEST_CASE("the course page links every lesson page in its folder, in order") {
    TempDir dir;
    const hg::LessonInfo first{.name = "00_first",
                               .summary = "the first & only"};
    const hg::LessonInfo second{.name = "01_second", .summary = "pictures"};
    std::string printed;
    REQUIRE(run(
                dir.file("01_second"), [](hg::Lesson& l) { two_steps(l); },
                &printed, second) == 0);
    REQUIRE(run(
                dir.file("00_first"), [](hg::Lesson& l) { l.step(1, "Only"); },
                &printed, first) == 0);
    at(printed, "course page: " + dir.file("index.html") + "\n");
    std::filesystem::create_directories(dir.file("notes"));
    std::ofstream(dir.file("notes/index.html"))
        << "<html></html>";  // not a lesson page
    hg::write_course_page(dir.path.string());
    const std::string html = page_check::read(dir.file("index.html"));
    CHECK(page_check::page_problem(dir.file("index.html")) == "");
    const std::size_t a = at(
                          html,
                          "<a href=\"00_first/index.html\">00_first</a></h2>\n"
                          "<p>the first &amp; only</p>"),
                      b = at(html,
                             "<a href=\"01_second/index.html\">01_second</a>");
    CHECK(a < b);
    at(html,
       "<img src=\"01_second/faces.png\" alt=\"faces, &#39;blurry&#39; &lt;at "
       "first&gt;\"");
    CHECK(html.find("notes") == std::string::npos);
    CHECK(page_check::read(dir.file("00_first/index.html"))
              .find("<a href=\"../index.html\">all lessons</a>") !=
          std::string::npos);

    // A failed run takes its lesson off the course page.
    CHECK(run(
              dir.file("01_second"), [](hg::Lesson&) { hg::fail("nan"); },
              &printed, second) == 1);
    CHECK(page_check::read(dir.file("index.html")).find("01_second") ==
          std::string::npos);
  }

  TEST_CASE(
      "a course folder is the parent of an out dir named after its lesson") {
    CHECK(hg::course_folder("out/01_vanilla", "01_vanilla") == "out");
    CHECK(hg::course_folder("out/01_vanilla/", "01_vanilla") == "out");
    CHECK(hg::course_folder("/tmp/x", "01_vanilla") == "");
    CHECK(hg::course_folder("01_vanilla", "01_vanilla") == "");
  }

  TEST_CASE("the page check finds what is wrong with a page") {
    TempDir dir;
    const std::string out = dir.file("c");
    REQUIRE(run(out, [](hg::Lesson& l) { two_steps(l); }) == 0);
    const std::string page = out + "/index.html";
    REQUIRE(page_check::page_problem(page) == "");
    const std::string good = page_check::read(page);
    auto with = [&](const std::string& from, const std::string& to) {
      std::string html = good;
      html.replace(html.find(from), from.size(), to);
      std::ofstream(page) << html;
      return page_check::page_problem(page);
    };
    CHECK(
        with("0.0123457", "0.0124") ==
        "result test_mse: the page shows 0.012400, results.txt holds 0.012346");
    CHECK(with("<tr data-key=\"mean_image\">", "<tr data-key=\"other\">") ==
          "result mean_image of results.txt is not on the page");
    CHECK(with("faces.png\" alt", "face.png\" alt") ==
          "src=\"face.png\" names no file beside the page");
    CHECK(with("<td class=\"num\">-1</td>", "")
              .find("table 1: a row of 2 cells") == 0);
    CHECK(with("</figcaption>", "").find("not well-formed") == 0);
    CHECK(with("<meta charset=\"utf-8\" />", "<meta charset=\"utf-8\">")
              .find("not well-formed") == 0);
  }
}
