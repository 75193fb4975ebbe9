// The contractive penalty (Rifai et al. 2011) as a tape op: forward and,
// right under it, backward. See nn/contractive.hpp for the math.
#include "hourglass/nn/contractive.hpp"

#include <cstddef>

#include "hourglass/error.hpp"

namespace hg {

namespace {
struct Mean {  // what the node remembers: 1/B, the scale of a mean over rows
  float inv_batch;
};
}  // namespace

namespace {
// s_j = Σ_i W_ji²: the squared length of each row of W.  W: (H, D), s: (H)
void row_sq_norms(const float* W, float* s, int H, int D) {
  for (int j = 0; j < H; ++j) {
    const float* w = W + static_cast<std::size_t>(j) * D;
    double acc = 0;
    for (int i = 0; i < D; ++i) acc += static_cast<double>(w[i]) * w[i];
    s[j] = static_cast<float>(acc);
  }
}

void check_inputs(const char* op, const Shape& h, const Shape& W) {
  check(h.rank() == 2 && W.rank() == 2 && h[1] == W[0] && h[0] > 0, op,
        ": h is ", h, ", W is ", W,
        " (expected h (B, H) with B > 0 and W (H, D))");
}
}  // namespace

void jacobian_frobenius_sq(const Tensor& h, const Tensor& W, float* out) {
  check_inputs("jacobian_frobenius_sq", h.shape(), W.shape());
  const int B = h.rows(), H = h.cols(), D = W.cols();
  Tensor s(Shape{H});
  row_sq_norms(W.data(), s.data(), H, D);
  for (int b = 0; b < B; ++b) {
    const float* hb = h.data() + static_cast<std::size_t>(b) * H;
    double acc = 0;
    for (int j = 0; j < H; ++j) {
      const double a = static_cast<double>(hb[j]) * (1.0 - hb[j]);  // σ'
      acc += a * a * s[static_cast<std::size_t>(j)];
    }
    out[b] = static_cast<float>(acc);
  }
}

// ---- contractive_penalty: (1/B) Σ_bj a_bj² s_j, s kept in `saved` ------------

Var contractive_penalty(Var h, Var W) {
  Tape& tape = same_tape("contractive_penalty", h, W);
  check_inputs("contractive_penalty", h.shape(), W.shape());
  const int B = h.shape()[0], H = h.shape()[1], D = W.shape()[1];
  Node& y = tape.push("contractive_penalty", Shape{1, 1}, {h, W});
  y.set_attrs(Mean{1.0f / static_cast<float>(B)});
  y.saved.resize(Shape{H});
  row_sq_norms(tape.node(y.in[1]).val().data(), y.saved.data(), H, D);
  const float* hv = tape.node(y.in[0]).val().data();
  double acc = 0;
  for (std::size_t n = 0; n < static_cast<std::size_t>(B) * H; ++n) {
    const double a = static_cast<double>(hv[n]) * (1.0 - hv[n]);
    acc += a * a * y.saved[n % static_cast<std::size_t>(H)];
  }
  y.value[0] = static_cast<float>(acc / B);
  y.backward = [](Tape& tape, Node& y) {
    const Tensor& h = tape.node(y.in[0]).val();
    const Tensor& W = tape.node(y.in[1]).val();
    const int B = h.rows(), H = h.cols(), D = W.cols();
    const float g = 2.0f * y.attrs<Mean>().inv_batch * y.grad()[0];  // (2/B) dL
    const float* s = y.saved.data();
    if (float* dh = tape.grad_of(y, 0)) {
      // ∂/∂h = 2 a (∂a/∂h) s = 2 a (1 − 2h) s
      for (std::size_t n = 0; n < h.size(); ++n) {
        const float hv = h[n], a = hv * (1.0f - hv);
        dh[n] += g * a * (1.0f - 2.0f * hv) * s[n % static_cast<std::size_t>(H)];
      }
    }
    if (float* dW = tape.grad_of(y, 1)) {
      // ∂/∂W_ji = 2 (Σ_b a_bj²) W_ji: each row scaled by its unit's total slope².
      for (int j = 0; j < H; ++j) {
        double a2 = 0;
        for (int b = 0; b < B; ++b) {
          const float hv = h[static_cast<std::size_t>(b) * H + j];
          const double a = static_cast<double>(hv) * (1.0 - hv);
          a2 += a * a;
        }
        const float c = g * static_cast<float>(a2);
        const float* w = W.data() + static_cast<std::size_t>(j) * D;
        float* dw = dW + static_cast<std::size_t>(j) * D;
        for (int i = 0; i < D; ++i) dw[i] += c * w[i];
      }
    }
  };
  return tape.last();
}

}  // namespace hg
