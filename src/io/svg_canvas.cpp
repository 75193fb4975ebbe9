// Ticks, escaping, colours and the frame every plot shares.
#include "svg_canvas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hourglass/error.hpp"
#include "hourglass/io/svg_plot.hpp"

namespace hg {

std::vector<double> nice_ticks(double lo, double hi, int target) {
  check(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "nice_ticks: [",
        lo, ", ", hi, "] is not a finite interval");
  check(target >= 1, "nice_ticks: target ", target, "; expected >= 1");
  if (hi - lo <= std::abs(hi) * 1e-12) {
    // A flat range (e.g. a constant loss) gets a little room around it.
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  // The step is the raw step (hi - lo) / target rounded up to 1, 2 or 5
  // times a power of ten, the numbers a reader can add up at a glance.
  const double raw = (hi - lo) / target;
  const int e = int(std::floor(std::log10(raw)));
  const double mag = std::pow(10.0, e);
  const double norm = raw / mag;
  const double digit = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  const double step = digit * mag;
  // Ticks as integer multiples k of the step, so no error accumulates; for
  // steps below 1 as (k · digit) / 10^-e, one rounding, so 3 × 0.2 prints
  // as 0.6 and not 0.6000000000000001.
  auto tick = [&](double k) {
    return e >= 0 ? k * digit * mag : k * digit / std::pow(10.0, -e);
  };
  const double first = std::floor(lo / step * (1 + 1e-12));
  const double last = std::ceil(hi / step * (1 - 1e-12));
  std::vector<double> ticks;
  // (+ 0.0 turns a -0 tick into 0.)
  for (double k = first; k <= last + 0.5; k += 1) ticks.push_back(tick(k) + 0.0);
  // The 1e-12 nudges above avoid a spurious extra tick when lo / step is
  // 2.9999999999999996 instead of 3, but must never leave data uncovered
  // by more than rounding.
  const double slack = step * 1e-9;
  if (ticks.front() > lo + slack) ticks.insert(ticks.begin(), ticks.front() - step);
  if (ticks.back() < hi - slack) ticks.push_back(ticks.back() + step);
  return ticks;
}

std::string format_tick(double value, double step) {
  char buf[32];
  // Rounding residue like -1e-17 on a 0.1 grid is zero, not "-0.0".
  if (std::abs(value) < std::abs(step) * 1e-6) return "0";
  if (std::abs(value) >= 1e6 || std::abs(step) < 1e-4) {
    std::snprintf(buf, sizeof buf, "%g", value);
    return buf;
  }
  // As many decimals as the step has: step 0.05 -> 2, step 10 -> 0.
  const int decimals =
      std::max(0, int(std::ceil(-std::log10(std::abs(step)) - 1e-9)));
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0 at all.
        out += static_cast<unsigned char>(c) < 0x20 && c != '\t' ? ' ' : c;
    }
  }
  return out;
}

