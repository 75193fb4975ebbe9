// conv_transpose2d: forward, and its backward right below it. The batch
// is cut into groups and split over the threads exactly as for conv2d
// (ops_conv.cpp says why; conv_groups.hpp holds the loop).
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

// The same machinery run backwards. With the OUTPUT's geometry g (Co
// channels of Ho × Wo, whose im2col has H·W columns, one per input pixel),
// for a group of nb images:
//   X    (Ci, nb·HW)     the input, side by side like Y above
//   cols (CoK, nb·HW)  = Wᵀ · X          each input pixel's stamp
//   y                  = b + col2im(cols)  stamps added where they overlap
// Backward: dcols = im2col(dy); dW += X · dcolsᵀ; dX = W · dcols.

namespace {
struct ConvT2dPlan {
  ConvGeometry g;  // of the output, as a conv2d would see it
  int N, Ci, HW, CoK;
  BatchSplit split;
  // scratch per slot: X (Ci, nb·HW), cols or dcols (CoK, nb·HW), dW (Ci, CoK),
  // db (Co).
  ConvT2dPlan(const ConvGeometry& geo, int n, int ci, int hw)
      : g(geo), N(n), Ci(ci), HW(hw), CoK(geo.rows()),
        split(n, std::size_t(geo.rows()) * hw) {
    split.slot_floats = carve_slot(nullptr).used;
  }
  struct Slot {
    float *X, *cols, *dW, *db;
    std::size_t used;
  };
  Slot carve_slot(float* base) const {
    const std::size_t nbHW = std::size_t(split.per_group) * HW;
    Carve c(base);
    Slot s{};
    s.X = c.take(Ci * nbHW);
    s.cols = c.take(CoK * nbHW);
    s.dW = c.take(std::size_t(Ci) * CoK);
    s.db = c.take(g.C);
    s.used = c.used();
    return s;
  }
  Slot slot(float* scratch, int t) const {
    return carve_slot(scratch + split.slot_floats * t);
  }
};
}  // namespace

static void conv_transpose2d_backward(Tape& tape, Node& y);  // below the forward

Var conv_transpose2d(Var x, Var W, Var b, int stride, int padding) {
  const char* op = "conv_transpose2d";
  Tape& tape = check_conv_inputs(op, x, W, b, stride, padding, "(C_in, C_out, kh, kw)");
  const Shape sx = x.shape(), sw = W.shape();
  check(sx[1] == sw[0], op, ": x is ", sx, " with ", sx[1],
        " channels, W is ", sw, " for ", sw[0],
        " (expected x's dimension 1 = W's dimension 0)");
  const int Co = sw[1];
  check_bias(op, b.shape(), Co);
  const int Ho = (sx[2] - 1) * stride - 2 * padding + sw[2];
  const int Wo = (sx[3] - 1) * stride - 2 * padding + sw[3];
  check(Ho >= 1 && Wo >= 1, op, ": x ", sx, ", W ", sw, ", stride ", stride,
        ", padding ", padding, " give an empty output ", Ho, "x", Wo,
        " (expected (H − 1)·stride − 2·padding + kh >= 1)");
  const ConvGeometry g{Co, Ho, Wo, sw[2], sw[3], stride, padding};
  const ConvT2dPlan plan(g, sx[0], sx[1], sx[2] * sx[3]);
  const int Ci = plan.Ci, HW = plan.HW, CoK = plan.CoK;

  Node& y = tape.push(op, Shape{sx[0], Co, Ho, Wo}, {x, W, b});
  y.set_attrs(Stride{stride, padding});
  y.backward = conv_transpose2d_backward;  // right below
  y.saved.resize(Shape{1, int(plan.split.total())});
  float* scratch = y.saved.data();
  const float* xd = tape.node(x.index()).val().data();
  const float* Wd = tape.node(W.index()).val().data();
  const float* bd = tape.node(b.index()).val().data();
  float* yd = y.value.data();
  const std::size_t in_image = std::size_t(Ci) * HW, out_image = std::size_t(Co) * Ho * Wo;
  for_each_slot(plan.split, [&](int t) {
    const ConvT2dPlan::Slot s = plan.slot(scratch, t);
    plan.split.for_each_group(t, [&](int n0, int nb) {
      const int nbHW = nb * HW;
      to_wide(xd + n0 * in_image, s.X, nb, Ci, HW);
      // cols (CoK, nb·HW) = Wᵀ (CoK, Ci) · X (Ci, nb·HW)
      gemm(Trans::Yes, Trans::No, CoK, nbHW, Ci, Wd, s.X, 0.0f, s.cols);
      for (int n = 0; n < nb; ++n) {  // y = b, then the stamps added on
        float* yn = yd + (n0 + n) * out_image;
        for (int o = 0; o < Co; ++o)
          std::fill(yn + std::size_t(o) * Ho * Wo, yn + std::size_t(o + 1) * Ho * Wo, bd[o]);
        kernels::col2im(s.cols + std::size_t(n) * HW, nbHW, g, yn);
      }
    });
  });
  return tape.last();
}

