// Shards: one training step with each layer's WEIGHTS split over the
// threads, where DataParallel splits the batch's rows. Each thread (a
// shard) holds a slice of every big weight matrix, runs the whole batch
// through its slices on a tape of its own, and updates only its slices;
// the threads meet only where a layer needs what the others computed.
//
//   hg::ShardGroup group(2);                  // needs num_threads() == 2
//   group.run(rng, [&](hg::Shard& s) {        // on every thread at once
//     s.tape.clear();
//     hg::Var x = s.tape.input(images);
//     hg::Var h = relu(enc[s.rank()](s, x));  // its columns of h: (B, 128)
//     ...                                      // (linear_shards.hpp)
//     s.tape.backward(loss);
//     opt[s.rank()].step();                   // its own slices only
//   });
//
// Why: with the batch split (DataParallel), every weight is read by every
// thread and updated by one, so each thread must take in, every step, the
// other threads' part of the summed gradients and of the new weights: on
// a deep model, the size of all its weights, twice. With the weights
// split, what crosses is activations, a few dozen to a few hundred numbers
// per image, which for the lesson models at batch 128 is several times
// less. Where the two cores share no cache, crossing is what costs
// (docs/performance.md). The split also shares out the
// work that does not shrink with the batch (packing each weight for the
// products, the optimizer), which the batch split repeats on every thread.
//
// How the threads meet: three tape ops, each with a forward and a
// backward, that every shard calls at the same point of its program (the
// pattern Megatron-LM uses to split a transformer's layers). The rule that
// makes them add up: a value that every shard holds (the same numbers on
// each: the input, a summed code) also carries the same, WHOLE gradient on
// each; a shard's own work (what its slice of a weight computes) carries
// only its share of a gradient until the shares are summed.
//
//   sum_over_shards(s, y)   forward: Σ over shards of y, which every shard
//                           then holds; backward: the whole gradient
//                           passes through to each shard's y.
//   copy_to_shards(s, x)    forward: x unchanged, where a value every shard
//                           holds enters shard work; backward: the shards'
//                           shares of the gradient, summed.
//   gather_cols(s, y)       forward: the shards' column blocks side by
//                           side, [y₀ | y₁ | ...], which every shard then
//                           holds; backward: its block of the whole
//                           gradient (nothing crosses).
//
// Sums run in shard order on every shard, so every shard holds the same
// bits, and the work every shard repeats on what they all hold (a sigmoid
// of a summed code, a KL term on it) stays identical without being sent.
// The shards' random numbers are the same too: each draws from a copy of
// the caller's generator (run()).
//
// Exactly the single-tape gradients, up to rounding order: the test checks
// the split deep model and VAE against the whole ones
// (tests/parallel/test_linear_shards.cpp).
//
// Errors: if a shard throws, the others leave whatever collective they wait
// in, and run() rethrows the first error. If shards call different
// collectives (another op, another shape), each gets an hg::Error naming
// both; a shard that returns while another waits in a collective makes
// that one throw as well. No hang. run() needs exactly size() threads in
// the pool (kernels::set_num_threads), since every shard must run at once.
// Inside a shard, kernels run on its one thread (no nested splitting).
//
// What it is not: a general model-parallel engine. The model is written
// for its shards (linear_shards.hpp has the two sliced Linear layers).
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/kernels/thread_pool.hpp"
#include "hourglass/rng.hpp"

namespace hg {

class ShardGroup;

// One thread's part of a ShardGroup: its tape, its generator, its place.
class Shard {
 public:
  int rank() const { return rank_; }  // 0 .. count() - 1
  int count() const;
  Tape tape;
  Rng rng;  // a copy of the caller's at the start of each run()

 private:
  friend class ShardGroup;
  friend struct ShardMeeting;
  int rank_ = 0;
  ShardGroup* group_ = nullptr;
};

class ShardGroup {
 public:
  // What a shard brings to a collective (shards.cpp).
  struct Post {
    const float* data = nullptr;
    const char* op = nullptr;
    int rows = 0, cols = 0;
  };

  explicit ShardGroup(int shards);
  ShardGroup(const ShardGroup&) = delete;  // shards point at it
  ShardGroup& operator=(const ShardGroup&) = delete;

  int size() const { return static_cast<int>(shards_.size()); }
  Shard& shard(int rank) { return *shards_[static_cast<std::size_t>(rank)]; }

  // Calls step(shard) for every shard, each on its own thread, all at once,
  // and returns when all have returned. Each shard's rng starts as a copy
  // of `rng`; afterwards `rng` continues from shard 0's.
  template <class Step>
  void run(Rng& rng, const Step& step) {
    begin_run(rng);
    kernels::parallel_for(0, size(), [&](int c0, int c1) {
      for (int c = c0; c < c1; ++c) {
        Shard& s = shard(c);
        try {
          step(s);
          leave(nullptr);
        } catch (...) {
          leave(std::current_exception());
        }
      }
    });
    end_run(rng);
  }

 private:
  friend struct ShardMeeting;
  void begin_run(Rng& rng);
  // A shard's step has returned, or thrown `error`.
  void leave(std::exception_ptr error);
  void end_run(Rng& rng);

  std::vector<std::unique_ptr<Shard>> shards_;
  // The meeting point of the collectives (shards.cpp): each shard posts
  // what it brings in the slot of its rank, then waits until all have.
  std::vector<Post> posts_[2];  // alternate sets: see shards.cpp
  std::vector<int> calls_;      // per shard: collectives so far
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<unsigned> generation_{0};  // wraps, by design
  std::atomic<int> left_{0};  // shards whose step has returned
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  std::exception_ptr first_error_;
};

inline int Shard::count() const {
  return group_->size();
}

// The collectives (see the top of this file). `y`, `x`: (rows, cols), the
// same shape on every shard; gather_cols allows each shard its own cols.
// gather_cols's result must not enter shard work but through
// copy_to_shards (LinearOutputShard does that), or its gradient would be
// one shard's share.
Var sum_over_shards(Shard& s, Var y);
Var copy_to_shards(Shard& s, Var x);
Var gather_cols(Shard& s, Var y);

// A constant leaf holding columns [begin, end) of a (rows, cols) tensor:
// what a shard reads of a batch whose columns the shards split, without
// copying all of it onto its tape.
Var input_cols(Tape& tape, const Tensor& value, int begin, int end);

}  // namespace hg
