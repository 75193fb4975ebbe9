// The shared drawing of every SVG plot: the frame, axes with nice ticks,
// title, labels and legend. Private to src/io; svg_plot.cpp draws the data
// inside the plot area this sets up.
#pragma once

#include <string>
#include <vector>

namespace hg::svg {

// One axis: the data interval it shows and the ticks on it.
struct Axis {
  double lo = 0, hi = 1;
  std::vector<double> ticks;
  bool log = false;
};

// Ticks covering [lo, hi]; the axis spans the first to the last tick.
Axis linear_axis(double lo, double hi);
// Powers of ten covering [lo, hi] (both > 0).
Axis log_axis(double lo, double hi);

struct LegendEntry {
  std::string name, colour;
  bool line = true;  // a line sample for a series, a dot for a class
};

// Pixel geometry: a fixed-size figure with the plot area inside margins,
// the right margin wide enough for the legend when there is one.
class Canvas {
 public:
  static constexpr double kWidth = 760, kHeight = 460;
  static constexpr double kLeft = 80, kTop = 44, kBottom = 84;

  // Without a legend the plot area takes the right margin too.
  Canvas(Axis x, Axis y, bool legend = true)
      : x_(std::move(x)), y_(std::move(y)), right_(legend ? 170 : 30) {}

  double px(double x) const;  // data x -> pixel column
  double py(double y) const;  // data y -> pixel row (up is smaller)

  // Opens the <svg>, draws background, grid, axes, tick labels, title and
  // axis labels. `x_tick_text` replaces numeric x tick labels when given.
  void begin(std::string& out, const std::string& title,
             const std::string& x_label, const std::string& y_label,
             const std::vector<std::string>& x_tick_text = {}) const;
  // Legend in the right margin, then </svg>.
  void end(std::string& out, const std::vector<LegendEntry>& legend) const;

  const Axis& x() const { return x_; }
  const Axis& y() const { return y_; }

 private:
  Axis x_, y_;
  double right_;
};

// "%.2f": pixel coordinates need no more.
std::string num(double v);

}  // namespace hg::svg
