// The tape as a picture: one box per node, one arrow per input, in columns
// by depth so the data flows left to right as the forward pass did.
//
// Layout, in three steps:
//   1. columns: a node's column is one more than its deepest input's; a
//      leaf (input or parameter) moves right to just before its first user,
//      so a decoder's weights sit beside the decoder, not at the far left;
//      an arrow that skips columns gets a waypoint in each, a row of its own;
//   2. order inside a column: a few sweeps that move each node towards the
//      mean height of its neighbours (inputs going right, users coming
//      back), the usual cure for crossing arrows (Sugiyama et al. 1981);
//   3. boxes as wide as their text, arrows as curves from the right edge of
//      an input to the left edge of its user, one slot per input.
#include <algorithm>
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
using tape_view::chars;

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

// The graph being laid out: the tape's nodes, then one waypoint for every
// column a long arrow crosses, so that arrows get rows of their own instead
// of running through the boxes in between.
struct Graph {
  std::vector<Box> boxes;                    // nodes first, then waypoints
  std::vector<std::vector<int>> ins, users;  // neighbours, waypoints included
  std::vector<std::vector<int>> arrows;      // per input edge: the boxes it passes
  std::vector<std::pair<int, int>> slots;    // per arrow: its input slot, and how many
};

// Step 1: columns, and waypoints for arrows that skip columns.
void add_columns(const Tape& tape, Graph& g) {
  const int n = static_cast<int>(g.boxes.size());
  auto users = std::vector<std::vector<int>>(std::size_t(n));
  for (int i = 0; i < n; ++i)
    for (int k : tape.node(i).in)
      if (k >= 0) {
        users[std::size_t(k)].push_back(i);
        g.boxes[std::size_t(i)].column =
            std::max(g.boxes[std::size_t(i)].column, g.boxes[std::size_t(k)].column + 1);
      }
  for (int i = 0; i < n; ++i) {
    if (tape.node(i).in[0] >= 0 || users[std::size_t(i)].empty()) continue;
    int first = n;
    for (int u : users[std::size_t(i)]) first = std::min(first, g.boxes[std::size_t(u)].column);
    g.boxes[std::size_t(i)].column = first - 1;
  }
  g.ins.assign(std::size_t(n), {});
  g.users.assign(std::size_t(n), {});
  for (int i = 0; i < n; ++i) {
    const auto& in = tape.node(i).in;
    const int count = int(std::count_if(in.begin(), in.end(), [](int k) { return k >= 0; }));
    for (int slot = 0; slot < count; ++slot) {
      std::vector<int> via{in[std::size_t(slot)]};
      for (int c = g.boxes[std::size_t(via[0])].column + 1; c < g.boxes[std::size_t(i)].column;
           ++c) {
        Box waypoint;
        waypoint.column = c;
        g.boxes.push_back(waypoint);
        g.ins.emplace_back();
        g.users.emplace_back();
        via.push_back(int(g.boxes.size()) - 1);
      }
      via.push_back(i);
      for (std::size_t s = 0; s + 1 < via.size(); ++s) {
        g.users[std::size_t(via[s])].push_back(via[s + 1]);
        g.ins[std::size_t(via[s + 1])].push_back(via[s]);
      }
      g.arrows.push_back(via);
      g.slots.emplace_back(slot, count);
    }
  }
}

// Step 2: the order inside each column (as the boxes' keys: rows centred
// on 0, so columns of different lengths line up).
std::vector<std::vector<int>> add_rows(Graph& g) {
  auto& boxes = g.boxes;
  int columns = 0;
  for (const Box& b : boxes) columns = std::max(columns, b.column + 1);
  auto cols = std::vector<std::vector<int>>(std::size_t(columns));
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    cols[std::size_t(boxes[i].column)].push_back(int(i));
    boxes[i].key = double(i);
  }
  auto place = [&](std::vector<int>& col) {
    std::stable_sort(col.begin(), col.end(), [&](int a, int b) {
      return boxes[std::size_t(a)].key < boxes[std::size_t(b)].key;
    });
    for (std::size_t r = 0; r < col.size(); ++r)
      boxes[std::size_t(col[r])].key = double(r) - double(col.size() - 1) / 2;
  };
  for (auto& col : cols) place(col);
  auto move_to_mean = [&](int i, const std::vector<int>& ids) {
    if (ids.empty()) return;
    double s = 0;
    for (int j : ids) s += boxes[std::size_t(j)].key;
    boxes[std::size_t(i)].key = s / double(ids.size());
  };
  for (int sweep = 0; sweep < 4; ++sweep) {
    for (auto& col : cols) {  // left to right: towards the inputs
      for (int i : col) move_to_mean(i, g.ins[std::size_t(i)]);
      place(col);
    }
    for (auto c = cols.rbegin(); c != cols.rend(); ++c) {  // and back: towards the users
      for (int i : *c) move_to_mean(i, g.users[std::size_t(i)]);
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
  Graph g;
  g.boxes.resize(std::size_t(std::max(n, 0)));
  int lines = 2;
  for (int i = 0; i < n; ++i) {
    Box& b = g.boxes[std::size_t(i)];
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
  add_columns(tape, g);
  const std::vector<std::vector<int>> cols = add_rows(g);
  std::vector<Box>& boxes = g.boxes;

  // Step 3: pixel positions. Every box has the same height; a column is as
  // wide as its widest box, and boxes (waypoints: points) are centred in it.
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

  // The legend under the title: a sample box per style, and the loss's border.
  std::string legend;
  double lx = kMargin;
  auto entry = [&](const char* fill, const char* stroke, double stroke_w,
                   const std::string& name) {
    legend += "<rect class=\"legend\" x=\"" + num(lx) + "\" y=\"40\" width=\"18\" "
              "height=\"12\" rx=\"3\" fill=\"" + fill + "\" stroke=\"" + stroke +
              "\" stroke-width=\"" + num(stroke_w) + "\"/>\n";
    legend += text(lx + 24, 50, name);
    lx += 24 + double(chars(name)) * 6.5 + 18;
  };
  for (const Style* s : {&kParam, &kInput, &kNeedsGrad, &kNoGrad})
    entry(s->fill, s->stroke, 1.5, s->name);
  entry("#ffffff", kLossColour, 3, "loss");

  const double width = std::max(x - kColumnGap, lx) + kMargin;
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
  out += legend;

  // Arrows first, so boxes cover their ends: a curve from the right edge of
  // one box (or a waypoint) to the left edge of the next.
  for (std::size_t a = 0; a < g.arrows.size(); ++a) {
    const std::vector<int>& via = g.arrows[a];
    const auto [slot, count] = g.slots[a];
    std::string d;
    double x0 = 0, y0 = 0;
    for (std::size_t s = 0; s < via.size(); ++s) {
      const Box& b = boxes[std::size_t(via[s])];
      double y = b.y + b.h / 2;
      if (s + 1 == via.size()) y += (slot - (count - 1) / 2.0) * 10;  // one slot per input
      if (s == 0) {
        x0 = b.x + b.w;
        y0 = y;
        d = "M " + num(x0) + " " + num(y0);
        continue;
      }
      const double x1 = b.x, mid = (x0 + x1) / 2;
      d += " C " + num(mid) + " " + num(y0) + " " + num(mid) + " " + num(y) + " " + num(x1) +
           " " + num(y);
      x0 = b.x + b.w;
      y0 = y;
    }
    out += "<path class=\"edge\" d=\"" + d +
           "\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" "
           "marker-end=\"url(#arrow)\"/>\n";
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
