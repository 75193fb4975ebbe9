// DataParallel: the forward and backward pass of one training step, with
// the batch's rows split over the thread pool: one block of rows, and one
// Tape, per thread.
//
//   hg::DataParallel dp(model.params());
//   for (const hg::Batch& batch : hg::batches(train, 128, rng)) {
//     opt.zero_grad();
//     const float loss = dp.backward(batch.images, rng,
//         [&](hg::Tape& tape, const hg::Tensor& rows, hg::Rng&) {
//           hg::Var x = tape.input(rows);
//           return hg::mse(model(x), x);      // the MEAN over these rows
//         });
//     opt.step();
//   }
//
// Why: the kernels split each op over the threads, which costs a hand-off
// per op and splits the small products of a batch of 128 badly. Splitting
// the batch costs one hand-off per step: every thread runs the whole model
// on its B/T rows, alone, and nothing waits until the gradients are summed.
// Where the model can be written as slices of its layers, splitting the
// weights instead (ShardGroup, shards.hpp) moves less between the cores,
// which matters most when they share no cache (docs/performance.md has the
// measurements).
//
// Why it is exact: if the loss is the mean over the batch of a per-row loss,
// then L = Σ_c (n_c / B) · L_c, where L_c is the mean over block c's n_c
// rows. So block c runs its backward from (n_c / B) · L_c, and the
// blocks' gradients add up to the whole batch's (up to rounding order).
// The contract, then: `loss_fn(tape, rows, rng)` records the forward pass of
// `rows` on `tape` and returns the mean loss over those rows. A loss that
// couples the rows (the sparse penalty on the batch's mean activation, or
// anything using batch statistics) is not such a mean, and splitting it
// would change it: train those with one Tape.
//
// Random numbers: block 0 draws from the caller's `rng`, block c > 0 from a
// generator split from it at each step. One thread is exactly one Tape's
// run; on T threads a run is reproducible, but not equal to the 1-thread run.
// Gradients: block 0 accumulates into Parameter::grad as a lone tape would;
// the others into their own buffers (Tape::bind, the tape's extension
// point), which are added to Parameter::grad at the end, in parallel.
// Weights: on several threads the blocks read either Parameter::value or
// copies of their own, made at the start of the step (Tape::bind too). Which is faster depends on where
// the machine puts the threads (data_parallel.cpp), so by default both are
// timed every 200 steps and the faster is kept (set_weight_copies to fix
// one); the numbers are the same either way. loss_fn sees the weights as
// they were when backward() was called. After the first steps nothing is
// allocated: tapes and buffers keep their memory (per block, on several
// threads: a gradient buffer and two copies of the weights).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

namespace detail {
// Chooses, step after step, whichever of two ways of doing a step has been
// faster lately: each round of kRound steps starts with kTrial steps of way
// 0 and kTrial of way 1, timed, and then takes the way whose median time
// (the first step after a switch left out) was lower. Rounds repeat, so a
// change in the machine is noticed within one round.
class FasterOfTwo {
 public:
  static constexpr int kTrial = 6, kRound = 200;
  // The way (0 or 1) for the step about to begin. `last` is the time the
  // previous step took (from its start to now), or nothing if unknown.
  int begin_step(std::optional<double> last);

 private:
  int pos_ = 0;         // the next step's place in the round
  int last_pos_ = -1;   // the previous step's, -1 if none
  int chosen_ = 0;      // the way taken after the trials
  std::array<std::array<double, kTrial>, 2> times_{};
};
}  // namespace detail

// Whether each block reads its own copy of the weights (data_parallel.cpp,
// "Copies of the weights"): Auto tries both from time to time and keeps the
// faster; the numbers computed are the same either way.
enum class WeightCopies { Auto, Always, Never };

class DataParallel {
 public:
  explicit DataParallel(ParameterList params);
  DataParallel(const DataParallel&) = delete;  // tapes point into it
  DataParallel& operator=(const DataParallel&) = delete;

  // Runs loss_fn on the blocks of `batch` (rows = first dimension), adds
  // the whole batch's gradient into each Parameter::grad, and returns the
  // batch's mean loss. LossFn: Var(Tape&, const Tensor& rows, Rng&).
  template <class LossFn>
  float backward(const Tensor& batch, Rng& rng, const LossFn& loss_fn) {
    const int blocks = begin_step(batch, rng);
    try {
      kernels::parallel_for(0, blocks, [&](int c0, int c1) {
        for (int c = c0; c < c1; ++c) {
          Block& b = *blocks_[static_cast<std::size_t>(c)];
          prepare_block(b, batch);
          b.tape.clear();
          finish_block(b, loss_fn(b.tape, b.rows, b.rng ? *b.rng : b.own_rng));
        }
      });
    } catch (...) {
      discard_partial_grads();  // the next step must start from zero
      throw;
    }
    return end_step(blocks);
  }

  // How many blocks the last step used (min(threads, rows)).
  int blocks_used() const { return used_; }
  // Did the last step's blocks read copies of the weights?
  bool used_copies() const { return copies_now_; }
  void set_weight_copies(WeightCopies w) { copies_ = w; }

 private:
  struct Block {
    Tape tape;
    Tensor rows;                 // this block's rows of the batch
    std::vector<Tensor> grads;   // routed gradients (blocks > 0)
    std::vector<Tensor> values;  // its copy of every weight (on > 1 block)
    std::vector<Tensor> inbox;   // part s: the weights thread s sent it
    bool reads_copies = false;   // does its tape read `values`?
    int index = 0;               // its place in blocks_
    Rng own_rng;                 // blocks > 0
    Rng* rng = nullptr;          // block 0: the caller's generator
    int lo = 0, hi = 0;          // rows [lo, hi) of the batch
    float weight = 0.0f;         // n_c / B: the weight of its loss
    float loss = 0.0f;
  };

  int begin_step(const Tensor& batch, Rng& rng);
  bool want_copies();
  void use_copies(bool copies);
  void bind_block(Block& b);
  void send_weights(int blocks);
  void prepare_block(Block& b, const Tensor& batch);
  void finish_block(Block& b, Var loss);
  float end_step(int blocks);
  void discard_partial_grads();

  ParameterList params_;
  std::vector<std::unique_ptr<Block>> blocks_;
  int used_ = 0;
  WeightCopies copies_ = WeightCopies::Auto;
  bool copies_now_ = false;
  detail::FasterOfTwo chooser_;  // for Auto: copies (way 0) or not (way 1)
  std::optional<std::chrono::steady_clock::time_point> last_start_;
};

}  // namespace hg
