// The tape as text: one line per node, in the order the forward pass made
// them (see tape_view.hpp for what each column means).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "hourglass/io/tape_view.hpp"
#include "tape_view_common.hpp"

namespace hg {

namespace tape_view {

int loss_index(const Tape& tape, const Var& loss) {
  if (!loss.valid()) return -1;
  check(&loss.tape() == &tape, "tape view: the loss Var belongs to another tape");
  return loss.index();
}

bool has_gradient(const Tape& tape, int i, int loss, bool gradients) {
  const Node& n = tape.node(i);
  // backward(loss) writes the gradients of the nodes up to the loss only.
  if (!gradients || !n.needs_grad || (loss >= 0 && i > loss)) return false;
  return n.grad().shape() == n.val().shape();
}

double norm(const Tensor& t) {
  double s = 0;
  for (float v : t) s += double(v) * v;
  return std::sqrt(s);
}

std::size_t chars(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // a continuation byte
  }));
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace tape_view

namespace {

// The table is built as cells first, so every column can be as wide as its
// widest cell; numbers are right-aligned, words left-aligned.
struct Column {
  std::string title;
  bool right;
};

std::string layout(const std::vector<Column>& columns,
                   const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> w(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    w[c] = tape_view::chars(columns[c].title);
    for (const auto& row : rows) w[c] = std::max(w[c], tape_view::chars(row[c]));
  }
  std::string out;
  auto line = [&](auto cell) {
    std::string text;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string s = cell(c);
      const std::string pad(w[c] - tape_view::chars(s), ' ');
      text += (c ? "  " : "") + (columns[c].right ? pad + s : s + pad);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line([&](std::size_t c) { return columns[c].title; });
  for (const auto& row : rows) line([&](std::size_t c) { return row[c]; });
  return out;
}

}  // namespace

std::string tape_listing(const Tape& tape, const TapeListingOptions& options) {
  using namespace tape_view;
  const int loss = loss_index(tape, options.loss);
  const std::string none = "—";
  const std::vector<Column> columns = {
      {"#", true},   {"op", false},   {"inputs", false}, {"shape", false},
      {"min", true}, {"mean", true},  {"max", true},     {"‖grad‖", true},
      {"needs grad", false},          {"", false}};
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < tape.size(); ++i) {
    const Node& n = tape.node(i);
    const Tensor& v = n.val();
    std::string inputs;
    for (int k : n.in)
      if (k >= 0) inputs += (inputs.empty() ? "" : " ") + std::to_string(k);
    std::string lo = none, mid = none, hi = none;
    if (!v.empty()) {
      const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
      double s = 0;
      for (float x : v) s += x;
      lo = number(*mn);
      mid = number(s / double(v.size()));
      hi = number(*mx);
    }
    const std::string grad =
        has_gradient(tape, i, loss, options.gradients) ? number(norm(n.grad())) : none;
    std::string mark = n.param ? "param \"" + n.param->name + "\""
                       : n.in[0] < 0 ? "input" : "";
    if (i == loss) mark += mark.empty() ? "loss" : ", loss";
    rows.push_back({std::to_string(i), n.op, inputs.empty() ? none : inputs,
                    v.shape().str(), lo, mid, hi, grad, n.needs_grad ? "yes" : "no",
                    mark});
  }
  std::string out = layout(columns, rows);
  out += std::to_string(tape.size()) + (tape.size() == 1 ? " node" : " nodes");
  out += options.gradients ? "; ‖grad‖ after backward"
                           : "; ‖grad‖ not computed yet (—)";
  if (options.gradients && tape.size() > 0)
    out += " (a parameter's: all of Parameter::grad)";
  out += "\n";
  return out;
}

void print_tape(const Tape& tape, std::ostream& out, const TapeListingOptions& options) {
  out << tape_listing(tape, options);
}

}  // namespace hg
