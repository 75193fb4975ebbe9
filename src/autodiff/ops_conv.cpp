// conv2d: forward, and its backward right below it. (conv_transpose2d is
// in ops_conv_transpose.cpp; max_pool2d and upsample2d, which need no GEMM,
// in ops_pool.cpp; the batch loop both convolutions share in conv_groups.hpp.)
//
// A convolution is a GEMM over im2col's patch matrix. With P = Ho·Wo output
// positions per image and CK = C·kh·kw values per patch, for a group of nb
// images side by side:
//   cols (CK, nb·P)   im2col of each image (image n owns columns n·P …)
//   Y    (Co, nb·P) = W (Co, CK) · cols
//   y[n, o, p]      = Y[o, n·P + p] + b[o]      (back to NCHW)
// and the chain rule through the product gives the backward:
//   dW += dY · colsᵀ        db[o] += Σ dY[o, ·]
//   dcols = Wᵀ · dY         dx += col2im(dcols)   (col2im is im2col's adjoint)
//
// Why groups, not the whole batch at once: the patch matrix is kh·kw times
// the size of the input. For the last layer of lesson 07's decoder (8 → 1
// channels, 3×3, 28×28) and a batch of 128 it is 72 × 100,352 floats, 29 MB:
// written by im2col, read back by GEMM, written again as dcols, read again
// by col2im, every pass a trip to main memory for a product that does 2
// flops per float it reads. Cut into groups of a few images, the same patch
// matrix is ~200 KB and each pass hits the L2 cache instead. So each thread
// takes a contiguous run of groups and does ALL the work of a group (im2col,
// GEMM, bias, the copy back to NCHW) before moving on: one parallel loop per
// op, each thread with its own scratch, and nothing of size O(batch · CK · P)
// kept between forward and backward: backward runs im2col again, which costs
// less than storing the patches and reading them back from memory.
//
// Two more ways the backward saves work:
// - dW and db: each thread adds into its own copy, summed at the end (no
//   two threads write the same gradient).
// - dx for a stride-1 conv with fewer output than input channels (the
//   decoder's last layer, Co = 1): instead of dcols (CK rows) and col2im,
//   dx is itself a convolution, of dy with the filters flipped and the
//   channel axes swapped, padded by k − 1 − pad:
//     dx[c, y, x] = Σ_o Σ_{i,j} W[o, c, i, j] · dy[o, y + pad − i, x + pad − j]
//   whose im2col has Co·kh·kw rows (9 for the last layer) instead of C·kh·kw
//   (72). Same numbers, an eighth of the memory traffic.
#include "hourglass/autodiff/ops_conv.hpp"

#include <algorithm>

#include "conv_groups.hpp"

