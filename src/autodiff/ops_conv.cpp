// conv2d, conv_transpose2d, max_pool2d, upsample2d: forward, and its
// backward right below it.
//
// The convolutions run as ONE GEMM over the whole batch. With P = Ho·Wo
// output positions per image and CK = C·kh·kw values per patch:
//   cols (CK, N·P)    im2col of every image, side by side (image n owns
//                     columns [n·P, (n+1)·P))
//   Y    (Co, N·P)  = W (Co, CK) · cols
//   y[n, o, p]      = Y[o, n·P + p] + b[o]      (a transpose back to NCHW)
// and the chain rule through the product gives the backward:
//   dW += dY · colsᵀ        db[o] += Σ dY[o, ·]
//   dcols = Wᵀ · dY         dx += col2im(dcols)   (col2im is im2col's adjoint)
// One big product keeps GEMM busy and threaded; a GEMM per image would be
// N small ones. The transposes to and from NCHW cost O(N·Co·P), nothing next
// to the O(N·Co·P·CK) product.
//
// Memory: `saved` holds cols and Y side by side and keeps its capacity from
// one step to the next. Backward overwrites cols with dcols once dW has been
// computed, so it runs once per forward (as the tape does).
#include "hourglass/autodiff/ops_conv.hpp"

#include <algorithm>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/im2col.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
using kernels::ConvGeometry;
using kernels::GemmArgs;
using kernels::Trans;

// C (M, N) = op(A) · op(B) + beta·C, every matrix dense (ld = its width).
void gemm(Trans ta, Trans tb, int M, int N, int K, const float* A,
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
  kernels::gemm(g);
}

// (N, R, P) ⇄ (R, N·P): row r of the wide matrix holds plane r of every
// image in turn. gather: NCHW → wide; scatter: wide → NCHW.
void gather_wide(const float* nchw, float* wide, int N, int R, int P) {
  kernels::parallel_for(0, N, [&](int lo, int hi) {
    for (int n = lo; n < hi; ++n)
      for (int r = 0; r < R; ++r) {
        const float* a = nchw + (std::size_t(n) * R + r) * P;
        std::copy(a, a + P, wide + std::size_t(r) * N * P + std::size_t(n) * P);
      }
  });
}
void scatter_wide(const float* wide, float* nchw, int N, int R, int P) {
  kernels::parallel_for(0, N, [&](int lo, int hi) {
    for (int n = lo; n < hi; ++n)
      for (int r = 0; r < R; ++r) {
        const float* w = wide + std::size_t(r) * N * P + std::size_t(n) * P;
        std::copy(w, w + P, nchw + (std::size_t(n) * R + r) * P);
      }
  });
}

void check_image(const char* op, const Shape& s, const char* name) {
  check(s.rank() == 4, op, ": ", name, " is ", s,
        ", expected a rank-4 (N, C, H, W) tensor");
}

// The bias must hold one number per output channel.
void check_bias(const char* op, const Shape& sb, int Co) {
  const bool shape_ok = sb.rank() == 1 || (sb.rank() == 2 && sb[0] == 1);
  check(shape_ok && int(sb.numel()) == Co, op, ": b is ", sb, ", expected (",
        Co, ") or (1, ", Co, "), one bias per output channel");
}

// y[n, o, p] = b[o] for every n and p: the start the stamps add onto.
void fill_bias(const float* b, float* y, int N, int Co, int P) {
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Co; ++o) {
      float* yo = y + (std::size_t(n) * Co + o) * P;
      std::fill(yo, yo + P, b[o]);
    }
}

// y[n, o, p] += b[o]
void add_bias(const float* b, float* y, int N, int Co, int P) {
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Co; ++o) {
      float* yo = y + (std::size_t(n) * Co + o) * P;
      for (int p = 0; p < P; ++p) yo[p] += b[o];
    }
}

// db[o] += Σ_{n, p} dy[n, o, p]
void bias_grad(const float* dy, float* db, int N, int Co, int P) {
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Co; ++o) {
      const float* d = dy + (std::size_t(n) * Co + o) * P;
      float s = 0.0f;
      for (int p = 0; p < P; ++p) s += d[p];
      db[o] += s;
    }
}
}  // namespace

