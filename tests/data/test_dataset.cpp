#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "hourglass/data/dataset.hpp"
#include "hourglass/data/lesson_data.hpp"
#include "hourglass/data/synthetic.hpp"
#include "hourglass/error.hpp"

namespace {

// A tiny dataset whose every pixel of sample i equals i, so the row a
// sample came from can be read off its pixels.
hg::Dataset numbered(int n) {
  hg::Dataset d;
  d.height = 2;
  d.width = 3;
  d.class_names = {"even", "odd"};
  d.images = hg::Tensor(hg::Shape{n, 6});
  for (int i = 0; i < n; ++i) {
    for (int p = 0; p < 6; ++p) d.images.at(i, p) = float(i);
    d.labels.push_back(std::uint8_t(i % 2));
  }
  return d;
}

bool consistent(const hg::Dataset& d) {
  for (int i = 0; i < d.size(); ++i)
    if (d.labels[i] != int(d.images.at(i, 5)) % 2) return false;
  return true;
}

std::string error_of(auto&& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool has_fashion_mnist() {
  return std::filesystem::exists(std::string(hg::kFashionMnistDir) +
                                 "/t10k-images-idx3-ubyte.gz");
}

}  // namespace

TEST_SUITE("dataset") {
  TEST_CASE("take and subset copy the right rows and labels") {
    const hg::Dataset d = numbered(10);
    const hg::Dataset first = hg::take(d, 3);
    CHECK(first.size() == 3);
    CHECK(first.images.shape() == hg::Shape{3, 6});
    CHECK(first.images.at(2, 4) == 2.0f);
    CHECK(first.class_names == d.class_names);
    CHECK(hg::take(d, 50).size() == 10);
    const std::vector<int> idx = {7, 7, 0};
    const hg::Dataset s = hg::subset(d, idx);
    CHECK(s.images.at(0, 0) == 7.0f);
    CHECK(s.images.at(2, 0) == 0.0f);
    CHECK(s.labels == std::vector<std::uint8_t>{1, 1, 0});
    const std::vector<int> bad = {1, 10};
    CHECK(error_of([&] {
            hg::subset(d, bad);
          }).find("index 10 at position 1") != std::string::npos);
  }

  TEST_CASE("split_off partitions the samples, seeded") {
    hg::Dataset a = numbered(100), b = numbered(100), c = numbered(100);
    hg::Rng ra(1), rb(1), rc(2);
    const hg::Dataset va = hg::split_off(a, 30, ra);
    const hg::Dataset vb = hg::split_off(b, 30, rb);
    const hg::Dataset vc = hg::split_off(c, 30, rc);
    CHECK(va.size() == 30);
    CHECK(a.size() == 70);
    CHECK(consistent(va));
    CHECK(consistent(a));
    // Every sample lands in exactly one part, and each part stays in order.
    std::vector<int> seen(100, 0);
    for (const hg::Dataset* part : {&va, static_cast<const hg::Dataset*>(&a)})
      for (int i = 0; i < part->size(); ++i) {
        ++seen[int(part->images.at(i, 0))];
        if (i > 0) CHECK(part->images.at(i - 1, 0) < part->images.at(i, 0));
      }
    for (int s : seen) CHECK(s == 1);
    CHECK(va.images.at(0, 0) == vb.images.at(0, 0));  // same seed, same split
    bool differs = false;
    for (int i = 0; i < 30; ++i)
      differs |= va.images.at(i, 0) != vc.images.at(i, 0);
    CHECK(differs);
    CHECK_THROWS_AS(hg::split_off(a, 71, ra), hg::Error);
  }

  TEST_CASE("a missing Fashion-MNIST says how to get it") {
    test::TempDir dir;
    const std::string e = error_of(
        [&] { hg::load_fashion_mnist(dir.path.string(), hg::Split::Test); });
    CHECK(e.find("t10k-images-idx3-ubyte.gz") != std::string::npos);
    CHECK(e.find("apt-get install dataset-fashion-mnist") != std::string::npos);
    CHECK(e.find("--data DIR") != std::string::npos);
    CHECK(e.find("--synthetic") != std::string::npos);
    hg::Rng rng(1);
    CHECK(error_of([&] {
            hg::load_lesson_data(dir.path.string(), false, true, rng);
          }).find("apt-get install dataset-fashion-mnist") !=
          std::string::npos);
  }

  TEST_CASE("image and label counts that disagree are an error") {
    test::TempDir dir;
    auto be32 = [](std::vector<std::uint8_t>& v, std::uint32_t x) {
      for (int s = 24; s >= 0; s -= 8) v.push_back(std::uint8_t(x >> s));
    };
    std::vector<std::uint8_t> im, lab;
    be32(im, 0x803), be32(im, 3), be32(im, 28), be32(im, 28);
    im.resize(im.size() + 3 * 784, 7);
    be32(lab, 0x801), be32(lab, 2);
    lab.insert(lab.end(), {1, 2});
    test::write_gz(dir, "t10k-images-idx3-ubyte", im);
    test::write_gz(dir, "t10k-labels-idx1-ubyte", lab);
    const std::string e = error_of(
        [&] { hg::load_fashion_mnist(dir.path.string(), hg::Split::Test); });
    CHECK(e.find("holds 3 images but") != std::string::npos);
    CHECK(e.find("holds 2 labels") != std::string::npos);
  }

  TEST_CASE("lesson data whose sets hold images of two sizes is refused by both sizes") {
    test::TempDir dir;
    auto be32 = [](std::vector<std::uint8_t>& v, std::uint32_t x) {
      for (int s = 24; s >= 0; s -= 8) v.push_back(std::uint8_t(x >> s));
    };
    auto write_split = [&](const std::string& prefix, int n, int side) {
      std::vector<std::uint8_t> im, lab;
      be32(im, 0x803), be32(im, n), be32(im, side), be32(im, side);
      im.resize(im.size() + std::size_t(n) * side * side, 9);
      be32(lab, 0x801), be32(lab, n);
      lab.resize(lab.size() + n, 1);
      test::write_gz(dir, prefix + "-images-idx3-ubyte", im);
      test::write_gz(dir, prefix + "-labels-idx1-ubyte", lab);
    };
    write_split("train", 3, 28);
    write_split("t10k", 2, 14);
    hg::Rng rng(1);
    const std::string e = error_of(
        [&] { hg::load_lesson_data(dir.path.string(), false, true, rng); });
    CHECK(e == "load_lesson_data: the training images are 28×28 (" +
                   dir.file("train-images-idx3-ubyte.gz") +
                   ") but the test images are 14×14 (" +
                   dir.file("t10k-images-idx3-ubyte.gz") +
                   "); expected every set to hold images of one size");
    // Of one size but too few: counted in images.
    write_split("t10k", 2, 28);
    CHECK(error_of([&] {
            hg::load_lesson_data(dir.path.string(), false, true, rng);
          }) == "load_lesson_data: " + dir.file("train-images-idx3-ubyte.gz") +
                    " holds 3 training images; the lessons need at least 5512 "
                    "(5000 are set aside for validation, and at least 512 are "
                    "left to train on)");
  }

  TEST_CASE("synthetic lesson data: sizes, quick sizes, seeded") {
    hg::Rng r1(4), r2(4);
    const hg::LessonData q =
        hg::load_lesson_data("/nonexistent", true, true, r1);
    CHECK(q.synthetic);
    CHECK(q.train.size() == 512);
    CHECK(q.validation.size() == 128);
    CHECK(q.test.size() == 256);
    CHECK(q.train.class_names == hg::synthetic_shape_classes());
    const hg::LessonData q2 =
        hg::load_lesson_data("/nonexistent", true, true, r2);
    CHECK(q2.test.images.at(255, 400) == q.test.images.at(255, 400));
    const hg::LessonData full = hg::load_lesson_data("", true, false, r1);
    CHECK(full.train.size() == 6000);
    CHECK(full.validation.size() == 1000);
    CHECK(full.test.size() == 1000);
  }

  TEST_CASE("the real Fashion-MNIST test split, if installed") {
    if (!has_fashion_mnist()) {
      MESSAGE("skipped: ", hg::kFashionMnistDir, " is not installed");
      return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const hg::Dataset test =
        hg::load_fashion_mnist(hg::kFashionMnistDir, hg::Split::Test);
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
    MESSAGE("loaded the Fashion-MNIST test split in ", ms, " ms");
    CHECK(test.size() == 10000);
    CHECK(test.images.shape() == hg::Shape{10000, 784});
    CHECK(test.height == 28);
    CHECK(test.width == 28);
    CHECK(test.class_names.size() == 10);
    CHECK(test.class_names[9] == "Ankle boot");
    for (int c : hg::class_counts(test)) CHECK(c == 1000);
    double sum = 0;
    float lo = 1, hi = 0;
    for (float v : test.images) {
      sum += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    CHECK(lo == 0.0f);
    CHECK(hi == 1.0f);
    // Known statistics of the test images (mean of p / 255 over all pixels)
    // and the first labels of the file.
    CHECK(sum / double(test.images.size()) ==
          doctest::Approx(0.2868493).epsilon(1e-5));
    CHECK(test.labels[0] == 9);  // Ankle boot
    CHECK(test.labels[1] == 2);  // Pullover
  }
}
