// SVG plots: line plots (loss curves), scatter plots coloured by class (2-D
// codes) and bar charts / histograms (mean activations), written as plain
// SVG text that any browser shows.
//
// What it is: a few hundred lines that turn numbers into a readable figure
// with "nice" axis ticks (1, 2, 5 × 10^k), axis labels, a title and a
// legend. What it is not: a general plotting library (no subplots, no
// styles, no interactivity). NaN or infinite data throw hg::Error: a plot
// must not quietly drop the very point that shows a diverging run.
#pragma once

#include <string>
#include <vector>

namespace hg {

struct Series {
  std::string name;        // shown in the legend, e.g. "validation"
  std::vector<double> x;   // e.g. epoch numbers
  std::vector<double> y;   // e.g. mean loss per epoch
};

struct LinePlot {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  bool log_y = false;      // log10 y axis: losses often span decades
};

struct ScatterPlot {
  std::string title, x_label, y_label;
  std::vector<double> x, y;
  std::vector<int> labels;                // class of each point, 0..9
  std::vector<std::string> class_names;   // legend, one per class
};

struct BarChart {
  std::string title, x_label, y_label;
  std::vector<double> heights;
  // Optional label under each bar; when empty, bars are numbered 0..n-1.
  std::vector<std::string> bar_labels;
  // With edges (heights.size() + 1 values) the x axis is numeric and bars
  // span [edges[i], edges[i+1]]: a histogram.
  std::vector<double> edges;
};

// Counts of `values` in `bins` equal-width bins over [min, max]: a BarChart
// with edges, ready to render.
BarChart histogram(const std::vector<double>& values, int bins,
                   std::string title, std::string x_label);

// At most about `target` + 2 ticks at multiples of 1, 2 or 5 × 10^k: the
// first <= lo, the last >= hi, so the ticks cover the data.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// A tick's text with no more decimals than the step needs ("0.25", "1e-05").
std::string format_tick(double value, double step);

// "&", "<", ">", '"' as entities, so any name is safe inside SVG text.
std::string xml_escape(const std::string& text);

// The plots as SVG text, and written to a file via temporary + rename.
std::string render_svg(const LinePlot& plot);
std::string render_svg(const ScatterPlot& plot);
std::string render_svg(const BarChart& plot);
void save_svg(const std::string& path, const LinePlot& plot);
void save_svg(const std::string& path, const ScatterPlot& plot);
void save_svg(const std::string& path, const BarChart& plot);

// The 10 class colours, as "#rrggbb"; index i % 10.
const char* class_colour(int i);

}  // namespace hg