// ---- conv2d ------------------------------------------------------------------

static void conv2d_backward(Tape& tape, Node& y) {
  const Tensor& x = tape.node(y.in[0]).val();
  const Tensor& W = tape.node(y.in[1]).val();
  const ConvGeometry g{x.dim(1), x.dim(2), x.dim(3), W.dim(2), W.dim(3),
                       int(y.k[0]), int(y.k[1])};
  const int N = x.dim(0), Co = W.dim(0), P = g.cols(), CK = g.rows();
  const std::size_t NP = std::size_t(N) * P;
  float* cols = y.saved.data();
  float* dY = cols + CK * NP;
  gather_wide(y.grad().data(), dY, N, Co, P);  // dy → dY (Co, N·P)

  if (float* db = tape.grad_of(y, 2)) bias_grad(y.grad().data(), db, N, Co, P);
  if (float* dW = tape.grad_of(y, 1))  // dW (Co, CK) += dY · colsᵀ
    gemm(Trans::No, Trans::Yes, Co, CK, int(NP), dY, cols, 1.0f, dW);
  if (float* dx = tape.grad_of(y, 0)) {
    // dcols (CK, N·P) = Wᵀ · dY, written over cols (no longer needed)
    gemm(Trans::Yes, Trans::No, CK, int(NP), Co, W.data(), dY, 0.0f, cols);
    const std::size_t image = std::size_t(g.C) * g.H * g.W;
    kernels::parallel_for(0, N, [&](int lo, int hi) {
      for (int n = lo; n < hi; ++n)
        kernels::col2im(cols + std::size_t(n) * P, int(NP), g, dx + n * image);
    });
  }
}

Var conv2d(Var x, Var W, Var b, int stride, int padding) {
  const char* op = "conv2d";
  Tape& tape = same_tape(op, x, W);
  same_tape(op, x, b);
  const Shape sx = x.shape(), sw = W.shape();
  check_image(op, sx, "x");
  check(sw.rank() == 4, op, ": W is ", sw,
        ", expected a rank-4 (C_out, C_in, kh, kw) tensor");
  check(sx[1] == sw[1], op, ": x is ", sx, " with ", sx[1],
        " channels, W is ", sw, " for ", sw[1],
        " (expected x's dimension 1 = W's dimension 1)");
  check(stride >= 1 && padding >= 0, op, ": stride ", stride, ", padding ",
        padding, " (expected stride >= 1 and padding >= 0)");
  check_bias(op, b.shape(), sw[0]);
  const ConvGeometry g{sx[1], sx[2], sx[3], sw[2], sw[3], stride, padding};
  check(g.Ho() >= 1 && g.Wo() >= 1, op, ": a ", sw[2], "x", sw[3],
        " filter with padding ", padding, " does not fit in x ", sx,
        " (expected kh, kw <= H + 2·padding, W + 2·padding)");
  const int N = sx[0], Co = sw[0], P = g.cols(), CK = g.rows();
  const std::size_t NP = std::size_t(N) * P;

  Node& y = tape.push(op, Shape{N, Co, g.Ho(), g.Wo()}, conv2d_backward,
                      {x, W, b});
  y.k[0] = float(stride);
  y.k[1] = float(padding);
  y.saved.resize(Shape{int(CK + Co), int(NP)});  // [cols; Y], capacity kept
  float* cols = y.saved.data();
  float* Y = cols + CK * NP;
  const float* xd = tape.node(x.index()).val().data();
  const std::size_t image = std::size_t(g.C) * g.H * g.W;
  kernels::parallel_for(0, N, [&](int lo, int hi) {
    for (int n = lo; n < hi; ++n)
      kernels::im2col(xd + n * image, g, cols + std::size_t(n) * P, int(NP));
  });
  // Y (Co, N·P) = W (Co, CK) · cols (CK, N·P)
  gemm(Trans::No, Trans::No, Co, int(NP), CK, tape.node(W.index()).val().data(),
       cols, 0.0f, Y);
  scatter_wide(Y, y.value.data(), N, Co, P);
  add_bias(tape.node(b.index()).val().data(), y.value.data(), N, Co, P);
  return tape.last();
}

