// A Linear layer's slice on one shard (shards.hpp): the two ways
// to split y = x·Wᵀ + b, W (out, in), over the threads of a ShardGroup.
//
//   LinearOutputShard  rows [lo, hi) of W and b: the output features
//                      lo..hi. Takes the whole x, the same on every shard,
//                      and gives its own columns of y, (B, hi − lo). No
//                      numbers cross to compute it; in the backward pass,
//                      the shards' partial dx = dy_t·W_t are summed
//                      (copy_to_shards), since every shard's slice used all
//                      of x.
//   LinearInputShard   columns [lo, hi) of W: the input features lo..hi.
//                      Takes the shard's own columns of x, (B, hi − lo), and
//                      gives the whole y, the same on every shard: the sum
//                      over shards of x_t·W_tᵀ (sum_over_shards), plus b,
//                      which shard 0 holds. Its backward sends nothing:
//                      dx_t = dy·W_t, dW_t = dyᵀ·x_t, all from numbers the
//                      shard has.
//
// Put an output split before an input split and a layer pair crosses one
// (B, out) sum: a 784-256-64 encoder sends 64 numbers per image, not the
// 256-wide hidden layer, and no weight ever leaves its thread.
//
// Both are cut from a whole Linear (the same numbers: the split model
// computes what the whole one does, up to rounding order), with the cut
// of kernels::part_begin, so shard t holds part t of the features. The
// Parameters are named "<layer>.W[t/T]" and "<layer>.b[t/T]".
#pragma once

#include "hourglass/parallel/shards.hpp"
#include "hourglass/nn/linear.hpp"

namespace hg {

class LinearOutputShard {
 public:
  LinearOutputShard(const Linear& whole, int rank, int count);
  // x (B, in), the same on every shard → (B, hi − lo): y's columns lo..hi.
  Var operator()(Shard& s, Var x);
  ParameterList params() { return {&W_, &b_}; }
  int lo() const { return lo_; }  // the output features it computes
  int hi() const { return hi_; }
  // Copies the slice back into its place in `whole` (shaped like the layer
  // it was cut from): after training, to evaluate, draw or save the layer.
  void copy_into(Linear& whole) const;

 private:
  int rank_, count_, features_, lo_, hi_;  // features_: the whole layer's, cut
  Parameter W_, b_;  // (hi − lo, in), (1, hi − lo)
};

class LinearInputShard {
 public:
  LinearInputShard(const Linear& whole, int rank, int count);
  // x_t (B, hi − lo): columns lo..hi of x → y (B, out), the same on every
  // shard.
  Var operator()(Shard& s, Var x_t);
  ParameterList params();         // W, and b on shard 0
  int lo() const { return lo_; }  // the input features it reads
  int hi() const { return hi_; }
  void copy_into(Linear& whole) const;  // W's columns, and b from shard 0

 private:
  bool has_bias() const { return rank_ == 0; }  // shard 0 adds b

  int rank_, count_, features_, lo_, hi_;  // features_: the whole layer's, cut
  Parameter W_, b_;  // (out, hi − lo), (1, out) on shard 0
};

}  // namespace hg