const char* class_colour(int i) {
  // Ten hues far apart in both colour and lightness, readable on white.
  static const char* kColours[10] = {
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kColours[((i % 10) + 10) % 10];
}

namespace svg {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

Axis linear_axis(double lo, double hi) {
  Axis a;
  a.ticks = nice_ticks(lo, hi);
  a.lo = a.ticks.front();
  a.hi = a.ticks.back();
  return a;
}

Axis log_axis(double lo, double hi) {
  check(lo > 0 && hi > 0, "svg plot: log y axis needs positive values, got [",
        lo, ", ", hi, "]");
  Axis a;
  a.log = true;
  int e0 = int(std::floor(std::log10(lo) + 1e-12));
  int e1 = int(std::ceil(std::log10(hi) - 1e-12));
  if (e0 == e1) --e0, ++e1;  // at least one full decade
  // Powers of ten; over at most two decades also 2 and 5 times them, so a
  // loss curve from 0.011 to 0.1 still has ticks to read it against.
  const bool fine = e1 - e0 <= 2;
  for (int e = e0; e <= e1; ++e) {
    const double p = std::pow(10.0, e);
    a.ticks.push_back(p);
    if (fine && e < e1) {
      a.ticks.push_back(2 * p);
      a.ticks.push_back(5 * p);
    }
  }
  a.lo = a.ticks.front();
  a.hi = a.ticks.back();
  return a;
}

double Canvas::px(double x) const {
  const double w = kWidth - kLeft - right_;
  return kLeft + (x - x_.lo) / (x_.hi - x_.lo) * w;
}

double Canvas::py(double y) const {
  const double h = kHeight - kTop - kBottom;
  if (y_.log)
    return kTop + h - (std::log10(y) - std::log10(y_.lo)) /
                          (std::log10(y_.hi) - std::log10(y_.lo)) * h;
  return kTop + h - (y - y_.lo) / (y_.hi - y_.lo) * h;
}

void Canvas::begin(std::string& out, const std::string& title,
                   const std::string& x_label, const std::string& y_label,
                   const std::vector<std::string>& x_tick_text) const {
  const double x0 = kLeft, x1 = kWidth - right_;
  const double y0 = kHeight - kBottom, y1 = kTop;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) +
         "\" height=\"" + num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) +
         " " + num(kHeight) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out += "<rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" +
         num(kHeight) + "\" fill=\"white\"/>\n";
  // Grid lines and ticks; the labels say what each tick is worth.
  const double step_x = x_.ticks.size() > 1 ? x_.ticks[1] - x_.ticks[0] : 1;
  const double step_y = y_.ticks.size() > 1 ? y_.ticks[1] - y_.ticks[0] : 1;
  // Category names wider than their slot (about 7 px a character at 12 px)
  // are turned 30 degrees so neighbours do not overlap.
  const double slot = (x1 - x0) / double(std::max<std::size_t>(1, x_.ticks.size()));
  bool turn = false;
  for (const std::string& text : x_tick_text)
    turn = turn || double(text.size()) * 7 > slot;
  for (std::size_t i = 0; i < x_.ticks.size(); ++i) {
    const double t = x_.ticks[i], X = px(t);
    out += "<line x1=\"" + num(X) + "\" y1=\"" + num(y0) + "\" x2=\"" +
           num(X) + "\" y2=\"" + num(y1) + "\" stroke=\"#e5e5e5\"/>\n";
    const std::string text = i < x_tick_text.size() ? x_tick_text[i]
                             : x_tick_text.empty() ? format_tick(t, step_x)
                                                   : std::string();
    if (turn)
      out += "<text x=\"" + num(X + 4) + "\" y=\"" + num(y0 + 14) +
             "\" text-anchor=\"end\" transform=\"rotate(-30 " + num(X + 4) +
             " " + num(y0 + 14) + ")\">" + xml_escape(text) + "</text>\n";
    else
      out += "<text x=\"" + num(X) + "\" y=\"" + num(y0 + 18) +
             "\" text-anchor=\"middle\">" + xml_escape(text) + "</text>\n";
  }
  for (double t : y_.ticks) {
    const double Y = py(t);
    out += "<line x1=\"" + num(x0) + "\" y1=\"" + num(Y) + "\" x2=\"" +
           num(x1) + "\" y2=\"" + num(Y) + "\" stroke=\"#e5e5e5\"/>\n";
    char buf[32];
    if (y_.log) std::snprintf(buf, sizeof buf, "%g", t);
    out += "<text x=\"" + num(x0 - 8) + "\" y=\"" + num(Y + 4) +
           "\" text-anchor=\"end\">" +
           (y_.log ? std::string(buf) : format_tick(t, step_y)) + "</text>\n";
  }
  out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y1) + "\" width=\"" +
         num(x1 - x0) + "\" height=\"" + num(y0 - y1) +
         "\" fill=\"none\" stroke=\"#333\"/>\n";
  out += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"26\" " +
         "text-anchor=\"middle\" font-size=\"16\">" + xml_escape(title) +
         "</text>\n";
  out += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(kHeight - 16) +
         "\" text-anchor=\"middle\">" + xml_escape(x_label) + "</text>\n";
  out += "<text x=\"20\" y=\"" + num((y0 + y1) / 2) +
         "\" text-anchor=\"middle\" transform=\"rotate(-90 20 " +
         num((y0 + y1) / 2) + ")\">" + xml_escape(y_label) + "</text>\n";
}

void Canvas::end(std::string& out,
                 const std::vector<LegendEntry>& legend) const {
  const double x = kWidth - right_ + 16;
  for (std::size_t i = 0; i < legend.size(); ++i) {
    const double y = kTop + 10 + 20 * double(i);
    const LegendEntry& e = legend[i];
    if (e.line)
      out += "<line x1=\"" + num(x) + "\" y1=\"" + num(y) + "\" x2=\"" +
             num(x + 22) + "\" y2=\"" + num(y) + "\" stroke=\"" + e.colour +
             "\" stroke-width=\"2\"/>\n";
    else
      out += "<circle cx=\"" + num(x + 11) + "\" cy=\"" + num(y) +
             "\" r=\"5\" fill=\"" + e.colour + "\"/>\n";
    out += "<text x=\"" + num(x + 30) + "\" y=\"" + num(y + 4) + "\">" +
           xml_escape(e.name) + "</text>\n";
  }
  out += "</svg>\n";
}

}  // namespace svg
}  // namespace hg
