// Mini-batches: one epoch over a Dataset, in batches of a fixed size.
//
//   for (const hg::Batch& b : hg::Batches(train, 128, &rng)) { ... }
//
// Each epoch visits every sample exactly once. With an Rng the order is a
// fresh random permutation (drawn when the Batches is made, or again by
// reshuffle()), so building a new Batches per epoch reshuffles per epoch;
// with nullptr the order is the dataset's. The last batch holds the
// remaining size % batch_size samples when that is not zero: it is smaller,
// not dropped and not padded, so no sample is lost and none counts twice.
// The batch tensor is allocated once, at the full batch size, and refilled
// in place (the smaller last batch reuses the same storage): no heap
// allocation per batch. What it is not: a background loader, or a copy of
// the dataset (it keeps a pointer to it, which must outlive it).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hourglass/data/dataset.hpp"
#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

struct Batch {
  Tensor images;                         // (b, H*W), b <= batch_size
  std::span<const std::uint8_t> labels;  // b labels, valid until the next batch
  std::span<const int> indices;          // which dataset rows these are
  int index = 0;                         // 0, 1, ... within the epoch
  int size() const { return static_cast<int>(labels.size()); }
};

class Batches {
 public:
  Batches(const Dataset& data, int batch_size, Rng* rng = nullptr);

  int size() const;  // batches per epoch: ceil(N / batch_size)
  int batch_size() const { return batch_size_; }
  // A new random order (if made with an Rng) for the next pass.
  void reshuffle();
  // Fills and returns batch i (0 <= i < size()).
  const Batch& load(int i);

  class Iterator {
   public:
    Iterator(Batches* owner, int i) : owner_(owner), i_(i) {}
    const Batch& operator*() const { return owner_->load(i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& other) const { return i_ != other.i_; }
    bool operator==(const Iterator& other) const { return i_ == other.i_; }

   private:
    Batches* owner_;
    int i_;
  };
  Iterator begin() { return {this, 0}; }
  Iterator end() { return {this, size()}; }

 private:
  const Dataset* data_;
  int batch_size_;
  Rng* rng_;
  std::vector<int> order_;            // the epoch's sample order
  std::vector<std::uint8_t> labels_;  // current batch's labels
  Batch batch_;
};

// Shorthand for a shuffled epoch: `for (auto& b : hg::batches(train, 128,
// rng))`.
inline Batches batches(const Dataset& data, int batch_size, Rng& rng) {
  return Batches(data, batch_size, &rng);
}

}  // namespace hg
