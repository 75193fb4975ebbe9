#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hourglass/autodiff/ops.hpp"
#include "hourglass/data/gzip.hpp"
#include "hourglass/error.hpp"
#include "hourglass/io/tape_view.hpp"
#include "temp_dir.hpp"
#include "xml_check.hpp"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
std::size_t count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}
// The words of a listing line, split on spaces.
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// f(a, b) = σ(a·b + a) at a = 0.5, b = 0.8: z = 0.9, f = σ(0.9) = 0.7109,
// σ'(0.9) = 0.2055, df/da = σ'·(b + 1) = 0.3699, df/db = σ'·a = 0.1028.
struct Example {
  hg::Parameter pa{"a", hg::Tensor({1}, {0.5f})};
  hg::Parameter pb{"b", hg::Tensor({1}, {0.8f})};
  hg::Tape tape;
  hg::Var f;
  Example() {
    hg::Var a = tape.param(pa), b = tape.param(pb);
    f = hg::sigmoid(a * b + a);
  }
};

}  // namespace

TEST_SUITE("tape view") {
  TEST_CASE("the listing has a header, one line per node in order, and a footer") {
    Example ex;
    const auto lines = lines_of(hg::tape_listing(ex.tape, {.loss = ex.f}));
    REQUIRE(lines.size() == 1 + 5 + 1);
    CHECK(words(lines[0]) == std::vector<std::string>{"#", "op", "inputs", "shape", "min",
                                                     "mean", "max", "‖grad‖", "needs",
                                                     "grad"});
    const std::vector<std::vector<std::string>> expected = {
        {"0", "param", "—", "(1)", "0.5", "0.5", "0.5", "—", "yes", "param", "\"a\""},
        {"1", "param", "—", "(1)", "0.8", "0.8", "0.8", "—", "yes", "param", "\"b\""},
        {"2", "mul", "0", "1", "(1)", "0.4", "0.4", "0.4", "—", "yes"},
        {"3", "add", "2", "0", "(1)", "0.9", "0.9", "0.9", "—", "yes"},
        {"4", "sigmoid", "3", "(1)", "0.7109", "0.7109", "0.7109", "—", "yes", "loss"},
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(lines[i + 1]);
      CHECK(words(lines[i + 1]) == expected[i]);
    }
    CHECK(lines.back() == "5 nodes; ‖grad‖ not computed yet (—)");
  }

  TEST_CASE("after backward the listing shows each gradient's norm") {
    Example ex;
    ex.tape.backward(ex.f);
    const auto lines = lines_of(hg::tape_listing(ex.tape, {.loss = ex.f, .gradients = true}));
    REQUIRE(lines.size() == 7);
    // ‖grad‖ is the 8th word of a param line, counted from the end otherwise.
    CHECK(words(lines[1])[7] == "0.3699");  // df/da: through mul and add
    CHECK(words(lines[2])[7] == "0.1028");  // df/db
    CHECK(words(lines[3])[8] == "0.2055");  // df/d(ab) = σ'(z)
    CHECK(words(lines[4])[8] == "0.2055");  // df/dz
    CHECK(words(lines[5])[7] == "1");       // df/df
    CHECK(contains(lines.back(), "after backward"));
  }

  TEST_CASE("inputs, tensors and nodes after the loss are listed as they are") {
    hg::Parameter pw("w", hg::Tensor({2, 3}, {1, -2, 3, -4, 5, -6}));
    hg::Tape tape;
    hg::Var loss, after;
    // Two passes on one tape: the first runs backward through `after` too,
    // so its gradient buffer holds a stale number when the second does not.
    for (bool through_after : {true, false}) {
      tape.clear();
      pw.grad.zero();
      hg::Var x = tape.input(hg::Tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
      loss = hg::sum(x * tape.param(pw));
      after = loss * 2.0f;
      tape.backward(through_after ? after : loss);
    }
    const auto lines = lines_of(hg::tape_listing(tape, {.loss = loss, .gradients = true}));
    REQUIRE(lines.size() == 1 + 5 + 1);
    CHECK(words(lines[1]) == std::vector<std::string>{"0", "input", "—", "(2,", "3)", "1",
                                                     "3.5", "6", "—", "no", "input"});
    // dloss/dw = x, whose norm is √91 = 9.539.
    CHECK(words(lines[2]) == std::vector<std::string>{"1", "param", "—", "(2,", "3)", "-6",
                                                     "-0.5", "5", "9.539", "yes", "param",
                                                     "\"w\""});
    CHECK(words(lines[5])[0] == std::to_string(after.index()));
    CHECK(words(lines[5])[8] == "—");  // after the loss: no gradient this pass
    CHECK(words(lines[5])[9] == "yes");
  }

  TEST_CASE("print_tape writes the listing to a stream") {
    Example ex;
    std::ostringstream out;
    hg::print_tape(ex.tape, out);
    CHECK(out.str() == hg::tape_listing(ex.tape));
    hg::Tape other;
    hg::Var elsewhere = other.input(hg::Tensor({1}, {1.0f}));
    CHECK_THROWS_WITH_AS(hg::print_tape(ex.tape, out, {.loss = elsewhere}),
                         "tape view: the loss Var belongs to another tape", hg::Error);
  }

  TEST_CASE("the picture is well-formed, with one box per node and one arrow per input") {
    Example ex;
    ex.tape.backward(ex.f);
    const std::string svg = hg::render_tape_svg(ex.tape, {.loss = ex.f, .gradients = true});
    CHECK(xml_problem(svg) == "");
    CHECK(count(svg, "class=\"node\"") == 5);
    CHECK(count(svg, "class=\"edge\"") == 5);  // mul: 2, add: 2, sigmoid: 1
    CHECK(contains(svg, "#0 param a"));
    CHECK(contains(svg, "#4 sigmoid"));
    CHECK(contains(svg, "(1) = 0.7109"));
    CHECK(contains(svg, "grad = 0.3699"));
    // The loss alone has the thick red border; the legend names it.
    CHECK(count(svg, "stroke=\"#d62728\" stroke-width=\"3\"") == 1);
    CHECK(contains(svg, "stroke=\"#d62728\" stroke-width=\"3.00\"/>\n<text x=\"") );
    CHECK(contains(svg, ">loss</text>"));
    CHECK(contains(svg, ">parameter</text>"));
  }

  TEST_CASE("save_tape_svg writes the same picture to a file") {
    Example ex;
    TempDir dir;
    const std::string path = dir.file("tape.svg");
    hg::save_tape_svg(ex.tape, path, {.loss = ex.f});
    const std::vector<unsigned char> bytes = hg::read_file_bytes(path);
    CHECK(std::string(bytes.begin(), bytes.end()) ==
          hg::render_tape_svg(ex.tape, {.loss = ex.f}));
  }

  TEST_CASE("a long tape is drawn as its first max_nodes nodes, and says so") {
    hg::Parameter p("p", hg::Tensor({4}, {1, 2, 3, 4}));
    hg::Tape tape;
    hg::Var x = tape.param(p);
    for (int i = 0; i < 150; ++i) x = hg::tanh(x * 0.5f + x);
    const int total = tape.size();  // 1 + 150 · 3
    const std::string svg = hg::render_tape_svg(tape, {.max_nodes = 40});
    CHECK(xml_problem(svg) == "");
    CHECK(count(svg, "class=\"node\"") == 40);
    // Among the first 40 nodes: every node but the parameter has its inputs
    // drawn; add has two (the product and x).
    int edges = 0;
    for (int i = 0; i < 40; ++i)
      for (int k : tape.node(i).in) edges += k >= 0;
    CHECK(count(svg, "class=\"edge\"") == std::size_t(edges));
    CHECK(contains(svg, "first 40 of " + std::to_string(total) + " nodes; " +
                            std::to_string(total - 40) + " not drawn"));
    CHECK_THROWS_WITH_AS(hg::render_tape_svg(tape, {.max_nodes = 0}),
                         "render_tape_svg: max_nodes = 0 (expected at least 1)", hg::Error);
  }

  TEST_CASE("an empty tape gives an empty listing and an empty, well-formed picture") {
    hg::Tape tape;
    CHECK(hg::tape_listing(tape) ==
          "#  op  inputs  shape  min  mean  max  ‖grad‖  needs grad\n"
          "0 nodes; ‖grad‖ not computed yet (—)\n");
    const std::string svg = hg::render_tape_svg(tape);
    CHECK(xml_problem(svg) == "");
    CHECK(count(svg, "class=\"node\"") == 0);
  }
}
