// Convolution ops: conv2d, conv_transpose2d, max_pool2d, upsample2d.
//
// Images are rank-4 tensors (N, C, H, W): batch, channels, rows, columns,
// row-major, so one image is a contiguous (C, H, W) block and one channel of
// it a contiguous (H, W) plane. Weights follow the same habit:
//   conv2d            W: (C_out, C_in, kh, kw)   one filter per output channel
//   conv_transpose2d  W: (C_in, C_out, kh, kw)   the same array a conv2d from
//                                                C_out to C_in would hold
// and biases are (C_out) or (1, C_out), one number per output channel.
//
// How they are computed (src/autodiff/ops_conv.cpp): im2col lays every
// filter-sized patch out as a column, so a convolution becomes a GEMM, the
// fastest kernel we have (kernels/im2col.hpp says why). The batch is cut
// into groups of a few images whose patch matrix fits in the L2 cache,
// shared out over the thread pool; backward runs im2col again rather than
// keep the patches. The scratch lives in the op node's `saved` tensor,
// which keeps its capacity when the tape is cleared: after the first step
// no convolution allocates. What these are not: dilated, grouped or
// depthwise convolutions, padded pooling, or bilinear upsampling.
#pragma once

#include "hourglass/autodiff/tape.hpp"

namespace hg {

// y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]   (⋆: cross-correlation, the
// filter slid over the zero-padded image in steps of `stride`)
// x (N, C, H, W), W (Co, C, kh, kw) → y (N, Co, Ho, Wo),
// Ho = (H + 2·padding − kh) / stride + 1 (floor), likewise Wo.
Var conv2d(Var x, Var W, Var b, int stride = 1, int padding = 0);

// The transpose (adjoint) of conv2d with respect to its input: every input
// pixel stamps its filter, scaled by its value, onto the output, moved by
// `stride` per pixel; overlapping stamps add. With stride 2 it doubles the
// size: a learned upsampling. x (N, Ci, H, W), W (Ci, Co, kh, kw) →
// y (N, Co, Ho, Wo), Ho = (H − 1)·stride − 2·padding + kh, likewise Wo.
Var conv_transpose2d(Var x, Var W, Var b, int stride = 1, int padding = 0);

// The largest value of each k×k window, windows `stride` apart (no padding;
// a last partial window is dropped). x (N, C, H, W) → (N, C, Ho, Wo),
// Ho = (H − k) / stride + 1. The gradient goes to the winning input only.
Var max_pool2d(Var x, int k = 2, int stride = 2);

// Nearest-neighbour upsampling: each pixel becomes a factor × factor block.
// x (N, C, H, W) → (N, C, H·factor, W·factor). No parameters: the following
// convolution learns how to smooth the blocks.
Var upsample2d(Var x, int factor = 2);

}  // namespace hg
