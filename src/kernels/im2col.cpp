// im2col / col2im (naive and row-at-a-time), direct convolution, max pooling
// and nearest upsampling. Shapes and the reasons are in im2col.hpp.
#include "hourglass/kernels/im2col.hpp"

#include <algorithm>

namespace hg::kernels {

int conv_out_size(int in, int k, int stride, int pad) {
  const int span = in + 2 * pad - k;
  return span < 0 || stride < 1 ? 0 : span / stride + 1;
}

// ---- im2col ----------------------------------------------------------------

void im2col_naive(const float* x, const ConvGeometry& g, float* cols, int ld) {
  const int Ho = g.Ho(), Wo = g.Wo();
  for (int c = 0; c < g.C; ++c)
    for (int i = 0; i < g.kh; ++i)
      for (int j = 0; j < g.kw; ++j) {
        const int r = (c * g.kh + i) * g.kw + j;
        for (int oy = 0; oy < Ho; ++oy)
          for (int ox = 0; ox < Wo; ++ox) {
            const int iy = oy * g.stride - g.pad + i;
            const int ix = ox * g.stride - g.pad + j;
            const bool in = iy >= 0 && iy < g.H && ix >= 0 && ix < g.W;
            cols[std::size_t(r) * ld + oy * Wo + ox] =
                in ? x[(std::size_t(c) * g.H + iy) * g.W + ix] : 0.0f;
          }
      }
}

namespace {
// For filter column j, the outputs ox whose input column ix = ox·s − pad + j
// lies inside [0, W): ox in [lo, hi). Solving 0 <= ox·s − pad + j < W.
void valid_range(int j, int s, int pad, int W, int Wo, int& lo, int& hi) {
  const int first = pad - j;                      // ox·s >= first
  lo = first <= 0 ? 0 : (first + s - 1) / s;
  const int last = W - 1 + pad - j;               // ox·s <= last
  hi = last < 0 ? 0 : std::min(Wo, last / s + 1);
  lo = std::min(lo, hi);
}
}  // namespace

namespace {
// Row (c, i, j) of cols for a stride-1 convolution whose output is as wide
// as its input (Wo = W, "same" padding): output position q = oy·W + ox
// reads input q + d with d = (i − pad)·W + (j − pad), so the row is the
// channel plane shifted by d, one long contiguous copy. Shifting a
// flattened plane wraps around its side edges: the entries whose input
// column falls outside [0, W), ox outside [lo, hi), are set to 0 after the
// copy, as are the rows that read above or below the image.
void im2col_row_shifted(const float* __restrict xc, const ConvGeometry& g, int i,
                        int j, int lo, int hi, float* __restrict out) {
  const int H = g.H, W = g.W, Ho = g.Ho(), P = Ho * W;
  const int d = (i - g.pad) * W + (j - g.pad);
  const int ylo = std::min(Ho, std::max(0, g.pad - i));
  const int yhi = std::max(ylo, std::min(Ho, H + g.pad - i));
  // Copy q in [q0, q1): inside rows [ylo, yhi), and q + d inside the plane.
  const int q0 = std::clamp(-d, ylo * W, yhi * W);
  const int q1 = std::clamp(H * W - d, q0, yhi * W);
  std::fill(out, out + q0, 0.0f);
  for (int q = q0; q < q1; ++q) out[q] = xc[q + d];
  std::fill(out + q1, out + P, 0.0f);
  for (int oy = ylo; oy < yhi; ++oy) {  // the wrapped side columns
    float* o = out + oy * W;
    for (int ox = 0; ox < lo; ++ox) o[ox] = 0.0f;
    for (int ox = hi; ox < W; ++ox) o[ox] = 0.0f;
  }
}
}  // namespace

void im2col(const float* x, const ConvGeometry& g, float* cols, int ld) {
  const int Ho = g.Ho(), Wo = g.Wo(), s = g.stride;
  const bool shifted = s == 1 && Wo == g.W;
  for (int c = 0; c < g.C; ++c) {
    const float* xc = x + std::size_t(c) * g.H * g.W;
    for (int i = 0; i < g.kh; ++i)
      for (int j = 0; j < g.kw; ++j) {
        float* row = cols + std::size_t((c * g.kh + i) * g.kw + j) * ld;
        int lo, hi;
        valid_range(j, s, g.pad, g.W, Wo, lo, hi);
        if (shifted) {
          im2col_row_shifted(xc, g, i, j, lo, hi, row);
          continue;
        }
        for (int oy = 0; oy < Ho; ++oy) {
          float* out = row + oy * Wo;
          const int iy = oy * s - g.pad + i;
          if (iy < 0 || iy >= g.H) {  // the whole output row reads padding
            std::fill(out, out + Wo, 0.0f);
            continue;
          }
          std::fill(out, out + lo, 0.0f);
          // Input column of output ox is ox·s + off; never form a pointer
          // before the row (off may be negative), index from its start.
          const float* in = xc + std::size_t(iy) * g.W;
          const int off = j - g.pad;
          if (s == 1 && lo < hi)
            std::copy(in + lo + off, in + hi + off, out + lo);  // contiguous
          else
            for (int ox = lo; ox < hi; ++ox) out[ox] = in[ox * s + off];
          std::fill(out + hi, out + Wo, 0.0f);
        }
      }
  }
}

// ---- col2im: the adjoint ---------------------------------------------------

void col2im_naive(const float* cols, int ld, const ConvGeometry& g, float* dx) {
  const int Ho = g.Ho(), Wo = g.Wo();
  for (int c = 0; c < g.C; ++c)
    for (int i = 0; i < g.kh; ++i)
      for (int j = 0; j < g.kw; ++j) {
        const int r = (c * g.kh + i) * g.kw + j;
        for (int oy = 0; oy < Ho; ++oy)
          for (int ox = 0; ox < Wo; ++ox) {
            const int iy = oy * g.stride - g.pad + i;
            const int ix = ox * g.stride - g.pad + j;
            if (iy >= 0 && iy < g.H && ix >= 0 && ix < g.W)
              dx[(std::size_t(c) * g.H + iy) * g.W + ix] +=
                  cols[std::size_t(r) * ld + oy * Wo + ox];
          }
      }
}

void col2im(const float* cols, int ld, const ConvGeometry& g, float* dx) {
  const int Ho = g.Ho(), Wo = g.Wo(), s = g.stride;
  for (int c = 0; c < g.C; ++c) {
    float* dxc = dx + std::size_t(c) * g.H * g.W;
    for (int i = 0; i < g.kh; ++i)
      for (int j = 0; j < g.kw; ++j) {
        const float* row = cols + std::size_t((c * g.kh + i) * g.kw + j) * ld;
        int lo, hi;
        valid_range(j, s, g.pad, g.W, Wo, lo, hi);
        for (int oy = 0; oy < Ho; ++oy) {
          const int iy = oy * s - g.pad + i;
          if (iy < 0 || iy >= g.H) continue;  // padding: nothing to add to
          const float* in = row + oy * Wo;
          float* out = dxc + std::size_t(iy) * g.W;
          const int off = j - g.pad;
          if (s == 1) {
#pragma omp simd
            for (int ox = lo; ox < hi; ++ox) out[ox + off] += in[ox];
          } else {
            for (int ox = lo; ox < hi; ++ox) out[ox * s + off] += in[ox];
          }
        }
      }
  }
}

// ---- the reference convolution ---------------------------------------------

void conv2d_direct(const float* x, const float* Wt, const float* b,
                   const ConvGeometry& g, int Co, float* y) {
  const int Ho = g.Ho(), Wo = g.Wo();
  for (int o = 0; o < Co; ++o)
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        double acc = b ? b[o] : 0.0;  // double: a reference should not drift
        for (int c = 0; c < g.C; ++c)
          for (int i = 0; i < g.kh; ++i)
            for (int j = 0; j < g.kw; ++j) {
              const int iy = oy * g.stride - g.pad + i;
              const int ix = ox * g.stride - g.pad + j;
              if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
              acc += double(Wt[((std::size_t(o) * g.C + c) * g.kh + i) * g.kw + j]) *
                     x[(std::size_t(c) * g.H + iy) * g.W + ix];
            }
        y[(std::size_t(o) * Ho + oy) * Wo + ox] = float(acc);
      }
}

