// A progress bar for one training epoch.
//
// On a terminal it redraws one line in place with '\r':
//   epoch 3/10 [#########-----] 45% 1234 samples/s loss 0.0213 ETA 4s
// at most 10 times a second, so printing never slows training. When stdout
// is a pipe or a file (CI, `| tee log`), there is nothing to redraw: it
// prints one plain line when the epoch ends,
//   epoch 3/10: loss 0.0213, 12.3 s, 4870 samples/s
// so logs stay readable. What it is not: a multi-bar or threaded display.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

namespace hg {

// "4s", "1m05s", "2h03m": short, for an ETA or an elapsed time.
std::string format_duration(double seconds);

// The live line, without '\r': epoch e/E, bar of `width` cells, percent,
// samples/s, running mean loss, ETA.
std::string progress_line(int epoch, int epochs, std::size_t done,
                          std::size_t total, double samples_per_s,
                          double loss, double eta_s, int width = 24);

// The plain end-of-epoch line, without newline; `extra` (e.g.
// "val 0.0250") is appended after a comma when not empty.
std::string epoch_line(int epoch, int epochs, double loss, double seconds,
                       double samples_per_s, const std::string& extra = "");

class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;

  // One bar for `total` samples of epoch `epoch` (1-based) of `epochs`.
  // `terminal` defaults to whether stdout is a terminal.
  ProgressBar(int epoch, int epochs, std::size_t total);
  ProgressBar(int epoch, int epochs, std::size_t total, std::ostream& out,
              bool terminal);

  // `done` samples seen so far, `mean_loss` their running mean.
  void update(std::size_t done, double mean_loss);
  // Ends the epoch: the final line, with an optional note (validation loss).
  void finish(double mean_loss, const std::string& extra = "");

  double elapsed_s() const;

 private:
  int epoch_, epochs_;
  std::size_t total_, done_ = 0;
  std::ostream& out_;
  bool terminal_, finished_ = false;
  Clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace hg
