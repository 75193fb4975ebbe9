// Dataset cuts and the Fashion-MNIST loader; see dataset.hpp.
#include "hourglass/data/dataset.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "hourglass/data/idx.hpp"
#include "hourglass/error.hpp"

namespace hg {

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

std::string fashion_mnist_images_path(const std::string& dir, Split split) {
  return dir + (split == Split::Train ? "/train" : "/t10k") +
         "-images-idx3-ubyte.gz";
}

std::string fashion_mnist_labels_path(const std::string& dir, Split split) {
  return dir + (split == Split::Train ? "/train" : "/t10k") +
         "-labels-idx1-ubyte.gz";
}

Dataset load_fashion_mnist(const std::string& dir, Split split) {
  const std::string images_path = fashion_mnist_images_path(dir, split);
  const std::string labels_path = fashion_mnist_labels_path(dir, split);
  for (const std::string& path : {images_path, labels_path}) {
    // A folder where a file belongs is not "missing": say what is there.
    check(!std::filesystem::is_directory(path), "load_fashion_mnist: '", path,
          "' is a directory, expected a file (the gzipped IDX file itself)");
    check(std::filesystem::is_regular_file(path),
          "load_fashion_mnist: missing file '", path,
          "'. Install the data with `sudo apt-get install "
          "dataset-fashion-mnist` (it goes to ",
          kFashionMnistDir,
          "), or pass --data DIR pointing to a folder with the four "
          "*-ubyte.gz files, or run with --synthetic to use generated "
          "images instead.");
  }

  // Labels first: they are small, so a bad labels file is found before
  // the images take their memory.
  std::vector<std::uint8_t> labels = load_idx_labels(labels_path, 10);
  IdxImages idx = load_idx_images(images_path);
  check(idx.images.rows() == static_cast<int>(labels.size()),
        "load_fashion_mnist: ", images_path, " holds ", idx.images.rows(),
        " images but ", labels_path, " holds ", labels.size(),
        " labels (expected the same count)");
  Dataset d;
  d.images = std::move(idx.images);
  d.labels = std::move(labels);
  d.height = idx.rows;
  d.width = idx.cols;
  d.class_names = fashion_mnist_classes();
  return d;
}

Dataset subset(const Dataset& data, std::span<const int> indices) {
  const int n = data.size(), p = data.pixels();
  check(data.images.rows() == n && data.images.cols() == p,
        "subset: images are ", data.images.shape(), " for ", n, " labels of ",
        data.height, "x", data.width, " (expected (", n, ", ", p, "))");
  Dataset out;
  out.height = data.height;
  out.width = data.width;
  out.class_names = data.class_names;
  out.images.resize(
      Shape{static_cast<int>(indices.size()), p});  // all rows copied below
  out.labels.resize(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const int i = indices[k];
    check(i >= 0 && i < n, "subset: index ", i, " at position ", k,
          " (expected 0..", n - 1, ")");
    std::memcpy(out.images.data() + k * std::size_t(p),
                data.images.data() + std::size_t(i) * std::size_t(p),
                sizeof(float) * std::size_t(p));
    out.labels[k] = data.labels[std::size_t(i)];
  }
  return out;
}

Dataset take(const Dataset& data, int n) {
  check(n >= 0, "take: n = ", n, " (expected n >= 0)");
  std::vector<int> first(static_cast<std::size_t>(std::min(n, data.size())));
  std::iota(first.begin(), first.end(), 0);
  return subset(data, first);
}

Dataset split_off(Dataset& data, int n, Rng& rng) {
  check(n >= 0 && n <= data.size(), "split_off: n = ", n, " of ", data.size(),
        " samples (expected 0..", data.size(), ")");
  std::vector<int> order(static_cast<std::size_t>(data.size()));
  std::iota(order.begin(), order.end(), 0);
  rng.shuffle(order);
  // The first n of a random permutation are a uniform random n-subset;
  // sorting each part keeps the samples in their original order.
  std::sort(order.begin(), order.begin() + n);
  std::sort(order.begin() + n, order.end());
  Dataset out = subset(data, std::span(order).first(std::size_t(n)));
  data = subset(data, std::span(order).subspan(std::size_t(n)));
  return out;
}

std::vector<int> class_counts(const Dataset& data) {
  std::vector<int> counts(data.class_names.size(), 0);
  for (std::uint8_t label : data.labels) {
    check(label < counts.size(), "class_counts: label ", int(label),
          " (expected 0..", int(counts.size()) - 1, ")");
    ++counts[label];
  }
  return counts;
}

}  // namespace hg
