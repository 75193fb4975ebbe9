// The batch loop under conv2d and conv_transpose2d (ops_conv.cpp,
// ops_conv_transpose.cpp): cut the batch into groups of a few images whose
// patch matrix fits in the L2 cache, give each thread a contiguous run of
// groups and its own scratch, and add the threads' private gradients up at
// the end. Also the small copies between NCHW images and the "wide" layout
// GEMM wants, and the checks both ops share.
//
// A private header of the autodiff layer, not part of the public API.
#pragma once

#include <algorithm>
#include <cstddef>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/im2col.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg::conv_groups {

using kernels::ConvGeometry;
using kernels::GemmArgs;
using kernels::Trans;

// The biggest patch matrix of one group, in floats: 48K floats = 192 KB, so
// a group's patches, its dcols and its outputs together stay in a 1 MB L2
// (and mostly in a 512 KB one).
constexpr std::size_t kGroupFloats = std::size_t(48) << 10;

// C (M, N) = op(A) · op(B) + beta·C, every matrix dense (ld = its width).
// Which GEMM: the packed one copies A and B into panels before it
// multiplies, which pays when every packed number then meets many others.
// The products here are often short and wide (M = 1 output channel in the
// last layer, or an 8 × 9 filter gradient summed over 5,000 positions); for
// those gemm_blocked, which streams B's rows straight from the cache (i-p-j
// order, or four dot products at a time when B is transposed), does the
// same arithmetic without the copies. Called from inside a parallel loop,
// kernels::gemm runs on the calling thread; called outside, it may use the
// whole pool.
inline void gemm(Trans ta, Trans tb, int M, int N, int K, const float* A,
                 const float* B, float beta, float* C) {
  GemmArgs g;
  g.trans_a = ta;
  g.trans_b = tb;
  g.M = M;
  g.N = N;
  g.K = K;
  g.A = A;
  g.lda = ta == Trans::No ? K : M;
  g.B = B;
  g.ldb = tb == Trans::No ? N : K;
  g.beta = beta;
  g.C = C;
  g.ldc = N;
  const bool few_rows = tb == Trans::No && M <= 8;
  const bool few_dots = tb == Trans::Yes && ta == Trans::No && std::size_t(M) * N <= 2048;
  if (few_rows || few_dots)
    kernels::gemm_blocked(g);
  else
    kernels::gemm(g);
}

// The batch cut into groups of `per_group` images, the groups dealt out in
// contiguous runs to `slots` workers (at most one per thread), each with
// its own `slot_floats` of scratch after `shared_floats` used by all.
struct BatchSplit {
  int N = 0, per_group = 1, slots = 1;
  std::size_t shared_floats = 0, slot_floats = 0;

  // `patch_floats`: the largest per-image matrix that must stay in cache.
  BatchSplit(int n, std::size_t patch_floats) : N(n) {
    per_group = int(std::clamp<std::size_t>(kGroupFloats / std::max<std::size_t>(patch_floats, 1),
                                            1, std::size_t(std::max(n, 1))));
    const int groups = (N + per_group - 1) / per_group;
    slots = std::max(1, std::min(kernels::num_threads(), groups));
  }
  // Images [first, last) of slot t: whole groups, t-th of `slots` runs.
  int first(int t) const { return group_start(t); }
  int last(int t) const { return group_start(t + 1); }
  int group_start(int t) const {
    const int groups = (N + per_group - 1) / per_group;
    return std::min(N, int(long(groups) * t / slots) * per_group);
  }
  std::size_t total() const { return shared_floats + slot_floats * slots; }
  // fn(n0, nb) for each group of slot t: images [n0, n0 + nb).
  template <class Fn>
  void for_each_group(int t, const Fn& fn) const {
    for (int n0 = first(t); n0 < last(t); n0 += per_group)
      fn(n0, std::min(per_group, last(t) - n0));
  }
};

// Hands out consecutive 64-byte-aligned pieces of one scratch block. Run
// over a null base first to learn the size, then over the real block.
class Carve {
 public:
  explicit Carve(float* base) : base_(base) {}
  float* take(std::size_t n) {
    float* p = base_ ? base_ + used_ : nullptr;
    used_ += (n + 15) / 16 * 16;
    return p;
  }
  std::size_t used() const { return used_; }

 private:
  float* base_;
  std::size_t used_ = 0;
};

// Runs fn(t) for every slot t, the slots split over the pool.
template <class Fn>
inline void for_each_slot(const BatchSplit& s, const Fn& fn) {
  if (s.slots == 1) return fn(0);  // on this thread: GEMM may use the pool
  kernels::parallel_for(0, s.slots, [&](int lo, int hi) {
    for (int t = lo; t < hi; ++t) fn(t);
  });
}

// Sums the slots' private copies of a gradient (n floats) into g (+=), if
// g is wanted. `first` is slot 0's copy; slot t's sits t slots' scratch on.
inline void reduce_slots(const BatchSplit& s, const float* first, std::size_t n, float* g) {
  if (!g) return;
  for (int t = 0; t < s.slots; ++t) {
    const float* part = first + s.slot_floats * t;
    for (std::size_t i = 0; i < n; ++i) g[i] += part[i];
  }
}

inline void check_image(const char* op, const Shape& s, const char* name) {
  check(s.rank() == 4, op, ": ", name, " is ", s,
        ", expected a rank-4 (N, C, H, W) tensor");
}

// The checks conv2d and conv_transpose2d share: x, W and b on one tape, x a
// batch of images, W of rank 4 (`w_layout` names its dimensions), a stride
// of at least 1 and no negative padding. Returns the tape.
inline Tape& check_conv_inputs(const char* op, Var x, Var W, Var b, int stride,
                               int padding, const char* w_layout) {
  Tape& tape = same_tape(op, x, W);
  same_tape(op, x, b);
  check_image(op, x.shape(), "x");
  check(W.shape().rank() == 4, op, ": W is ", W.shape(), ", expected a rank-4 ", w_layout,
        " tensor");
  check(stride >= 1 && padding >= 0, op, ": stride ", stride, ", padding ", padding,
        " (expected stride >= 1 and padding >= 0)");
  return tape;
}

// The bias must hold one number per output channel.
inline void check_bias(const char* op, const Shape& sb, int Co) {
  const bool shape_ok = sb.rank() == 1 || (sb.rank() == 2 && sb[0] == 1);
  check(shape_ok && int(sb.numel()) == Co, op, ": b is ", sb, ", expected (",
        Co, ") or (1, ", Co, "), one bias per output channel");
}

// wide (R, nb·P) ⇄ nb images of (R, P): row r of the wide matrix holds plane
// r of each image in turn.
inline void to_wide(const float* nchw, float* wide, int nb, int R, int P) {
  for (int n = 0; n < nb; ++n)
    for (int r = 0; r < R; ++r) {
      const float* a = nchw + (std::size_t(n) * R + r) * P;
      float* w = wide + std::size_t(r) * nb * P + std::size_t(n) * P;
      for (int p = 0; p < P; ++p) w[p] = a[p];
    }
}
// nchw += wide, image by image.
inline void add_from_wide(const float* wide, float* nchw, int nb, int R, int P) {
  for (int n = 0; n < nb; ++n)
    for (int r = 0; r < R; ++r) {
      const float* w = wide + std::size_t(r) * nb * P + std::size_t(n) * P;
      float* a = nchw + (std::size_t(n) * R + r) * P;
      for (int p = 0; p < P; ++p) a[p] += w[p];
    }
}

}  // namespace hg::conv_groups