// The backward of conv_transpose2d: the chain rule through the product above.
static void conv_transpose2d_backward(Tape& tape, Node& y) {
  const Tensor& x = tape.node(y.in[0]).val();
  const Tensor& W = tape.node(y.in[1]).val();
  const ConvGeometry geo{y.value.dim(1), y.value.dim(2), y.value.dim(3), W.dim(2),
                         W.dim(3), y.attrs<Stride>().stride,
                         y.attrs<Stride>().padding};
  const ConvT2dPlan plan(geo, x.dim(0), x.dim(1), x.dim(2) * x.dim(3));
  const ConvGeometry& g = plan.g;
  const int Ci = plan.Ci, HW = plan.HW, CoK = plan.CoK, Co = g.C, P = g.H * g.W;
  y.saved.resize(Shape{1, int(plan.split.total())});
  float* scratch = y.saved.data();
  float* dx = tape.grad_of(y, 0);
  float* dW = tape.grad_of(y, 1);
  float* db = tape.grad_of(y, 2);
  const float* dy = y.grad().data();
  const std::size_t in_image = std::size_t(Ci) * HW, out_image = std::size_t(Co) * P;

  for_each_slot(plan.split, [&](int t) {
    const ConvT2dPlan::Slot s = plan.slot(scratch, t);
    std::fill(s.dW, s.dW + std::size_t(Ci) * CoK, 0.0f);
    std::fill(s.db, s.db + Co, 0.0f);
    plan.split.for_each_group(t, [&](int n0, int nb) {
      const int nbHW = nb * HW;
      if (db)  // db[o] += Σ dy[n, o, ·]
        for (int n = 0; n < nb; ++n)
          for (int o = 0; o < Co; ++o) {
            const float* d = dy + (n0 + n) * out_image + std::size_t(o) * P;
            float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
            for (int p = 0; p < P; ++p) sum += d[p];
            s.db[o] += sum;
          }
      if (!dW && !dx) return;  // to the next group
      for (int n = 0; n < nb; ++n)  // dcols (CoK, nb·HW) = im2col(dy)
        kernels::im2col(dy + (n0 + n) * out_image, g, s.cols + std::size_t(n) * HW, nbHW);
      if (dW) {  // dW (Ci, CoK) += X · dcolsᵀ
        to_wide(x.data() + n0 * in_image, s.X, nb, Ci, HW);
        gemm(Trans::No, Trans::Yes, Ci, CoK, nbHW, s.X, s.cols, 1.0f, s.dW);
      }
      if (dx) {  // dX (Ci, nb·HW) = W (Ci, CoK) · dcols, then dx += dX
        gemm(Trans::No, Trans::No, Ci, nbHW, CoK, W.data(), s.cols, 0.0f, s.X);
        add_from_wide(s.X, dx + n0 * in_image, nb, Ci, HW);
      }
    });
  });
  const ConvT2dPlan::Slot s0 = plan.slot(scratch, 0);
  reduce_slots(plan.split, s0.dW, std::size_t(Ci) * CoK, dW);
  reduce_slots(plan.split, s0.db, std::size_t(Co), db);
}

}  // namespace hg