// ---- conv_transpose2d ----------------------------------------------------------
// The same machinery run backwards. With the OUTPUT's geometry g (Co
// channels of Ho × Wo, whose im2col has H·W columns, one per input pixel):
//   X    (Ci, N·HW)     the input, gathered like Y above
//   cols (CoK, N·HW)  = Wᵀ · X          each input pixel's stamp
//   y               = b + col2im(cols)  stamps added where they overlap
// Backward: dcols = im2col(dy); dW += X · dcolsᵀ; dX = W · dcols.
// `saved` holds [X; cols].

static void conv_transpose2d_backward(Tape& tape, Node& y) {
  const Tensor& x = tape.node(y.in[0]).val();
  const Tensor& W = tape.node(y.in[1]).val();
  const int N = x.dim(0), Ci = x.dim(1), HW = x.dim(2) * x.dim(3);
  const int Co = y.value.dim(1);
  const ConvGeometry g{Co, y.value.dim(2), y.value.dim(3), W.dim(2), W.dim(3),
                       int(y.k[0]), int(y.k[1])};
  const int CoK = g.rows();
  const std::size_t NHW = std::size_t(N) * HW;
  float* X = y.saved.data();
  float* dcols = X + std::size_t(Ci) * NHW;
  const float* dy = y.grad().data();
  const std::size_t image = std::size_t(Co) * g.H * g.W;
  kernels::parallel_for(0, N, [&](int lo, int hi) {
    for (int n = lo; n < hi; ++n)
      kernels::im2col(dy + n * image, g, dcols + std::size_t(n) * HW, int(NHW));
  });
  if (float* db = tape.grad_of(y, 2)) bias_grad(dy, db, N, Co, g.H * g.W);
  if (float* dW = tape.grad_of(y, 1))  // dW (Ci, CoK) += X · dcolsᵀ
    gemm(Trans::No, Trans::Yes, Ci, CoK, int(NHW), X, dcols, 1.0f, dW);
  if (float* dx = tape.grad_of(y, 0)) {
    // dX (Ci, N·HW) = W (Ci, CoK) · dcols, over X (no longer needed),
    // then added into dx (N, Ci, H, W).
    gemm(Trans::No, Trans::No, Ci, int(NHW), CoK, W.data(), dcols, 0.0f, X);
    kernels::parallel_for(0, N, [&](int lo, int hi) {
      for (int n = lo; n < hi; ++n)
        for (int c = 0; c < Ci; ++c) {
          float* d = dx + (std::size_t(n) * Ci + c) * HW;
          const float* s = X + std::size_t(c) * NHW + std::size_t(n) * HW;
          for (int p = 0; p < HW; ++p) d[p] += s[p];
        }
    });
  }
}

