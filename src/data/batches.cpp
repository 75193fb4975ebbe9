// Mini-batches over a Dataset; see batches.hpp.
#include "hourglass/data/batches.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "hourglass/error.hpp"

namespace hg {

Batches::Batches(const Dataset& data, int batch_size, Rng* rng)
    : data_(&data), batch_size_(batch_size), rng_(rng) {
  check(batch_size > 0, "Batches: batch size ", batch_size, " (expected > 0)");
  check(
      data.images.rows() == data.size() && data.images.cols() == data.pixels(),
      "Batches: images are ", data.images.shape(), " for ", data.size(),
      " labels of ", data.height, "x", data.width, " (expected (", data.size(),
      ", ", data.pixels(), "))");
  order_.resize(static_cast<std::size_t>(data.size()));
  std::iota(order_.begin(), order_.end(), 0);
  if (rng_) rng_->shuffle(order_);
  const int b = std::min(batch_size, std::max(data.size(), 1));
  batch_.images = Tensor(Shape{b, data.pixels()});
  labels_.resize(static_cast<std::size_t>(b));
}

int Batches::size() const {
  return (data_->size() + batch_size_ - 1) / batch_size_;
}

void Batches::reshuffle() {
  if (rng_) rng_->shuffle(order_);
}

const Batch& Batches::load(int i) {
  check(i >= 0 && i < size(), "Batches::load: batch ", i, " (expected 0..",
        size() - 1, ")");
  const int first = i * batch_size_;
  const int b = std::min(batch_size_, data_->size() - first);
  const std::size_t p = static_cast<std::size_t>(data_->pixels());
  // Same or fewer elements than allocated: resize keeps the storage.
  batch_.images.resize(Shape{b, data_->pixels()});
  for (int k = 0; k < b; ++k) {
    const int row = order_[static_cast<std::size_t>(first + k)];
    std::memcpy(batch_.images.data() + std::size_t(k) * p,
                data_->images.data() + std::size_t(row) * p, sizeof(float) * p);
    labels_[static_cast<std::size_t>(k)] =
        data_->labels[static_cast<std::size_t>(row)];
  }
  batch_.labels = std::span(labels_).first(static_cast<std::size_t>(b));
  batch_.indices = std::span(order_).subspan(static_cast<std::size_t>(first),
                                             static_cast<std::size_t>(b));
  batch_.index = i;
  return batch_;
}

}  // namespace hg
