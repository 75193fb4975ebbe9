// Dataset: labelled images in memory, and Fashion-MNIST loaded into one.
//
// What it is: one tensor of images, one row per sample, flattened to H*W
// pixels in [0, 1], next to their labels and the names of the classes; plus
// the few ways lessons cut it (first n, a random validation split, any
// subset). What it is not: a lazy or streaming loader. Fashion-MNIST is
// 70,000 images of 28×28 = 55 M floats (220 MB); it fits, and keeping it
// simple is the point.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

struct Dataset {
  Tensor images;                     // (N, H*W), pixels in [0, 1]
  std::vector<std::uint8_t> labels;  // N labels, each < class_names.size()
  int height = 28, width = 28;
  std::vector<std::string> class_names;

  int size() const { return static_cast<int>(labels.size()); }
  int pixels() const { return height * width; }
};

enum class Split { Train, Test };

// Where Debian's dataset-fashion-mnist package installs the files.
inline constexpr const char* kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

// The ten classes, in label order: "T-shirt/top", "Trouser", ... "Ankle boot".
const std::vector<std::string>& fashion_mnist_classes();

// Loads the train (60,000) or test (10,000) split from `dir`, which holds
// train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz. A missing file
// throws hg::Error saying how to install the data or what else to pass.
Dataset load_fashion_mnist(const std::string& dir = kFashionMnistDir,
                           Split split = Split::Train);

// The paths of a split's two files inside `dir`, as load_fashion_mnist
// reads them (for messages about them).
std::string fashion_mnist_images_path(const std::string& dir, Split split);
std::string fashion_mnist_labels_path(const std::string& dir, Split split);

// The first min(n, size) samples, in order: for quick runs.
Dataset take(const Dataset& data, int n);
// The samples at `indices`, in that order (repeats allowed).
Dataset subset(const Dataset& data, std::span<const int> indices);
// Moves n samples, chosen at random, out of `data` into the result (e.g.
// a validation set). Both keep their samples in the original order.
Dataset split_off(Dataset& data, int n, Rng& rng);

// How many samples carry each label (a vector of class_names.size()).
std::vector<int> class_counts(const Dataset& data);

}  // namespace hg
