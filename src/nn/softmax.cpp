// Softmax cross-entropy as a tape op. The forward already knows the whole
// gradient, p − onehot(y), so it keeps it in the node's `saved` tensor and
// the backward only scales it by dL/B: no labels need to outlive the call.
#include "hourglass/nn/softmax.hpp"

#include <algorithm>
#include <cmath>

namespace hg {

namespace {
struct Mean {  // what the node remembers: 1/B, the scale of a mean over rows
  float inv_batch;
};
}  // namespace

namespace {
// p = softmax(z) for one row of C values; returns logsumexp(z).
double softmax_row(const float* z, float* p, int C) {
  const float m = *std::max_element(z, z + C);
  double s = 0;
  for (int c = 0; c < C; ++c) {
    p[c] = std::exp(z[c] - m);  // ≤ 1: cannot overflow
    s += p[c];
  }
  const float inv = static_cast<float>(1.0 / s);
  for (int c = 0; c < C; ++c) p[c] *= inv;
  return m + std::log(s);
}

void check_logits(const char* op, const Shape& shape) {
  check(shape.rank() == 2 && shape[0] > 0 && shape[1] > 0, op,
        ": logits are ", shape, " (expected (batch, classes), both > 0)");
}
}  // namespace

Var softmax_cross_entropy(Var logits, std::span<const std::uint8_t> labels) {
  const char* op = "softmax_cross_entropy";
  check_logits(op, logits.shape());
  const int B = logits.shape()[0], C = logits.shape()[1];
  check(static_cast<int>(labels.size()) == B, op, ": logits are ",
        logits.shape(), " but there are ", labels.size(),
        " labels (expected one per row)");
  for (int i = 0; i < B; ++i)
    check(labels[static_cast<std::size_t>(i)] < C, op, ": label ",
          int(labels[static_cast<std::size_t>(i)]), " of row ", i,
          " is not a class of logits ", logits.shape(), " (expected < ", C, ")");

  Tape& tape = logits.tape();
  Node& y = tape.push(op, Shape{1, 1}, {logits});
  y.set_attrs(Mean{1.0f / static_cast<float>(B)});
  y.saved.resize(logits.shape());
  const float* z = tape.node(logits.index()).val().data();
  double loss = 0;
  for (int i = 0; i < B; ++i) {
    const float* zi = z + static_cast<std::size_t>(i) * C;
    float* pi = y.saved.data() + static_cast<std::size_t>(i) * C;
    const int yi = labels[static_cast<std::size_t>(i)];
    loss += softmax_row(zi, pi, C) - zi[yi];  // −log p_{i,y_i}
    pi[yi] -= 1.0f;                           // p − onehot(y)
  }
  y.value[0] = static_cast<float>(loss / B);
  // dz += (dL/B) · (p − onehot(y)), the product kept in `saved`.
  y.backward = [](Tape& tape, Node& y) {
    float* dz = tape.grad_of(y, 0);
    if (!dz) return;
    const float g = y.attrs<Mean>().inv_batch * y.grad()[0];
    for (std::size_t i = 0; i < y.saved.size(); ++i) dz[i] += g * y.saved[i];
  };
  return tape.last();
}

Tensor softmax_rows(const Tensor& logits) {
  check_logits("softmax_rows", logits.shape());
  const int B = logits.dim(0), C = logits.dim(1);
  Tensor p(logits.shape());
  for (int i = 0; i < B; ++i)
    softmax_row(logits.data() + static_cast<std::size_t>(i) * C,
                p.data() + static_cast<std::size_t>(i) * C, C);
  return p;
}

std::vector<int> argmax_rows(const Tensor& logits) {
  check_logits("argmax_rows", logits.shape());
  const int B = logits.dim(0), C = logits.dim(1);
  std::vector<int> out(static_cast<std::size_t>(B));
  for (int i = 0; i < B; ++i) {
    const float* zi = logits.data() + static_cast<std::size_t>(i) * C;
    out[static_cast<std::size_t>(i)] =
        static_cast<int>(std::max_element(zi, zi + C) - zi);
  }
  return out;
}

double accuracy(const Tensor& logits, std::span<const std::uint8_t> labels) {
  const std::vector<int> pred = argmax_rows(logits);
  check(pred.size() == labels.size(), "accuracy: logits are ", logits.shape(),
        " but there are ", labels.size(), " labels (expected one per row)");
  int right = 0;
  for (std::size_t i = 0; i < pred.size(); ++i)
    right += pred[i] == labels[i] ? 1 : 0;
  return static_cast<double>(right) / static_cast<double>(pred.size());
}

}  // namespace hg
