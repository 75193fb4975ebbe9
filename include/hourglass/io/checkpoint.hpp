// Training checkpoints: everything a run needs to continue as if it had
// never stopped.
//
// A model's weights are not enough to resume training: Adam's moments m, v
// and step count t, the batch-order generator's state, the epoch reached and
// the curves drawn so far all shape the numbers that follow. A training
// checkpoint stores all of them in one safetensors file (weights and
// optimizer arrays as tensors, the rest as metadata), so that
//   run 4 epochs   ==   run 2 epochs, stop, resume, run 2 more
// holds to the last bit (same seed, same threads).
//
// Safety: the file is written through `<path>.tmp` + rename, so a crash
// mid-save leaves the previous checkpoint whole. A CRC-32 over every tensor
// and metadata entry refuses a file that was truncated or edited, and a
// `tag` (lesson name, seed, model sizes...) refuses one from another run.
// Loading checks everything before it changes anything. A run never
// destroys an earlier run's checkpoint: the first save over a file this
// process did not write or resume from keeps that file as `<path>.prev`,
// and says so in one line.
// What it is not: a model export (save_parameters in safetensors.hpp is
// that), or a way to resume with a different model or optimizer.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/io/safetensors.hpp"
#include "hourglass/rng.hpp"

namespace hg {

// Pointers to what is saved and, on load, restored. Everything but
// `params` is optional (empty or nullptr: not saved).
struct TrainingState {
  ParameterList params;  // the weights, by Parameter::name
  // The optimizer's arrays and step counter, from Optimizer::state().
  std::vector<std::pair<std::string, Tensor*>> optimizer = {};
  long* optimizer_steps = nullptr;
  Rng* rng = nullptr;  // e.g. the generator that shuffles the batches
  int epoch = 0;       // epochs completed when saved
  // Per-epoch numbers kept for plots, e.g. {"val_error", &curves.val_error}.
  std::vector<std::pair<std::string, std::vector<double>*>> series = {};
  // Must be equal on load: what makes two runs the same run. Write numbers
  // with exact_text (exact_text.hpp), so that settings that differ in any
  // bit differ here (std::to_string writes 1e-7 and 4e-7 alike).
  Metadata tag = {};
};

// Writes the checkpoint atomically (temporary file, flush, rename).
void save_training(const std::string& path, const TrainingState& state);

// Restores `state` from `path`, epoch included, and returns true; returns
// false (changing nothing) if there is no file at `path`. Throws hg::Error
// naming the file and what is wrong (truncated, edited, another run's
// tag, a missing tensor, a shape that differs) and then changes nothing.
bool load_training(const std::string& path, TrainingState& state);

// What --resume does: load_training, and also refuse (changing nothing) a
// checkpoint already past the `epochs` the run asks for, saying so, rather
// than report a longer run's model as this one's.
bool resume_training(const std::string& path, TrainingState& state, int epochs);

}  // namespace hg