namespace hg {

namespace {
struct Stride {  // what a conv node remembers of its geometry
  int stride, padding;
};
}  // namespace

using namespace conv_groups;

namespace {
// ---- the plan of a conv2d, shared by its forward and backward ----------------
struct Conv2dPlan {
  ConvGeometry g;     // of the convolution, over x
  ConvGeometry gt;    // flip: of dx as a convolution over dy
  int N, Co, P, CK, HW;
  bool flip;          // dx = conv(dy, flipped W) rather than col2im
  BatchSplit split;
  // scratch: shared Wflip (C, Co·kh·kw); per slot cols (CK, nb·P), Y or dY
  // (Co, nb·P), dycols (Co·kh·kw, nb·HW) and dX (C, nb·HW) for flip, dW
  // (Co, CK), db (Co).
  Conv2dPlan(const ConvGeometry& geo, int n, int co)
      : g(geo), N(n), Co(co), P(geo.cols()), CK(geo.rows()), HW(geo.H * geo.W),
        flip(flips(geo, co)),
        split(n, std::max<std::size_t>(std::size_t(geo.rows()) * geo.cols(),
                                       flips(geo, co) ? std::size_t(co) * geo.kh * geo.kw * geo.H * geo.W : 0)) {
    gt = ConvGeometry{Co, g.Ho(), g.Wo(), g.kh, g.kw, 1, g.kh - 1 - g.pad};
    Carve shared(nullptr);
    shared.take(flip ? std::size_t(g.C) * gt.rows() : 0);  // Wflip
    split.shared_floats = shared.used();
    split.slot_floats = carve_slot(nullptr).used;
  }
  // The flipped-filter dx pays when it has fewer patch rows (Co < C); it
  // needs stride 1, and a square filter so one padding k − 1 − pad >= 0
  // serves both axes.
  static bool flips(const ConvGeometry& geo, int co) {
    return geo.stride == 1 && co < geo.C && geo.kh == geo.kw && geo.pad < geo.kh;
  }
  struct Slot {
    float *cols, *Y, *dycols, *dX, *dW, *db;
    std::size_t used;
  };
  Slot carve_slot(float* base) const {
    const std::size_t nbP = std::size_t(split.per_group) * P;
    const std::size_t nbHW = std::size_t(split.per_group) * HW;
    Carve c(base);
    Slot s{};
    s.cols = c.take(CK * nbP);
    s.Y = c.take(Co * nbP);
    s.dycols = c.take(flip ? gt.rows() * nbHW : 0);
    s.dX = c.take(flip ? g.C * nbHW : 0);
    s.dW = c.take(std::size_t(Co) * CK);
    s.db = c.take(Co);
    s.used = c.used();
    return s;
  }
  Slot slot(float* scratch, int t) const {
    return carve_slot(scratch + split.shared_floats + split.slot_floats * t);
  }
};
}  // namespace

// ---- conv2d ------------------------------------------------------------------

static void conv2d_backward(Tape& tape, Node& y);  // below the forward

Var conv2d(Var x, Var W, Var b, int stride, int padding) {
  const char* op = "conv2d";
  Tape& tape = check_conv_inputs(op, x, W, b, stride, padding, "(C_out, C_in, kh, kw)");
  const Shape sx = x.shape(), sw = W.shape();
  check(sx[1] == sw[1], op, ": x is ", sx, " with ", sx[1],
        " channels, W is ", sw, " for ", sw[1],
        " (expected x's dimension 1 = W's dimension 1)");
  check_bias(op, b.shape(), sw[0]);
  const ConvGeometry g{sx[1], sx[2], sx[3], sw[2], sw[3], stride, padding};
  check(g.Ho() >= 1 && g.Wo() >= 1, op, ": a ", sw[2], "x", sw[3],
        " filter with padding ", padding, " does not fit in x ", sx,
        " (expected kh, kw <= H + 2·padding, W + 2·padding)");
  const Conv2dPlan plan(g, sx[0], sw[0]);
  const int Co = plan.Co, P = plan.P, CK = plan.CK;

  Node& y = tape.push(op, Shape{sx[0], Co, g.Ho(), g.Wo()}, {x, W, b});
  y.set_attrs(Stride{stride, padding});
  y.backward = conv2d_backward;  // right below
  // Scratch for the forward and the backward (sized once, capacity kept).
  y.saved.resize(Shape{1, int(plan.split.total())});
  float* scratch = y.saved.data();
  const float* xd = tape.node(x.index()).val().data();
  const float* Wd = tape.node(W.index()).val().data();
  const float* bd = tape.node(b.index()).val().data();
  float* yd = y.value.data();
  const std::size_t in_image = std::size_t(g.C) * plan.HW, out_image = std::size_t(Co) * P;
  for_each_slot(plan.split, [&](int t) {
    const Conv2dPlan::Slot s = plan.slot(scratch, t);
    plan.split.for_each_group(t, [&](int n0, int nb) {
      const int nbP = nb * P;
      for (int n = 0; n < nb; ++n)
        kernels::im2col(xd + (n0 + n) * in_image, g, s.cols + std::size_t(n) * P, nbP);
      // Y (Co, nb·P) = W (Co, CK) · cols (CK, nb·P)
      gemm(Trans::No, Trans::No, Co, nbP, CK, Wd, s.cols, 0.0f, s.Y);
      for (int n = 0; n < nb; ++n)  // y[n, o, p] = Y[o, n·P + p] + b[o]
        for (int o = 0; o < Co; ++o) {
          const float* Yo = s.Y + std::size_t(o) * nbP + std::size_t(n) * P;
          float* yo = yd + (n0 + n) * out_image + std::size_t(o) * P;
          for (int p = 0; p < P; ++p) yo[p] = Yo[p] + bd[o];
        }
    });
  });
  return tape.last();
}

// The backward of conv2d: the chain rule through the product above.
static void conv2d_backward(Tape& tape, Node& y) {
  const Tensor& x = tape.node(y.in[0]).val();
  const Tensor& W = tape.node(y.in[1]).val();
  const ConvGeometry geo{x.dim(1), x.dim(2), x.dim(3), W.dim(2), W.dim(3),
                         y.attrs<Stride>().stride,
                         y.attrs<Stride>().padding};
  const Conv2dPlan plan(geo, x.dim(0), W.dim(0));
  const ConvGeometry &g = plan.g, &gt = plan.gt;
  const int Co = plan.Co, P = plan.P, CK = plan.CK, HW = plan.HW, k2 = g.kh * g.kw;
  y.saved.resize(Shape{1, int(plan.split.total())});  // a no-op after step 1
  float* scratch = y.saved.data();
  float* dx = tape.grad_of(y, 0);
  float* dW = tape.grad_of(y, 1);
  float* db = tape.grad_of(y, 2);
  const float* dy = y.grad().data();
  const std::size_t in_image = std::size_t(g.C) * HW, out_image = std::size_t(Co) * P;

  float* Wflip = scratch;  // Wflip[c, o, i, j] = W[o, c, kh−1−i, kw−1−j]
  if (dx && plan.flip)
    for (int o = 0; o < Co; ++o)
      for (int c = 0; c < g.C; ++c)
        for (int i = 0; i < k2; ++i)
          Wflip[(std::size_t(c) * Co + o) * k2 + i] =
              W.data()[(std::size_t(o) * g.C + c) * k2 + (k2 - 1 - i)];

  for_each_slot(plan.split, [&](int t) {
    const Conv2dPlan::Slot s = plan.slot(scratch, t);
    std::fill(s.dW, s.dW + std::size_t(Co) * CK, 0.0f);
    std::fill(s.db, s.db + Co, 0.0f);
    plan.split.for_each_group(t, [&](int n0, int nb) {
      const int nbP = nb * P, nbHW = nb * HW;
      to_wide(dy + n0 * out_image, s.Y, nb, Co, P);  // dY (Co, nb·P)
      if (db)  // db[o] += Σ dY[o, ·], in a local: the compiler cannot tell s.db from s.Y
        for (int o = 0; o < Co; ++o) {
          const float* d = s.Y + std::size_t(o) * nbP;
          float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
          for (int p = 0; p < nbP; ++p) sum += d[p];
          s.db[o] += sum;
        }
      if (dW || (dx && !plan.flip))
        for (int n = 0; n < nb; ++n)
          kernels::im2col(x.data() + (n0 + n) * in_image, g, s.cols + std::size_t(n) * P, nbP);
      if (dW)  // dW (Co, CK) += dY · colsᵀ
        gemm(Trans::No, Trans::Yes, Co, CK, nbP, s.Y, s.cols, 1.0f, s.dW);
      if (!dx) return;  // to the next group
      if (plan.flip) {
        // dX (C, nb·HW) = Wflip (C, Co·k²) · im2col(dy) (Co·k², nb·HW)
        for (int n = 0; n < nb; ++n)
          kernels::im2col(dy + (n0 + n) * out_image, gt, s.dycols + std::size_t(n) * HW, nbHW);
        gemm(Trans::No, Trans::No, g.C, nbHW, gt.rows(), Wflip, s.dycols, 0.0f, s.dX);
        add_from_wide(s.dX, dx + n0 * in_image, nb, g.C, HW);
      } else {
        // dcols (CK, nb·P) = Wᵀ · dY, over cols (no longer needed)
        gemm(Trans::Yes, Trans::No, CK, nbP, Co, W.data(), s.Y, 0.0f, s.cols);
        for (int n = 0; n < nb; ++n)
          kernels::col2im(s.cols + std::size_t(n) * P, nbP, g, dx + (n0 + n) * in_image);
      }
    });
  });
  const Conv2dPlan::Slot s0 = plan.slot(scratch, 0);
  reduce_slots(plan.split, s0.dW, std::size_t(Co) * CK, dW);
  reduce_slots(plan.split, s0.db, std::size_t(Co), db);
}

}  // namespace hg
