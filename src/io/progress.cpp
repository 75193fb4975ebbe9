// Progress bar: the text is built by plain functions (tested alone); the
// class only decides when to draw.
#include "hourglass/io/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "hourglass/error.hpp"

namespace hg {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lds", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  return buf;
}

std::string progress_line(int epoch, int epochs, std::size_t done,
                          std::size_t total, double samples_per_s,
                          double loss, double eta_s, int width) {
  const double frac =
      total == 0 ? 1.0 : std::min(1.0, double(done) / double(total));
  const int filled = int(frac * width);
  char head[160];
  std::snprintf(head, sizeof head, "epoch %d/%d [", epoch, epochs);
  std::string line = head;
  line.append(std::size_t(filled), '#');
  line.append(std::size_t(width - filled), '-');
  char tail[160];
  std::snprintf(tail, sizeof tail, "] %3d%% %.0f samples/s loss %.4g ETA ",
                int(frac * 100), samples_per_s, loss);
  return line + tail + format_duration(eta_s);
}

std::string epoch_line(int epoch, int epochs, double loss, double seconds,
                       double samples_per_s, const std::string& extra) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "epoch %d/%d: loss %.4g, %.1f s, %.0f samples/s",
                epoch, epochs, loss, seconds, samples_per_s);
  return extra.empty() ? buf : std::string(buf) + ", " + extra;
}

ProgressBar::ProgressBar(int epoch, int epochs, std::size_t total)
    : ProgressBar(epoch, epochs, total, std::cout, ::isatty(1) == 1) {}

ProgressBar::ProgressBar(int epoch, int epochs, std::size_t total,
                         std::ostream& out, bool terminal)
    : epoch_(epoch), epochs_(epochs), total_(total), out_(out),
      terminal_(terminal), start_(Clock::now()), last_draw_(start_) {
  check(epoch >= 1 && epoch <= epochs, "ProgressBar: epoch ", epoch, " of ",
        epochs, "; expected 1 <= epoch <= epochs");
}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void ProgressBar::update(std::size_t done, double mean_loss) {
  done_ = done;
  if (!terminal_) return;
  const Clock::time_point now = Clock::now();
  // Throttle: a redraw costs a write to the terminal; 10 per second is
  // smooth to the eye and free for training.
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) &&
      done < total_)
    return;
  last_draw_ = now;
  drawn_ = true;
  const double t = elapsed_s();
  const double rate = t > 0 ? double(done) / t : 0.0;
  // ETA: the samples left at the rate so far.
  const double eta = rate > 0 ? double(total_ - std::min(done, total_)) / rate
                              : -1.0;
  out_ << '\r'
       << progress_line(epoch_, epochs_, done, total_, rate, mean_loss, eta)
       << "\x1b[K" << std::flush;  // clear what a longer line left behind
}

void ProgressBar::finish(double mean_loss, const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  const double t = elapsed_s();
  const std::size_t n = done_ > 0 ? done_ : total_;
  const double rate = t > 0 ? double(n) / t : 0.0;
  if (terminal_) out_ << "\r\x1b[K";
  out_ << epoch_line(epoch_, epochs_, mean_loss, t, rate, extra) << '\n'
       << std::flush;
}

}  // namespace hg
