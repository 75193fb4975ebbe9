// Losses and penalties as tape ops: a forward that reduces to one number,
// and right under it a backward that scales by dL (the loss's own gradient,
// 1 unless the loss was scaled or summed with others) and adds into the
// inputs' gradients.
#include "hourglass/nn/losses.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "hourglass/kernels/losses.hpp"
#include "hourglass/kernels/reduce.hpp"
#include "hourglass/kernels/thread_pool.hpp"

namespace hg {

namespace {
// What a loss node remembers: 1/B, the scale of a mean over the batch's
// rows, and (kl_sparsity only) the target activation ρ.
struct LossAttrs {
  float inv_batch;
  float rho;
};
float inv_batch(const Node& y) { return y.attrs<LossAttrs>().inv_batch; }
// A one-number node over inputs `in`, averaged over `batch` rows.
Node& push_loss(const char* op, Tape& tape, std::initializer_list<Var> in, int batch) {
  Node& y = tape.push(op, Shape{1, 1}, in);
  y.set_attrs(LossAttrs{1.0f / static_cast<float>(std::max(batch, 1)), 0.0f});
  return y;
}
void check_pair(const char* op, Var a, Var b) {
  same_tape(op, a, b);
  check(a.shape() == b.shape(), op, ": prediction is ", a.shape(),
        ", target is ", b.shape(), " (expected the same shape)");
}
const float* val(Tape& tape, const Node& y, int which) {
  return tape.node(y.in[static_cast<std::size_t>(which)]).val().data();
}
std::size_t count(Tape& tape, const Node& y) {
  return tape.node(y.in[0]).val().size();
}
// What the backward of a loss of two same-shaped inputs reads: both
// inputs, their size n, the scale g = (dL/B)·dloss, and where the two
// gradients go (nullptr where none is needed). Unpacked with the math's
// own names: auto [p, t, n, g, dp, dt] = pair_backward(tape, y);
struct PairBackward {
  const float* a;
  const float* b;
  std::size_t n;
  float g;
  float* da;
  float* db;
};
PairBackward pair_backward(Tape& tape, Node& y) {
  return {val(tape, y, 0), val(tape, y, 1),    count(tape, y),
          inv_batch(y) * y.grad()[0], tape.grad_of(y, 0), tape.grad_of(y, 1)};
}
// The big losses run over the thread pool, like the maps before them: on
// one thread alone, a loss over a batch of images would both leave the
// other threads idle and read the half of its input that they wrote.
// A loss is a sum, and a sum's rounding depends on its order; so the terms
// are always summed in the same chunks of kChunk, each chunk's sum kept,
// and the chunk sums added in order: the same bits on any number of threads.
constexpr std::size_t kChunk = 16384;
template <class ChunkSum>  // double(std::size_t lo, std::size_t hi)
double chunked_sum(std::size_t n, const ChunkSum& chunk_sum) {
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  thread_local std::vector<double> sums;  // grows once, then no allocation
  if (sums.size() < chunks) sums.resize(chunks);
  double* out = sums.data();
  kernels::parallel_range(chunks, 1, [&](std::size_t c0, std::size_t c1) {
    for (std::size_t c = c0; c < c1; ++c)
      out[c] = chunk_sum(c * kChunk, std::min(n, (c + 1) * kChunk));
  });
  double total = 0.0;
  for (std::size_t c = 0; c < chunks; ++c) total += out[c];
  return total;
}
// fn(lo, hi) over [0, n), split over the pool for big arrays.
template <class Fn>
void split_map(std::size_t n, const Fn& fn) {
  kernels::parallel_range(n, kChunk, fn);
}
constexpr float kProbEps = 1e-7f;
constexpr float kRhoEps = 1e-6f;
}  // namespace

// ---- mse: (1/B) Σ (x̂ − x)²;  dx̂ += (2/B)(x̂ − x) dL,  dx −= the same -----------

Var mse(Var pred, Var target) {
  check_pair("mse", pred, target);
  Tape& tape = pred.tape();
  Node& y = push_loss("mse", tape, {pred, target}, pred.shape().rows());
  const float* p = val(tape, y, 0);
  const float* t = val(tape, y, 1);
  y.value[0] = static_cast<float>(
      inv_batch(y) * chunked_sum(count(tape, y), [&](std::size_t lo, std::size_t hi) {
        return kernels::sum_sq_diff(p + lo, t + lo, hi - lo);
      }));
  y.backward = [](Tape& tape, Node& y) {
    auto [p, t, n, g, dp, dt] = pair_backward(tape, y);
    g *= 2.0f;  // d‖x̂ − x‖²/dx̂ = 2(x̂ − x)
    split_map(n, [&](std::size_t lo, std::size_t hi) {
      if (dp)
        for (std::size_t i = lo; i < hi; ++i) dp[i] += g * (p[i] - t[i]);
      if (dt)
        for (std::size_t i = lo; i < hi; ++i) dt[i] -= g * (p[i] - t[i]);
    });
  };
  return tape.last();
}

// ---- mae: (1/B) Σ |x̂ − x|;  dx̂ += sign(x̂ − x) dL / B ----------------------------

Var mae(Var pred, Var target) {
  check_pair("mae", pred, target);
  Tape& tape = pred.tape();
  Node& y = push_loss("mae", tape, {pred, target}, pred.shape().rows());
  y.value[0] = static_cast<float>(
      inv_batch(y) * kernels::sum_abs_diff(val(tape, y, 0), val(tape, y, 1),
                                     count(tape, y)));
  y.backward = [](Tape& tape, Node& y) {
    const auto [p, t, n, g, dp, dt] = pair_backward(tape, y);
    for (std::size_t i = 0; i < n; ++i) {
      const float d = p[i] - t[i];
      const float s = d > 0.0f ? g : (d < 0.0f ? -g : 0.0f);
      if (dp) dp[i] += s;
      if (dt) dt[i] -= s;
    }
  };
  return tape.last();
}

// ---- bce on probabilities ---------------------------------------------------------

Var bce(Var p, Var target) {
  check_pair("bce", p, target);
  Tape& tape = p.tape();
  Node& y = push_loss("bce", tape, {p, target}, p.shape().rows());
  const float* pv = val(tape, y, 0);
  const float* tv = val(tape, y, 1);
  double s = 0;
  for (std::size_t i = 0, n = count(tape, y); i < n; ++i) {
    const float pc = std::clamp(pv[i], kProbEps, 1.0f - kProbEps);
    s -= tv[i] * std::log(pc) + (1.0f - tv[i]) * std::log1p(-pc);
  }
  y.value[0] = static_cast<float>(inv_batch(y) * s);
  y.backward = [](Tape& tape, Node& y) {
    const auto [p, t, n, g, dp, dt] = pair_backward(tape, y);
    for (std::size_t i = 0; i < n; ++i) {
      const float pc = std::clamp(p[i], kProbEps, 1.0f - kProbEps);
      // ∂/∂p = (p − t) / (p (1 − p));  ∂/∂t = log(1 − p) − log p
      if (dp) dp[i] += g * (pc - t[i]) / (pc * (1.0f - pc));
      if (dt) dt[i] += g * (std::log1p(-pc) - std::log(pc));
    }
  };
  return tape.last();
}

// ---- bce from logits -----------------------------------------------------------------

Var bce_with_logits(Var logits, Var target) {
  check_pair("bce_with_logits", logits, target);
  Tape& tape = logits.tape();
  Node& y = push_loss("bce_with_logits", tape, {logits, target}, logits.shape().rows());
  const float* z = val(tape, y, 0);
  const float* t = val(tape, y, 1);
  y.value[0] = static_cast<float>(
      inv_batch(y) * chunked_sum(count(tape, y), [&](std::size_t lo, std::size_t hi) {
        return kernels::bce_with_logits_sum(z + lo, t + lo, hi - lo);
      }));
  y.backward = [](Tape& tape, Node& y) {
    const auto [z, t, n, g, dz, dt] = pair_backward(tape, y);
    split_map(n, [&](std::size_t lo, std::size_t hi) {
      if (dz)  // σ(z) − t
        kernels::bce_with_logits_backward(z + lo, t + lo, g, dz + lo, hi - lo);
      if (dt)
        for (std::size_t i = lo; i < hi; ++i) dt[i] -= g * z[i];  // ∂/∂t = −z
    });
  };
  return tape.last();
}

// ---- kl_sparsity: Σ_j KL(ρ ‖ ρ̂_j), ρ̂ kept in `saved` --------------------------------

Var kl_sparsity(Var h, float rho) {
  check(rho > 0.0f && rho < 1.0f, "kl_sparsity: rho = ", rho,
        " (expected 0 < rho < 1)");
  Tape& tape = h.tape();
  const int B = h.shape().rows(), units = h.shape().cols();
  check(B > 0, "kl_sparsity: h ", h.shape(), " has no rows");
  Node& y = push_loss("kl_sparsity", tape, {h}, B);
  y.set_attrs(LossAttrs{inv_batch(y), rho});
  y.saved.resize(Shape{1, units});
  kernels::sum_rows(val(tape, y, 0), y.saved.data(), B, units);
  double s = 0;
  for (float& rh : y.saved) {
    rh = std::clamp(rh * inv_batch(y), kRhoEps, 1.0f - kRhoEps);  // ρ̂_j
    s += rho * std::log(rho / rh) + (1.0f - rho) * std::log((1.0f - rho) / (1.0f - rh));
  }
  y.value[0] = static_cast<float>(s);
  y.backward = [](Tape& tape, Node& y) {
    float* dh = tape.grad_of(y, 0);
    if (!dh) return;
    const Tensor& h = tape.node(y.in[0]).val();
    const int B = h.rows(), units = h.cols();
    const float rho = y.attrs<LossAttrs>().rho, g = inv_batch(y) * y.grad()[0];
    // ∂KL/∂ρ̂_j = −ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j), and ∂ρ̂_j/∂h_ij = 1/B.
    for (int i = 0; i < B; ++i)
      for (int j = 0; j < units; ++j) {
        const float rh = y.saved[static_cast<std::size_t>(j)];
        dh[static_cast<std::size_t>(i) * units + j] +=
            g * (-rho / rh + (1.0f - rho) / (1.0f - rh));
      }
  };
  return tape.last();
}

// ---- gaussian_kl: (1/B) Σ −½(1 + logvar − μ² − e^logvar) -------------------------------

Var gaussian_kl(Var mu, Var logvar) {
  same_tape("gaussian_kl", mu, logvar);
  check(mu.shape() == logvar.shape(), "gaussian_kl: mu is ", mu.shape(),
        ", logvar is ", logvar.shape(), " (expected the same shape)");
  Tape& tape = mu.tape();
  Node& y = push_loss("gaussian_kl", tape, {mu, logvar}, mu.shape().rows());
  const float* m = val(tape, y, 0);
  const float* lv = val(tape, y, 1);
  double s = 0;
  for (std::size_t i = 0, n = count(tape, y); i < n; ++i)
    s += -0.5 * (1.0 + lv[i] - double(m[i]) * m[i] - std::exp(double(lv[i])));
  y.value[0] = static_cast<float>(inv_batch(y) * s);
  y.backward = [](Tape& tape, Node& y) {
    const auto [mu, lv, n, g, dmu, dlv] = pair_backward(tape, y);
    if (dmu)  // ∂/∂μ = μ
      for (std::size_t i = 0; i < n; ++i) dmu[i] += g * mu[i];
    if (dlv)  // ∂/∂logvar = ½(e^logvar − 1)
      for (std::size_t i = 0; i < n; ++i)
        dlv[i] += g * 0.5f * (std::exp(lv[i]) - 1.0f);
  };
  return tape.last();
}

// ---- penalties on weights: not averaged over anything ----------------------------------

Var l1_penalty(Var W) {
  Tape& tape = W.tape();
  Node& y = tape.push("l1_penalty", Shape{1, 1}, {W});
  y.value[0] = static_cast<float>(kernels::sum_abs(val(tape, y, 0), count(tape, y)));
  y.backward = [](Tape& tape, Node& y) {
    float* dW = tape.grad_of(y, 0);
    if (!dW) return;
    const float* W = val(tape, y, 0);
    const float g = y.grad()[0];
    for (std::size_t i = 0, n = count(tape, y); i < n; ++i)
      dW[i] += W[i] > 0.0f ? g : (W[i] < 0.0f ? -g : 0.0f);
  };
  return tape.last();
}

Var l2_penalty(Var W) {
  Tape& tape = W.tape();
  Node& y = tape.push("l2_penalty", Shape{1, 1}, {W});
  y.value[0] =
      static_cast<float>(0.5 * kernels::sum_sq(val(tape, y, 0), count(tape, y)));
  y.backward = [](Tape& tape, Node& y) {
    float* dW = tape.grad_of(y, 0);
    if (!dW) return;
    const float* W = val(tape, y, 0);
    const float g = y.grad()[0];
    for (std::size_t i = 0, n = count(tape, y); i < n; ++i) dW[i] += g * W[i];
  };
  return tape.last();
}

}  // namespace hg
