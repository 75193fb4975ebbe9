#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <algorithm>
#include <limits>
#include <string>

#include "hourglass/error.hpp"
#include "hourglass/data/gzip.hpp"
#include "hourglass/io/svg_plot.hpp"
#include "temp_dir.hpp"
#include "xml_check.hpp"

namespace {
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
// Nice: k × {1, 2, 5} × 10^e, for some integer k; check via the step.
bool is_nice_step(double step) {
  const double mag = std::pow(10.0, std::floor(std::log10(step)));
  const double m = step / mag;
  return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 ||
         std::abs(m - 5) < 1e-9;
}
}  // namespace

TEST_SUITE("svg") {
  TEST_CASE("the checker itself rejects broken XML") {
    CHECK(xml_problem("<a><b x=\"1\"/></a>") == "");
    CHECK(xml_problem("<a><b></a>") != "");
    CHECK(xml_problem("<a x=1></a>") != "");
    CHECK(xml_problem("<a>x & y</a>") != "");
    CHECK(xml_problem("<a>x < y</a>") != "");
    CHECK(xml_problem("<a x=\"1\" x=\"2\"></a>") != "");
    CHECK(xml_problem("<a></a><b></b>") != "");
    CHECK(xml_problem("<a>") != "");
  }

  TEST_CASE("nice ticks are 1, 2, 5 x 10^k steps that cover the data") {
    struct Case { double lo, hi; };
    for (Case c : {Case{0, 1}, Case{0.0213, 0.0871}, Case{-3.7, 12.2},
                   Case{1, 10}, Case{0.3, 0.7}, Case{5, 5}, Case{0, 0},
                   Case{-1e-6, 3e-6}, Case{123456, 987654}, Case{1, 50}}) {
      CAPTURE(c.lo);
      CAPTURE(c.hi);
      const std::vector<double> t = hg::nice_ticks(c.lo, c.hi);
      REQUIRE(t.size() >= 2);
      CHECK(t.size() <= 12);
      const double step = t[1] - t[0];
      CHECK(is_nice_step(step));
      CHECK(t.front() <= c.lo + step * 1e-6);
      CHECK(t.back() >= c.hi - step * 1e-6);
      for (std::size_t i = 0; i < t.size(); ++i) {
        const double k = t[i] / step;
        CHECK(std::abs(k - std::round(k)) < 1e-6);  // a multiple of the step
      }
    }
    CHECK(hg::nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
    CHECK_THROWS_AS(hg::nice_ticks(0, std::nan("")), hg::Error);
    CHECK_THROWS_AS(hg::nice_ticks(2, 1), hg::Error);
  }

  TEST_CASE("tick labels have the decimals the step needs") {
    CHECK(hg::format_tick(0.25, 0.05) == "0.25");
    CHECK(hg::format_tick(0.30000000000000004, 0.1) == "0.3");
    CHECK(hg::format_tick(20, 10) == "20");
    CHECK(hg::format_tick(-1e-17, 0.1) == "0");  // rounding residue
    CHECK(hg::format_tick(0, 0.1) == "0");
    CHECK(hg::format_tick(2e-5, 1e-5) == "2e-05");
  }

  TEST_CASE("xml escaping of &, <, > and quotes") {
    CHECK(hg::xml_escape("a<b & c>\"d\"") == "a&lt;b &amp; c&gt;&quot;d&quot;");
  }

  TEST_CASE("a line plot is well-formed and names its series") {
    hg::LinePlot p{"Loss <per> epoch & more", "epoch", "MSE",
                   {{"training", {1, 2, 3, 4}, {0.09, 0.05, 0.031, 0.027}},
                    {"validation & test", {1, 2, 3, 4}, {0.1, 0.06, 0.04, 0.035}}}};
    const std::string svg = hg::render_svg(p);
    CHECK(xml_problem(svg) == "");
    CHECK(contains(svg, ">training<"));
    CHECK(contains(svg, ">validation &amp; test<"));
    CHECK(contains(svg, "Loss &lt;per&gt; epoch &amp; more"));
    CHECK(contains(svg, ">0.02<"));  // y ticks from 0.02 to 0.10
    CHECK(contains(svg, ">0.10<"));
    CHECK(std::count(svg.begin(), svg.end(), '\n') > 20);
    p.log_y = true;
    const std::string log_svg = hg::render_svg(p);
    CHECK(xml_problem(log_svg) == "");
    CHECK(contains(log_svg, ">0.01<"));
    CHECK(contains(log_svg, ">0.1<"));
    CHECK(contains(log_svg, ">0.05<"));  // 2 and 5 ticks within a decade
  }

  TEST_CASE("NaN, infinity and mismatched data are errors") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    hg::LinePlot p{"t", "x", "y", {{"loss", {1, 2, 3}, {0.5, nan, 0.2}}}};
    CHECK_THROWS_WITH_AS(hg::render_svg(p),
                         doctest::Contains("series \"loss\" y[1]"), hg::Error);
    p.series[0].y[1] = inf;
    CHECK_THROWS_AS(hg::render_svg(p), hg::Error);
    p.series[0].y = {0.5, 0.1};
    CHECK_THROWS_AS(hg::render_svg(p), hg::Error);
    p.series[0].y = {0.5, 0.0, 0.1};
    p.log_y = true;
    CHECK_THROWS_AS(hg::render_svg(p), hg::Error);  // log of 0
    hg::ScatterPlot s{"codes", "z1", "z2", {0, inf}, {1, 2}, {0, 1}, {}};
    CHECK_THROWS_AS(hg::render_svg(s), hg::Error);
    CHECK_THROWS_AS(hg::render_svg(hg::BarChart{"b", "", "", {1, nan}, {}, {}}),
                    hg::Error);
    CHECK_THROWS_AS(hg::histogram({1, nan}, 4, "h", "v"), hg::Error);
  }

  TEST_CASE("a scatter plot colours classes and lists them in the legend") {
    hg::ScatterPlot s{"2-D codes", "z1", "z2", {}, {}, {},
                      {"T-shirt", "Trouser", "Pullover"}};
    for (int i = 0; i < 30; ++i) {
      s.x.push_back(std::cos(i));
      s.y.push_back(std::sin(i) * i);
      s.labels.push_back(i % 3);
    }
    const std::string svg = hg::render_svg(s);
    CHECK(xml_problem(svg) == "");
    for (const char* name : {">T-shirt<", ">Trouser<", ">Pullover<"})
      CHECK(contains(svg, name));
    for (int k = 0; k < 3; ++k) CHECK(contains(svg, hg::class_colour(k)));
    CHECK(std::string(hg::class_colour(3)) != hg::class_colour(4));
    s.labels[5] = 3;  // no such class
    CHECK_THROWS_AS(hg::render_svg(s), hg::Error);
  }

  TEST_CASE("histogram counts fall into equal bins; bars render") {
    const hg::BarChart h = hg::histogram({0, 0.1, 0.5, 0.9, 1.0}, 2, "act", "a");
    CHECK(h.heights == std::vector<double>{2, 3});  // [0, .5) and [.5, 1]
    CHECK(h.edges == std::vector<double>{0, 0.5, 1});
    CHECK(xml_problem(hg::render_svg(h)) == "");
    const hg::BarChart bars{"per class", "class", "mean", {0.3, 0.1, 0.2},
                            {"a<b", "c", "d"}, {}};
    const std::string svg = hg::render_svg(bars);
    CHECK(xml_problem(svg) == "");
    CHECK(contains(svg, ">a&lt;b<"));
    CHECK(std::count(svg.begin(), svg.end(), '\n') > 10);
  }

  TEST_CASE("save_svg writes the file through a temporary") {
    TempDir dir;
    const std::string path = dir.file("loss.svg");
    hg::save_svg(path, hg::LinePlot{"t", "x", "y", {{"s", {0, 1}, {1, 2}}}});
    const std::vector<std::uint8_t> bytes = hg::read_file_bytes(path);
    CHECK(xml_problem(std::string(bytes.begin(), bytes.end())) == "");
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  }
}
