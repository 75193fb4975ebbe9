// SoftmaxClassifier: it must learn classes a linear boundary separates,
// stay near chance when the labels carry no information, and name bad input.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "hourglass/nn/classifier.hpp"

using hg::Shape;
using hg::Tensor;

namespace {
// n points in `dims` dimensions around one of `classes` centres at random
// positions in [-2, 2]^dims, with unit-variance noise; or, with
// informative = false, noise only (the labels then say nothing).
struct Blobs {
  Tensor x;
  std::vector<std::uint8_t> y;
};
Blobs blobs(int n, int dims, int classes, const Tensor& centres,
            bool informative, hg::Rng& rng) {
  Blobs b{Tensor(Shape{n, dims}), std::vector<std::uint8_t>(n)};
  for (int i = 0; i < n; ++i) {
    const int c = rng.below(classes);
    b.y[i] = static_cast<std::uint8_t>(c);
    for (int d = 0; d < dims; ++d)
      b.x.at(i, d) = (informative ? centres.at(c, d) : 0.0f) + 0.5f * rng.normal();
  }
  return b;
}
}  // namespace

TEST_SUITE("classifier") {
  TEST_CASE("learns separable blobs, and only guesses on noise") {
    hg::Rng rng(3);
    const int dims = 7, classes = 4;
    Tensor centres(Shape{classes, dims});
    rng.fill_uniform(centres, -2, 2);
    const Blobs train = blobs(600, dims, classes, centres, true, rng);
    const Blobs test = blobs(300, dims, classes, centres, true, rng);
    const hg::ClassifierResult r = hg::train_softmax_classifier(
        train.x, train.y, test.x, test.y, classes, rng, {.epochs = 20});
    CHECK(r.test_accuracy > 0.95);
    CHECK(r.train_accuracy > 0.95);
    CHECK(r.final_loss < 0.3);  // log 4 ≈ 1.39 is chance

    const Blobs noise_train = blobs(600, dims, classes, centres, false, rng);
    const Blobs noise_test = blobs(1000, dims, classes, centres, false, rng);
    const hg::ClassifierResult guess = hg::train_softmax_classifier(
        noise_train.x, noise_train.y, noise_test.x, noise_test.y, classes, rng,
        {.epochs = 20});
    CHECK(guess.test_accuracy < 0.35);  // chance is 0.25
  }

  TEST_CASE("a classifier's logits and accuracy agree") {
    hg::Rng rng(5);
    hg::SoftmaxClassifier clf(3, 2, rng);
    // Class = sign of the first feature: one epoch of 200 points learns it.
    Tensor x(Shape{200, 3});
    rng.fill_uniform(x, -1, 1);
    std::vector<std::uint8_t> y(200);
    for (int i = 0; i < 200; ++i) y[i] = x.at(i, 0) > 0 ? 1 : 0;
    clf.fit(x, y, {.epochs = 30, .batch_size = 16, .lr = 0.05f}, rng);
    const Tensor z = clf.logits(x);
    CHECK(z.shape() == Shape{200, 2});
    CHECK(clf.accuracy(x, y) == doctest::Approx(hg::accuracy(z, y)));
    CHECK(clf.accuracy(x, y) > 0.95);
  }

  TEST_CASE("bad input names the problem") {
    hg::Rng rng(1);
    hg::SoftmaxClassifier clf(3, 2, rng);
    std::vector<std::uint8_t> y(4, 0);
    CHECK_THROWS_WITH_AS(clf.fit(Tensor(Shape{5, 3}), y, {}, rng),
                         doctest::Contains("features are (5, 3) with 4 labels"),
                         hg::Error);
    CHECK_THROWS_WITH_AS(clf.logits(Tensor(Shape{4, 5})),
                         doctest::Contains("expected (N, 3)"), hg::Error);
    CHECK_THROWS_AS(clf.fit(Tensor(Shape{4, 3}), y, {.epochs = 0}, rng),
                    hg::Error);
  }
}