Var conv_transpose2d(Var x, Var W, Var b, int stride, int padding) {
  const char* op = "conv_transpose2d";
  Tape& tape = same_tape(op, x, W);
  same_tape(op, x, b);
  const Shape sx = x.shape(), sw = W.shape();
  check_image(op, sx, "x");
  check(sw.rank() == 4, op, ": W is ", sw,
        ", expected a rank-4 (C_in, C_out, kh, kw) tensor");
  check(sx[1] == sw[0], op, ": x is ", sx, " with ", sx[1],
        " channels, W is ", sw, " for ", sw[0],
        " (expected x's dimension 1 = W's dimension 0)");
  check(stride >= 1 && padding >= 0, op, ": stride ", stride, ", padding ",
        padding, " (expected stride >= 1 and padding >= 0)");
  const int Co = sw[1];
  check_bias(op, b.shape(), Co);
  const int Ho = (sx[2] - 1) * stride - 2 * padding + sw[2];
  const int Wo = (sx[3] - 1) * stride - 2 * padding + sw[3];
  check(Ho >= 1 && Wo >= 1, op, ": x ", sx, ", W ", sw, ", stride ", stride,
        ", padding ", padding, " give an empty output ", Ho, "x", Wo,
        " (expected (H − 1)·stride − 2·padding + kh >= 1)");
  const ConvGeometry g{Co, Ho, Wo, sw[2], sw[3], stride, padding};
  const int N = sx[0], Ci = sx[1], HW = sx[2] * sx[3], CoK = g.rows();
  const std::size_t NHW = std::size_t(N) * HW;

  Node& y = tape.push(op, Shape{N, Co, Ho, Wo}, conv_transpose2d_backward,
                      {x, W, b});
  y.k[0] = float(stride);
  y.k[1] = float(padding);
  y.saved.resize(Shape{Ci + CoK, int(NHW)});  // [X; cols]
  float* X = y.saved.data();
  float* cols = X + std::size_t(Ci) * NHW;
  gather_wide(tape.node(x.index()).val().data(), X, N, Ci, HW);
  // cols (CoK, N·HW) = Wᵀ (CoK, Ci) · X (Ci, N·HW)
  gemm(Trans::Yes, Trans::No, CoK, int(NHW), Ci,
       tape.node(W.index()).val().data(), X, 0.0f, cols);
  fill_bias(tape.node(b.index()).val().data(), y.value.data(), N, Co, Ho * Wo);
  const std::size_t image = std::size_t(Co) * Ho * Wo;
  float* yd = y.value.data();
  kernels::parallel_for(0, N, [&](int lo, int hi) {
    for (int n = lo; n < hi; ++n)
      kernels::col2im(cols + std::size_t(n) * HW, int(NHW), g, yd + n * image);
  });
  return tape.last();
}

// ---- max_pool2d ----------------------------------------------------------------

static void max_pool2d_backward(Tape& tape, Node& y) {
  const Shape& s = tape.node(y.in[0]).val().shape();
  if (float* dx = tape.grad_of(y, 0))
    kernels::max_pool2d_backward(y.grad().data(), y.saved.data(), s[0] * s[1],
                                 s[2], s[3], int(y.k[0]), int(y.k[1]), dx);
}

Var max_pool2d(Var x, int k, int stride) {
  const char* op = "max_pool2d";
  Tape& tape = x.tape();
  const Shape sx = x.shape();
  check_image(op, sx, "x");
  check(k >= 1 && stride >= 1, op, ": window ", k, ", stride ", stride,
        " (expected both >= 1)");
  check(k <= sx[2] && k <= sx[3], op, ": a ", k, "x", k,
        " window does not fit in x ", sx);
  const int Ho = kernels::conv_out_size(sx[2], k, stride, 0);
  const int Wo = kernels::conv_out_size(sx[3], k, stride, 0);
  Node& y = tape.push(op, Shape{sx[0], sx[1], Ho, Wo}, max_pool2d_backward, {x});
  y.k[0] = float(k);
  y.k[1] = float(stride);
  y.saved.resize(y.value.shape());  // argmax of every window
  kernels::max_pool2d_forward(tape.node(x.index()).val().data(), sx[0] * sx[1],
                              sx[2], sx[3], k, stride, y.value.data(),
                              y.saved.data());
  return tape.last();
}

// ---- upsample2d ----------------------------------------------------------------

static void upsample2d_backward(Tape& tape, Node& y) {
  const Shape& s = tape.node(y.in[0]).val().shape();
  if (float* dx = tape.grad_of(y, 0))
    kernels::upsample_nearest_backward(y.grad().data(), s[0] * s[1], s[2], s[3],
                                       int(y.k[0]), dx);
}

Var upsample2d(Var x, int factor) {
  const char* op = "upsample2d";
  Tape& tape = x.tape();
  const Shape sx = x.shape();
  check_image(op, sx, "x");
  check(factor >= 1, op, ": factor ", factor, " (expected >= 1)");
  Node& y = tape.push(op, Shape{sx[0], sx[1], sx[2] * factor, sx[3] * factor},
                      upsample2d_backward, {x});
  y.k[0] = float(factor);
  kernels::upsample_nearest_forward(tape.node(x.index()).val().data(),
                                    sx[0] * sx[1], sx[2], sx[3], factor,
                                    y.value.data());
  return tape.last();
}

}  // namespace hg
