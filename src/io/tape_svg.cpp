// The tape as a picture: one box per node, one arrow per input, in columns
// by depth so the data flows left to right as the forward pass did.
//
// Layout, in three steps:
//   1. columns: a node's column is one more than its deepest input's; a
//      leaf (input or parameter) moves right to just before its first user,
//      so a decoder's weights sit beside the decoder, not at the far left;
//   2. order inside a column: a few sweeps that move each node towards the
//      mean height of its neighbours (inputs going right, users coming
//      back), the usual cure for crossing arrows (Sugiyama et al. 1981);
//   3. boxes as wide as their text, arrows as curves from the right edge of
//      an input to the left edge of its user, one slot per input.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/svg_plot.hpp"
#include "hourglass/io/tape_view.hpp"
#include "svg_canvas.hpp"
#include "tape_view_common.hpp"

namespace hg {

namespace {

using svg::num;

constexpr double kCharWidth = 7.2;  // of a 12 px sans-serif character, roughly
constexpr double kLineHeight = 15, kPad = 8, kColumnGap = 56, kRowGap = 16;
constexpr double kMargin = 20, kTop = 78;

struct Style {
  const char* fill;
  const char* stroke;
  const char* name;  // in the legend
};
constexpr Style kParam{"#ffe3bf", "#ff7f0e", "parameter"};
constexpr Style kInput{"#eeeeee", "#7f7f7f", "input (constant)"};
constexpr Style kNeedsGrad{"#dbe9f6", "#1f77b4", "op, needs a gradient"};
constexpr Style kNoGrad{"#ffffff", "#7f7f7f", "op, no gradient"};
constexpr const char* kLossColour = "#d62728";

std::size_t chars(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

struct Box {
  std::vector<std::string> lines;
  const Style* style = nullptr;
  int column = 0;
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size
  double key = 0;                      // where the sweeps want it, vertically
};

std::vector<std::string> box_lines(const Tape& tape, int i, int loss, bool gradients) {
  using tape_view::number;
  const Node& n = tape.node(i);
  const Tensor& v = n.val();
  std::string head = "#" + std::to_string(i) + " " + n.op;
  if (n.param) head += " " + n.param->name;
  std::string shape = v.shape().str();
  if (v.size() == 1) shape += " = " + number(v[0]);
  std::vector<std::string> lines{head, shape};
  if (tape_view::has_gradient(tape, i, loss, gradients))
    lines.push_back(v.size() == 1 ? "grad = " + number(n.grad()[0])
                                  : "‖grad‖ = " + number(tape_view::norm(n.grad())));
  return lines;
}

// Steps 1 and 2: columns, then each column's order (as the boxes' keys).
std::vector<std::vector<int>> arrange(const Tape& tape, std::vector<Box>& boxes) {
  const int n = static_cast<int>(boxes.size());
  std::vector<std::vector<int>> users(boxes.size());
  for (int i = 0; i < n; ++i)
    for (int k : tape.node(i).in)
      if (k >= 0) {
        users[std::size_t(k)].push_back(i);
        boxes[std::size_t(i)].column =
            std::max(boxes[std::size_t(i)].column, boxes[std::size_t(k)].column + 1);
      }
  for (int i = 0; i < n; ++i) {
    Box& b = boxes[std::size_t(i)];
    if (tape.node(i).in[0] >= 0 || users[std::size_t(i)].empty()) continue;
    int first = n;
    for (int u : users[std::size_t(i)]) first = std::min(first, boxes[std::size_t(u)].column);
    b.column = first - 1;
  }
  int columns = 0;
  for (const Box& b : boxes) columns = std::max(columns, b.column + 1);
  std::vector<std::vector<int>> cols(std::size_t(std::max(columns, 0)));
  for (int i = 0; i < n; ++i) {
    cols[std::size_t(boxes[std::size_t(i)].column)].push_back(i);
    boxes[std::size_t(i)].key = i;
  }
  // Heights centred on 0, so columns of different lengths line up.
  auto place = [&](std::vector<int>& col) {
    std::stable_sort(col.begin(), col.end(), [&](int a, int b) {
      return boxes[std::size_t(a)].key < boxes[std::size_t(b)].key;
    });
    for (std::size_t r = 0; r < col.size(); ++r)
      boxes[std::size_t(col[r])].key = double(r) - double(col.size() - 1) / 2;
  };
  for (auto& col : cols) place(col);
  auto mean_of = [&](const std::vector<int>& ids, double fallback) {
    if (ids.empty()) return fallback;
    double s = 0;
    for (int j : ids) s += boxes[std::size_t(j)].key;
    return s / double(ids.size());
  };
  for (int sweep = 0; sweep < 3; ++sweep) {
    for (auto& col : cols) {  // left to right: towards the inputs
      for (int i : col) {
        std::vector<int> in;
        for (int k : tape.node(i).in)
          if (k >= 0) in.push_back(k);
        boxes[std::size_t(i)].key = mean_of(in, boxes[std::size_t(i)].key);
      }
      place(col);
    }
    for (auto c = cols.rbegin(); c != cols.rend(); ++c) {  // and back: towards the users
      for (int i : *c)
        boxes[std::size_t(i)].key = mean_of(users[std::size_t(i)], boxes[std::size_t(i)].key);
      place(*c);
    }
  }
  return cols;
}

std::string text(double x, double y, const std::string& s, const char* extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + extra + ">" + xml_escape(s) +
         "</text>\n";
}

}  // namespace

std::string render_tape_svg(const Tape& tape, const TapeSvgOptions& options) {
  check(options.max_nodes >= 1, "render_tape_svg: max_nodes = ", options.max_nodes,
        " (expected at least 1)");
  const int loss = tape_view::loss_index(tape, options.loss);
  const int n = std::min(tape.size(), options.max_nodes);
  std::vector<Box> boxes(std::size_t(std::max(n, 0)));
  int lines = 2;
  for (int i = 0; i < n; ++i) {
    Box& b = boxes[std::size_t(i)];
    const Node& node = tape.node(i);
    b.lines = box_lines(tape, i, loss, options.gradients);
    lines = std::max(lines, int(b.lines.size()));
    b.style = node.param ? &kParam
              : node.in[0] < 0 ? &kInput
              : node.needs_grad ? &kNeedsGrad
                                : &kNoGrad;
    std::size_t longest = 0;
    for (const std::string& s : b.lines) longest = std::max(longest, chars(s));
    b.w = double(longest) * kCharWidth + 2 * kPad;
  }
  const std::vector<std::vector<int>> cols = arrange(tape, boxes);

  // Step 3: pixel positions. Every box has the same height; a column is as
  // wide as its widest box, and boxes are centred in it.
  const double box_h = lines * kLineHeight + kPad, row = box_h + kRowGap;
  std::size_t tallest = 0;
  for (const auto& col : cols) tallest = std::max(tallest, col.size());
  double x = kMargin;
  for (const auto& col : cols) {
    double w = 0;
    for (int i : col) w = std::max(w, boxes[std::size_t(i)].w);
    for (int i : col) {
      Box& b = boxes[std::size_t(i)];
      b.h = box_h;
      b.x = x + (w - b.w) / 2;
      b.y = kTop + (b.key + double(tallest - 1) / 2) * row;
    }
    x += w + kColumnGap;
  }
  const double width = std::max(x - kColumnGap + kMargin, 640.0);
  const double height = kTop + double(tallest) * row + kMargin;

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
         "<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" fill=\"white\"/>\n";
  std::string title = options.title;
  if (n < tape.size())
    title += " (first " + std::to_string(n) + " of " + std::to_string(tape.size()) +
             " nodes; " + std::to_string(tape.size() - n) + " not drawn)";
  out += text(kMargin, 26, title, " font-size=\"16\"");

  // The legend: a sample box per style, and the loss's border.
  double lx = kMargin;
  auto legend = [&](const char* fill, const char* stroke, double stroke_w,
                    const std::string& name) {
    out += "<rect class=\"legend\" x=\"" + num(lx) + "\" y=\"40\" width=\"18\" height=\"12\" "
           "rx=\"3\" fill=\"" + fill + "\" stroke=\"" + stroke + "\" stroke-width=\"" +
           num(stroke_w) + "\"/>\n";
    out += text(lx + 24, 50, name);
    lx += 24 + double(chars(name)) * kCharWidth + 18;
  };
  for (const Style* s : {&kParam, &kInput, &kNeedsGrad, &kNoGrad})
    legend(s->fill, s->stroke, 1.5, s->name);
  legend("#ffffff", kLossColour, 3, "loss");

  // Arrows first, so boxes cover their ends.
  for (int i = 0; i < n; ++i) {
    const Box& to = boxes[std::size_t(i)];
    const auto& in = tape.node(i).in;
    const int count = int(std::count_if(in.begin(), in.end(), [](int k) { return k >= 0; }));
    for (int slot = 0; slot < count; ++slot) {
      const Box& from = boxes[std::size_t(in[std::size_t(slot)])];
      const double x1 = from.x + from.w, y1 = from.y + from.h / 2;
      const double x2 = to.x, y2 = to.y + to.h / 2 + (slot - (count - 1) / 2.0) * 10;
      const double mid = (x1 + x2) / 2;
      out += "<path class=\"edge\" d=\"M " + num(x1) + " " + num(y1) + " C " + num(mid) + " " +
             num(y1) + " " + num(mid) + " " + num(y2) + " " + num(x2) + " " + num(y2) +
             "\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" "
             "marker-end=\"url(#arrow)\"/>\n";
    }
  }
  for (int i = 0; i < n; ++i) {
    const Box& b = boxes[std::size_t(i)];
    const bool is_loss = i == loss;
    out += "<rect class=\"node\" x=\"" + num(b.x) + "\" y=\"" + num(b.y) + "\" width=\"" +
           num(b.w) + "\" height=\"" + num(b.h) + "\" rx=\"5\" fill=\"" + b.style->fill +
           "\" stroke=\"" + (is_loss ? kLossColour : b.style->stroke) + "\" stroke-width=\"" +
           (is_loss ? "3" : "1.5") + "\"/>\n";
    for (std::size_t l = 0; l < b.lines.size(); ++l)
      out += text(b.x + kPad, b.y + kPad / 2 + kLineHeight * double(l + 1) - 3, b.lines[l],
                  l == 0 ? " font-weight=\"bold\"" : "");
  }
  out += "</svg>\n";
  return out;
}

void save_tape_svg(const Tape& tape, const std::string& path, const TapeSvgOptions& options) {
  write_file_atomically(path, render_tape_svg(tape, options));
}

}  // namespace hg
