// SoftmaxClassifier: multinomial logistic regression on feature rows,
// trained with the tape and Adam. The yardstick "how much does a code know
// about the classes?": train it on codes and on raw pixels, compare the
// test accuracies.
//
//   z = W f + b               f: (features), W: (classes, features)
//   p = softmax(z)            p_c: the model's probability of class c
//   L = −log p_y              softmax cross-entropy (nn/softmax.hpp)
//
// One linear layer on purpose: it can only draw flat boundaries (one
// hyperplane per pair of classes), so its accuracy measures how *linearly*
// readable the classes are in the features, not what a deep classifier
// could dig out of them.
//
// Usage (a whole run):
//   hg::ClassifierResult r = hg::train_softmax_classifier(
//       train_codes, train.labels, test_codes, test.labels, 10, rng,
//       {.epochs = 10});
//   r.test_accuracy;  // in [0, 1]
// or step by step with SoftmaxClassifier (fit, logits, accuracy).
//
// What it is not: a general training loop, or a deep classifier. Header
// only: it sits above both nn/ (Linear, the loss) and optim/ (Adam), and a
// program that includes it links the whole hourglass library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/error.hpp"
#include "hourglass/nn/linear.hpp"
#include "hourglass/nn/softmax.hpp"
#include "hourglass/optim/adam.hpp"
#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

struct ClassifierOptions {
  int epochs = 10;
  int batch_size = 128;
  float lr = 1e-2f;           // Adam's η: a linear model takes a large one
  float weight_decay = 0.0f;  // λ, decoupled (AdamW): pulls W toward 0
};

struct ClassifierResult {
  double train_accuracy = 0;  // on the rows it was trained on
  double test_accuracy = 0;   // on rows it never saw
  double final_loss = 0;      // mean cross-entropy of the last epoch
};

class SoftmaxClassifier {
 public:
  // W starts small and random (Xavier), b at 0: every class equally likely.
  SoftmaxClassifier(int features, int classes, Rng& rng)
      : layer_(features, classes, rng, Init::Xavier, "classifier") {}

  // Mini-batch Adam on (x, labels): x (N, features), N labels < classes.
  // Returns the mean training loss of the last epoch.
  double fit(const Tensor& x, std::span<const std::uint8_t> labels,
             const ClassifierOptions& opt, Rng& rng) {
    check_rows("SoftmaxClassifier::fit", x, labels);
    check(opt.epochs > 0 && opt.batch_size > 0 && opt.lr > 0,
          "SoftmaxClassifier::fit: epochs ", opt.epochs, ", batch size ",
          opt.batch_size, ", lr ", opt.lr, " (expected all > 0)");
    Adam adam(layer_.params(), {.lr = opt.lr,
                                .weight_decay = opt.weight_decay,
                                .decoupled = true});
    const int N = x.rows(), F = x.cols();
    std::vector<int> order(static_cast<std::size_t>(N));
    std::iota(order.begin(), order.end(), 0);
    Tensor xb;
    std::vector<std::uint8_t> yb;
    Tape tape;
    double epoch_loss = 0;
    for (int e = 0; e < opt.epochs; ++e) {
      rng.shuffle(order);  // a fresh order each epoch
      epoch_loss = 0;
      for (int start = 0; start < N; start += opt.batch_size) {
        const int B = std::min(opt.batch_size, N - start);
        xb.resize(Shape{B, F});
        yb.resize(static_cast<std::size_t>(B));
        for (int r = 0; r < B; ++r) {  // gather the batch's rows
          const int i = order[static_cast<std::size_t>(start + r)];
          std::copy_n(x.data() + static_cast<std::size_t>(i) * F, F,
                      xb.data() + static_cast<std::size_t>(r) * F);
          yb[static_cast<std::size_t>(r)] = labels[static_cast<std::size_t>(i)];
        }
        tape.clear();
        Var loss = softmax_cross_entropy(layer_(tape.input(xb)), yb);
        adam.zero_grad();
        tape.backward(loss);
        adam.step();
        epoch_loss += static_cast<double>(loss.item()) * B;
      }
    }
    return epoch_loss / N;
  }

  // z for every row of x (N, features) → (N, classes), in chunks.
  Tensor logits(const Tensor& x) {
    check(x.rank() == 2 && x.cols() == layer_.in_features(),
          "SoftmaxClassifier: features are ", x.shape(), " (expected (N, ",
          layer_.in_features(), "))");
    const int N = x.rows(), F = x.cols(), C = layer_.out_features();
    Tensor out(Shape{N, C});
    Tensor chunk;
    Tape tape;
    constexpr int kChunk = 1000;
    for (int start = 0; start < N; start += kChunk) {
      const int B = std::min(kChunk, N - start);
      chunk.resize(Shape{B, F});
      std::copy_n(x.data() + static_cast<std::size_t>(start) * F,
                  static_cast<std::size_t>(B) * F, chunk.data());
      tape.clear();
      Var z = layer_(tape.input(chunk));
      std::copy(z.value().begin(), z.value().end(),
                out.data() + static_cast<std::size_t>(start) * C);
    }
    return out;
  }

  // Fraction of rows of x classified as their label.
  double accuracy(const Tensor& x, std::span<const std::uint8_t> labels) {
    check_rows("SoftmaxClassifier::accuracy", x, labels);
    return hg::accuracy(logits(x), labels);
  }

  Linear& layer() { return layer_; }
  ParameterList params() { return layer_.params(); }

 private:
  static void check_rows(const char* op, const Tensor& x,
                         std::span<const std::uint8_t> labels) {
    check(x.rank() == 2 && x.rows() > 0 &&
              static_cast<std::size_t>(x.rows()) == labels.size(),
          op, ": features are ", x.shape(), " with ", labels.size(),
          " labels (expected (N, features) with N > 0 labels)");
  }

  Linear layer_;
};

// Trains a fresh classifier on (train_x, train_y) and measures it on both
// sets. train_x and test_x must have the same number of columns.
inline ClassifierResult train_softmax_classifier(
    const Tensor& train_x, std::span<const std::uint8_t> train_y,
    const Tensor& test_x, std::span<const std::uint8_t> test_y, int classes,
    Rng& rng, const ClassifierOptions& opt = {}) {
  check(train_x.rank() == 2 && test_x.rank() == 2 &&
            train_x.cols() == test_x.cols(),
        "train_softmax_classifier: train features ", train_x.shape(),
        ", test features ", test_x.shape(),
        " (expected matrices with the same number of columns)");
  check(classes >= 2, "train_softmax_classifier: ", classes,
        " classes (expected at least 2)");
  SoftmaxClassifier clf(train_x.cols(), classes, rng);
  ClassifierResult r;
  r.final_loss = clf.fit(train_x, train_y, opt, rng);
  r.train_accuracy = clf.accuracy(train_x, train_y);
  r.test_accuracy = clf.accuracy(test_x, test_y);
  return r;
}

}  // namespace hg