// ---- max pooling -------------------------------------------------------------

namespace {
// The common case, 2×2 windows 2 apart, without the two inner loops: each
// output compares its four inputs in a fixed order (first max wins ties, as
// below), as selects the compiler can vectorise along the row.
void max_pool_2x2(const float* x, int planes, int H, int W, float* y, float* argmax) {
  const int Ho = H / 2, Wo = W / 2;
  for (int p = 0; p < planes; ++p)
    for (int oy = 0; oy < Ho; ++oy) {
      const float* __restrict r0 = x + (std::size_t(p) * H + 2 * oy) * W;
      const float* __restrict r1 = r0 + W;
      float* __restrict yo = y + (std::size_t(p) * Ho + oy) * Wo;
      float* __restrict ao = argmax + (std::size_t(p) * Ho + oy) * Wo;
      const int top = 2 * oy * W;  // flat index of the window's top-left
#pragma omp simd
      for (int ox = 0; ox < Wo; ++ox) {
        float best = r0[2 * ox];
        int at = top + 2 * ox;
        if (r0[2 * ox + 1] > best) { best = r0[2 * ox + 1]; at = top + 2 * ox + 1; }
        if (r1[2 * ox] > best) { best = r1[2 * ox]; at = top + W + 2 * ox; }
        if (r1[2 * ox + 1] > best) { best = r1[2 * ox + 1]; at = top + W + 2 * ox + 1; }
        yo[ox] = best;
        ao[ox] = float(at);
      }
    }
}
}  // namespace

