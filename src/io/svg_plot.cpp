// Line, scatter and bar plots drawn into the frame of svg_canvas.
#include "hourglass/io/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hourglass/error.hpp"
#include "hourglass/io/atomic_file.hpp"
#include "svg_canvas.hpp"

namespace hg {

namespace {

using svg::num;

// The data range of some values, each checked to be finite.
struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v, const char* plot, const std::string& what,
           std::size_t i) {
    check(std::isfinite(v), plot, ": ", what, "[", i, "] is ", v,
          "; expected finite data");
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

}  // namespace

std::string render_svg(const LinePlot& plot) {
  check(!plot.series.empty(), "line plot \"", plot.title, "\": no series");
  Range rx, ry;
  for (const Series& s : plot.series) {
    check(s.x.size() == s.y.size(), "line plot: series \"", s.name, "\" has ",
          s.x.size(), " x values but ", s.y.size(), " y values");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      rx.add(s.x[i], "line plot", "series \"" + s.name + "\" x", i);
      ry.add(s.y[i], "line plot", "series \"" + s.name + "\" y", i);
      check(!plot.log_y || s.y[i] > 0, "line plot: series \"", s.name,
            "\" y[", i, "] = ", s.y[i], "; a log y axis needs y > 0");
    }
  }
  check(!rx.empty(), "line plot \"", plot.title, "\": no data points");
  const svg::Canvas c(svg::linear_axis(rx.lo, rx.hi),
                      plot.log_y ? svg::log_axis(ry.lo, ry.hi)
                                 : svg::linear_axis(ry.lo, ry.hi));
  std::string out;
  c.begin(out, plot.title, plot.x_label, plot.y_label);
  std::vector<svg::LegendEntry> legend;
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    const std::string colour = class_colour(int(k));
    out += "<polyline fill=\"none\" stroke=\"" + colour +
           "\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (i) out += ' ';
      out += num(c.px(s.x[i])) + "," + num(c.py(s.y[i]));
    }
    out += "\"/>\n";
    // Dots mark the measured points when there are few, e.g. per epoch.
    if (s.x.size() <= 60)
      for (std::size_t i = 0; i < s.x.size(); ++i)
        out += "<circle cx=\"" + num(c.px(s.x[i])) + "\" cy=\"" +
               num(c.py(s.y[i])) + "\" r=\"3\" fill=\"" + colour + "\"/>\n";
    legend.push_back({s.name, colour, true});
  }
  c.end(out, legend);
  return out;
}

std::string render_svg(const ScatterPlot& plot) {
  check(plot.x.size() == plot.y.size() && plot.x.size() == plot.labels.size(),
        "scatter plot \"", plot.title, "\": ", plot.x.size(), " x, ",
        plot.y.size(), " y and ", plot.labels.size(),
        " labels; expected one of each per point");
  check(!plot.x.empty(), "scatter plot \"", plot.title, "\": no points");
  Range rx, ry;
  int max_label = 0;
  for (std::size_t i = 0; i < plot.x.size(); ++i) {
    rx.add(plot.x[i], "scatter plot", "x", i);
    ry.add(plot.y[i], "scatter plot", "y", i);
    const int l = plot.labels[i];
    check(l >= 0 && (plot.class_names.empty() ||
                     l < int(plot.class_names.size())),
          "scatter plot: label[", i, "] = ", l, "; expected 0..",
          plot.class_names.empty() ? 9 : int(plot.class_names.size()) - 1);
    max_label = std::max(max_label, l);
  }
  const svg::Canvas c(svg::linear_axis(rx.lo, rx.hi),
                      svg::linear_axis(ry.lo, ry.hi));
  std::string out;
  c.begin(out, plot.title, plot.x_label, plot.y_label);
  // One group per class, so a class's colour is stated once.
  const int classes = plot.class_names.empty() ? max_label + 1
                                               : int(plot.class_names.size());
  std::vector<svg::LegendEntry> legend;
  for (int k = 0; k < classes; ++k) {
    out += "<g fill=\"" + std::string(class_colour(k)) +
           "\" fill-opacity=\"0.6\">\n";
    for (std::size_t i = 0; i < plot.x.size(); ++i)
      if (plot.labels[i] == k)
        out += "<circle cx=\"" + num(c.px(plot.x[i])) + "\" cy=\"" +
               num(c.py(plot.y[i])) + "\" r=\"2.2\"/>\n";
    out += "</g>\n";
    legend.push_back({plot.class_names.empty() ? "class " + std::to_string(k)
                                               : plot.class_names[k],
                      class_colour(k), false});
  }
  c.end(out, legend);
  return out;
}

