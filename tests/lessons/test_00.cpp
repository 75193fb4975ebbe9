#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../io/xml_check.hpp"
#include "lesson_runner.hpp"

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

// The rows of the tape listing that follows the line holding `heading`,
// split into words, up to its "N nodes; ..." line; `nodes` gets N.
std::vector<std::vector<std::string>> listing_after(const std::string& output,
                                                    const std::string& heading,
                                                    int& nodes) {
  std::vector<std::vector<std::string>> rows;
  nodes = -1;
  const auto start = output.find(heading);
  REQUIRE_MESSAGE(start != std::string::npos, "no line \"", heading, "\"");
  std::istringstream lines(output.substr(start));
  std::string line;
  std::getline(lines, line);  // the heading
  std::getline(lines, line);  // the column titles
  REQUIRE(line.find("‖grad‖") != std::string::npos);
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> row;
    for (std::string w; words >> w;) row.push_back(w);
    if (row.size() >= 2 && row[1].rfind("node", 0) == 0) {
      nodes = std::stoi(row[0]);
      break;
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

// Lesson 00 shows its tape: the listing before and after backward, and
// tape.svg with one box per node of that listing.
TEST_SUITE("lesson_00") {
  TEST_CASE("00_tape lists its tape and draws tape.svg") {
    lesson_test::run("00_tape", "", [](const std::filesystem::path& out,
                                       const std::string& output) {
      int before = 0, after = 0;
      const auto rows0 = listing_after(output, "after the forward pass", before);
      const auto rows = listing_after(output, "After backward(f)", after);
      // f(a, b) = σ(a·b + a): two parameters, then mul, add, sigmoid.
      const std::vector<std::string> ops = {"param", "param", "mul", "add", "sigmoid"};
      REQUIRE(after == int(ops.size()));
      REQUIRE(rows.size() == ops.size());
      CHECK(before == after);
      for (std::size_t i = 0; i < ops.size(); ++i) CHECK(rows[i][1] == ops[i]);
      CHECK(rows[3][2] + " " + rows[3][3] == "2 0");  // add reads a a second time
      CHECK(rows.back().back() == "loss");
      // Before backward no gradient is shown; after, every node has one.
      // The parameter rows read: #, op, —, (1, 1), min, mean, max, ‖grad‖.
      CHECK(rows0[0][8] == "—");
      CHECK(rows[4][8] == "1");  // ∂f/∂f
      const double grad_a = std::stod(rows[0][8]), grad_b = std::stod(rows[1][8]);
      CHECK(grad_a > 0);
      CHECK(grad_b > 0);
      CHECK(grad_a != doctest::Approx(grad_b));  // the two partials do not mirror
      CHECK(output.find("tape.svg") != std::string::npos);  // the figure is named

      REQUIRE(std::filesystem::exists(out / "tape.svg"));
      const std::string svg = read_file(out / "tape.svg");
      CHECK(xml_problem(svg) == "");
      CHECK(count(svg, "class=\"node\"") == after);
      // The page shows the picture in place, under the steps.
      const std::string page = read_file(out / "index.html");
      CHECK(page.find("<h2>Step 3: ") != std::string::npos);
      CHECK(page.find("src=\"tape.svg\"") != std::string::npos);
    }, false);
  }
}