void max_pool2d_forward(const float* x, int planes, int H, int W, int k,
                        int stride, float* y, float* argmax) {
  if (k == 2 && stride == 2) return max_pool_2x2(x, planes, H, W, y, argmax);
  const int Ho = conv_out_size(H, k, stride, 0), Wo = conv_out_size(W, k, stride, 0);
  for (int p = 0; p < planes; ++p) {
    const float* xp = x + std::size_t(p) * H * W;
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        int best = (oy * stride) * W + ox * stride;
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j) {
            const int at = (oy * stride + i) * W + ox * stride + j;
            if (xp[at] > xp[best]) best = at;  // strict: first max wins ties
          }
        const std::size_t o = (std::size_t(p) * Ho + oy) * Wo + ox;
        y[o] = xp[best];
        argmax[o] = float(best);
      }
  }
}

void max_pool2d_backward(const float* dy, const float* argmax, int planes,
                         int H, int W, int k, int stride, float* dx) {
  const int out = conv_out_size(H, k, stride, 0) * conv_out_size(W, k, stride, 0);
  for (int p = 0; p < planes; ++p) {
    float* dxp = dx + std::size_t(p) * H * W;
    const std::size_t base = std::size_t(p) * out;
    for (int o = 0; o < out; ++o)
      dxp[static_cast<int>(argmax[base + o])] += dy[base + o];
  }
}

// ---- nearest upsampling --------------------------------------------------------

void upsample_nearest_forward(const float* x, int planes, int H, int W, int f,
                              float* y) {
  const int Wf = W * f;
  for (int p = 0; p < planes; ++p)
    for (int iy = 0; iy < H; ++iy) {
      const float* in = x + (std::size_t(p) * H + iy) * W;
      float* out = y + (std::size_t(p) * H + iy) * f * Wf;
      for (int ix = 0; ix < W; ++ix)  // widen one row...
        for (int j = 0; j < f; ++j) out[ix * f + j] = in[ix];
      for (int i = 1; i < f; ++i)     // ...then repeat it f − 1 times
        std::copy(out, out + Wf, out + i * Wf);
    }
}

void upsample_nearest_backward(const float* dy, int planes, int H, int W,
                               int f, float* dx) {
  const int Wf = W * f;
  for (int p = 0; p < planes; ++p)
    for (int iy = 0; iy < H; ++iy) {
      float* out = dx + (std::size_t(p) * H + iy) * W;
      for (int i = 0; i < f; ++i) {
        const float* in = dy + ((std::size_t(p) * H + iy) * f + i) * Wf;
        for (int ix = 0; ix < W; ++ix) {
          float s = 0.0f;
          for (int j = 0; j < f; ++j) s += in[ix * f + j];
          out[ix] += s;
        }
      }
    }
}

}  // namespace hg::kernels
