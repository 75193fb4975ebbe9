// What every lesson repeats, written once: loading the data, evaluation in
// batches, the mean-image baseline, one epoch of training (progress bar,
// NaN stop, --step stops), N epochs with a checkpoint after each (and
// --resume), and the warning a lesson gives when training ended worse than
// a baseline.
//
// A lesson keeps its model and its loss; it hands the loss of one batch to
// the harness as a callable, so the model stays on the lesson's page:
//
//   lessons::Run run{.name = "adam", .opt = adam, .batch_size = 128,
//                    .rng = hg::Rng(seed), .checkpoint = true,
//                    .loss = [&](hg::Tape& tape, const hg::Batch& b) {
//                      hg::Var x = tape.input(b.images);
//                      return hg::mse(model.reconstruct(x), x);
//                    }};
//   lessons::Curves curves = lessons::train(lesson, run, data.train, epochs,
//       [&] { return lessons::error_per_pixel(data.validation, reconstruct); });
//
// Lesson 01 writes the epoch loop out in the open; it is the same loop as
// train_epoch below. What this is not: a framework. No callbacks beyond the
// loss, no schedulers, no metrics registry.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hourglass/hourglass.hpp"

namespace lessons {

// ---- Data ------------------------------------------------------------------

// The three sets as the command line asks (--data, --synthetic, --quick),
// with one line saying what was loaded: "train 55000, validation 5000,
// test 10000 images of 28x28". `rng` draws the validation split.
hg::LessonData load_data(hg::Lesson& lesson, hg::Rng& rng);

// ---- Evaluation ------------------------------------------------------------

// A forward pass from an input batch x (on a tape) to its output.
using Forward = std::function<hg::Var(hg::Var x)>;

// `forward` on every row of `images`, in order, in batches of `batch` rows,
// on a tape of its own (no gradients); the outputs stacked, (N, out).
hg::Tensor forward_all(const hg::Tensor& images, const Forward& forward,
                       int batch = 500);

// hg::error_per_pixel between `data`'s images and their reconstructions.
double error_per_pixel(const hg::Dataset& data, const Forward& reconstruct);

// The baseline every model must beat: answer every image of `test` with the
// mean image of `train`, and measure the error per pixel. The two sets must
// hold images of one size (the error names both sizes, H×W, otherwise).
double mean_image_error(const hg::Dataset& train, const hg::Dataset& test);
// The same baseline scored as lesson 06 scores a decoder: the mean over
// `test` of hg::bce_of_image (nats per image), each pixel's probability of
// ink the training set's mean (clamped to [1e-6, 1 − 1e-6]).
double mean_image_bce(const hg::Dataset& train, const hg::Dataset& test);

// ---- Training --------------------------------------------------------------

// The loss of one batch, recorded on `tape`: the lesson's model and loss.
using BatchLoss = std::function<hg::Var(hg::Tape& tape, const hg::Batch& batch)>;

// One training run: an optimizer (which holds the parameters it moves), the
// loss, the batch order. Several runs in a lesson are several Runs.
struct Run {
  std::string name;        // "sgd": names its stops and its checkpoint file
  hg::Optimizer& opt;
  int batch_size = 128;
  hg::Rng rng;             // shuffles the batches
  // Checkpoint after every epoch to <out>/<name>_checkpoint.safetensors,
  // and continue from it under --resume (the LessonInfo must say
  // .resumable = true). For the runs that take long.
  bool checkpoint = false;
  // The lesson's own settings that make two runs the same run (sizes,
  // flags), checked on --resume; lesson, name, seed, batch size, learning
  // rate and data set are added by train().
  hg::Metadata settings = {};
  BatchLoss loss;

  hg::Tape tape = {};      // reused from batch to batch
  long steps = 0;          // optimizer steps so far (the NaN stop names it)
  long first_step = 0;     // steps when train() began: batch stops count from here
  hg::TrainingWatch watch = {};  // the last one measured, for the epoch stop
};

// The --step=batch and --step=epoch stops around one optimizer step. Made
// just before opt.step() (and after run.steps counted this batch), it
// copies the weights only if the lesson will stop after this batch, so a
// run without --step pays nothing.
class StepWatch {
 public:
  StepWatch(hg::Lesson& lesson, Run& run, bool last_batch_of_epoch);
  // After opt.step(): measures ‖∂L/∂w‖ and ‖Δw‖/‖w‖ and, at a batch stop,
  // shows them.
  void after_step(double loss, int epoch, int batch, int batches);

 private:
  hg::Lesson& lesson_;
  Run& run_;
  bool batch_stop_, measure_;
  std::vector<hg::Tensor> before_;
};

// After an epoch, with --step=epoch or =batch: shows the epoch's mean loss
// and the last batch's gradient norms and update sizes.
void stop_after_epoch(hg::Lesson& lesson, Run& run, int epoch, int epochs,
                      double mean_loss);

// One pass over `train` in shuffled batches: forward, backward, the NaN
// stop, the optimizer step, the progress bar. Returns the mean loss per
// sample. (Lesson 01 shows this loop line by line.)
double train_epoch(hg::Lesson& lesson, Run& run, const hg::Dataset& train,
                   int epoch, int epochs);

// Per-epoch numbers, for plots (and kept in the checkpoint).
struct Curves {
  std::vector<double> epoch, train_loss, val_error;
  int trained = 0;  // epochs this run trained (after --resume, fewer than epoch.size())
};

using EpochFn = std::function<double(hg::Lesson&, Run&, const hg::Dataset&,
                                     int epoch, int epochs)>;

// Trains `run` until `epochs` epochs are done, one `epoch_fn` each; after
// each, records the training loss and `validate()` (if given) and, for a
// checkpointed run, saves the checkpoint. Under --resume a checkpointed run
// first continues from its checkpoint, if there is one.
Curves train(hg::Lesson& lesson, Run& run, const hg::Dataset& train, int epochs,
             const std::function<double()>& validate = nullptr,
             const EpochFn& epoch_fn = train_epoch);

// ---- Reporting -------------------------------------------------------------

// A run that ends finite but worse than a baseline did not learn: this
// puts a warning under the results table and returns true. Within 5% of
// the baseline the run stalled there ("training stalled: <what> ... no
// better than <baseline_name>": it learned the baseline, nothing more);
// further above it diverged ("training diverged: ... worse than"). (A
// non-finite loss never gets here: the NaN stop ends the run first.)
bool warn_if_diverged(hg::Lesson& lesson, const std::string& what, double error,
                      const std::string& baseline_name, double baseline);

}  // namespace lessons
