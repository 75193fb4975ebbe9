// im2col / col2im, max pooling and nearest upsampling: the kernels under
// the convolution ops.
//
// Why im2col: a convolution slides a small filter over an image and takes
// a dot product at every position. Written as loops, that is seven nested
// loops with short inner trip counts (3×3 filters) which vectorise poorly.
// im2col copies, for every output position p, the C·kh·kw input values the
// filter sees there into column p of a matrix `cols` (C·kh·kw, Ho·Wo).
// Then the whole convolution is ONE matrix product
//     y (Co, Ho·Wo) = W (Co, C·kh·kw) · cols (C·kh·kw, Ho·Wo)
// done by GEMM, the one kernel in hourglass that runs near the machine's
// peak. The price is memory: each input value is copied up to kh·kw times.
// col2im is im2col's adjoint (its transpose as a linear map): it adds every
// column entry back onto the input pixel it was copied from, which is
// exactly the input gradient dx = col2im(Wᵀ · dy).
//
// Sizes, for one image (channels outermost, rows, then columns):
//   x: (C, H, W)   cols: (C·kh·kw, Ho·Wo) stored with row stride ld >= Ho·Wo
//   Ho = (H + 2·pad − kh) / stride + 1, likewise Wo (floor division).
// Positions outside the image (in the zero padding) read as 0 and, in
// col2im, are dropped. What this is not: dilation, groups, or any layout
// but N×C×H×W; nothing here allocates or knows of tensors.
#pragma once

#include <cstddef>

namespace hg::kernels {

// Output size of a sliding window: (in + 2·pad − k) / stride + 1, or 0 if the
// window does not fit even once.
int conv_out_size(int in, int k, int stride, int pad);

// The geometry of one convolution window, shared by the kernels below.
struct ConvGeometry {
  int C = 0, H = 0, W = 0;  // input channels and size
  int kh = 0, kw = 0;       // filter size
  int stride = 1, pad = 0;
  int Ho() const { return conv_out_size(H, kh, stride, pad); }
  int Wo() const { return conv_out_size(W, kw, stride, pad); }
  int rows() const { return C * kh * kw; }  // rows of cols
  int cols() const { return Ho() * Wo(); }  // columns of cols
};

// cols[r, p] = x[c, oy·stride − pad + i, ox·stride − pad + j] (0 outside),
// with r = (c·kh + i)·kw + j and p = oy·Wo + ox.
// x: (C, H, W), cols: (C·kh·kw, ld) of which the first Ho·Wo columns are set.
void im2col_naive(const float* x, const ConvGeometry& g, float* cols, int ld);
// The same, one row of cols at a time: the valid range of ox is worked out
// once per (row, oy), so the inner loop has no bounds test and, for stride 1,
// is a straight copy the compiler vectorises. For stride 1 with Wo = W
// ("same" padding, the usual 3×3 / padding 1) a whole row of cols is the
// channel plane shifted by a constant: one long copy, then the wrapped
// side columns zeroed.
void im2col(const float* x, const ConvGeometry& g, float* cols, int ld);

// The adjoint: dx[c, iy, ix] += cols[r, p] for every (r, p) that im2col
// filled from (c, iy, ix). Accumulates into dx (+=).
void col2im_naive(const float* cols, int ld, const ConvGeometry& g, float* dx);
void col2im(const float* cols, int ld, const ConvGeometry& g, float* dx);

// Direct convolution, seven loops, no im2col: the reference the conv ops are
// tested against. x: (C, H, W), Wt: (Co, C, kh, kw), b: (Co) or nullptr,
// y: (Co, Ho, Wo), overwritten.
void conv2d_direct(const float* x, const float* Wt, const float* b,
                   const ConvGeometry& g, int Co, float* y);

// Max pooling over k×k windows moved by `stride`, no padding, on `planes`
// independent (H, W) planes (planes = N·C). x: (planes, H, W),
// y: (planes, Ho, Wo) with Ho = (H − k) / stride + 1. argmax receives, for
// every output, the flat index iy·W + ix of the winning input inside its
// plane (the first one on ties), stored as float (exact below 2^24 pixels).
// k = stride = 2 takes a loop without the window loops.
void max_pool2d_forward(const float* x, int planes, int H, int W, int k,
                        int stride, float* y, float* argmax);
// dx[argmax] += dy: the gradient goes only to the input that won.
void max_pool2d_backward(const float* dy, const float* argmax, int planes,
                         int H, int W, int k, int stride, float* dx);

// Nearest-neighbour upsampling by an integer factor f: every pixel becomes
// an f×f block. x: (planes, H, W), y: (planes, H·f, W·f).
void upsample_nearest_forward(const float* x, int planes, int H, int W, int f,
                              float* y);
// dx[c, iy, ix] += Σ over its f×f block of dy.
void upsample_nearest_backward(const float* dy, int planes, int H, int W,
                               int f, float* dx);

}  // namespace hg::kernels