std::string render_svg(const BarChart& plot) {
  const std::size_t n = plot.heights.size();
  check(n > 0, "bar chart \"", plot.title, "\": no bars");
  check(plot.bar_labels.empty() || plot.bar_labels.size() == n,
        "bar chart: ", plot.bar_labels.size(), " labels for ", n, " bars");
  check(plot.edges.empty() || plot.edges.size() == n + 1, "bar chart: ",
        plot.edges.size(), " edges for ", n, " bars; expected ", n + 1);
  Range ry;
  ry.add(0, "bar chart", "baseline", 0);  // bars grow from zero
  for (std::size_t i = 0; i < n; ++i)
    ry.add(plot.heights[i], "bar chart", "heights", i);
  for (std::size_t i = 0; i + 1 < plot.edges.size(); ++i)
    check(std::isfinite(plot.edges[i]) && std::isfinite(plot.edges[i + 1]) &&
              plot.edges[i] < plot.edges[i + 1],
          "bar chart: edges must be finite and increasing, edge ", i + 1);
  // Histograms get a numeric x axis; categorical bars sit at 0..n-1 with
  // their labels (or every few indices) as tick text.
  svg::Axis ax;
  std::vector<std::string> tick_text;
  if (!plot.edges.empty()) {
    ax = svg::linear_axis(plot.edges.front(), plot.edges.back());
  } else {
    ax.lo = -0.5;
    ax.hi = double(n) - 0.5;
    const std::size_t every = plot.bar_labels.empty() || n > 30 ? (n + 9) / 10 : 1;
    for (std::size_t i = 0; i < n; i += every) {
      ax.ticks.push_back(double(i));
      tick_text.push_back(plot.bar_labels.empty() || every > 1
                              ? std::to_string(i)
                              : plot.bar_labels[i]);
    }
  }
  const svg::Canvas c(ax, svg::linear_axis(ry.lo, ry.hi), false);
  std::string out;
  c.begin(out, plot.title, plot.x_label, plot.y_label, tick_text);
  out += "<g fill=\"" + std::string(class_colour(0)) + "\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    const double a = plot.edges.empty() ? double(i) - 0.4 : plot.edges[i];
    const double b = plot.edges.empty() ? double(i) + 0.4 : plot.edges[i + 1];
    const double top = c.py(std::max(0.0, plot.heights[i]));
    const double bottom = c.py(std::min(0.0, plot.heights[i]));
    out += "<rect x=\"" + num(c.px(a)) + "\" y=\"" + num(top) +
           "\" width=\"" + num(std::max(0.5, c.px(b) - c.px(a) - 1)) +
           "\" height=\"" + num(bottom - top) + "\"/>\n";
  }
  out += "</g>\n";
  c.end(out, {});
  return out;
}

BarChart histogram(const std::vector<double>& values, int bins,
                   std::string title, std::string x_label) {
  check(bins >= 1, "histogram: ", bins, " bins; expected at least 1");
  check(!values.empty(), "histogram \"", title, "\": no values");
  Range r;
  for (std::size_t i = 0; i < values.size(); ++i)
    r.add(values[i], "histogram", "values", i);
  if (r.lo == r.hi) r.lo -= 0.5, r.hi += 0.5;
  BarChart chart{std::move(title), std::move(x_label), "count", {}, {}, {}};
  chart.heights.assign(std::size_t(bins), 0.0);
  const double width = (r.hi - r.lo) / bins;
  for (int i = 0; i <= bins; ++i) chart.edges.push_back(r.lo + width * i);
  for (double v : values) {
    // Bin i holds [lo + i w, lo + (i+1) w); the maximum goes in the last.
    const int i = std::min(bins - 1, int((v - r.lo) / width));
    chart.heights[std::size_t(i)] += 1;
  }
  return chart;
}

void save_svg(const std::string& path, const LinePlot& plot) {
  write_file_atomically(path, render_svg(plot));
}
void save_svg(const std::string& path, const ScatterPlot& plot) {
  write_file_atomically(path, render_svg(plot));
}
void save_svg(const std::string& path, const BarChart& plot) {
  write_file_atomically(path, render_svg(plot));
}

}  // namespace hg
