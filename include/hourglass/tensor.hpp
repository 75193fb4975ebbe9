// Tensor: a float32, row-major, contiguous array of up to 4 dimensions.
//
// What it is: a shape plus 64-byte-aligned storage (so SIMD loads line up
// with cache lines), with value semantics: copying copies the numbers,
// moving is free. What it is not: a view type with strides, a lazy
// expression, or a device abstraction. Kernels take `data()` and sizes;
// the tensor only owns memory and knows its shape.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>

#include "hourglass/error.hpp"

namespace hg {

// The sizes of a tensor's dimensions, outermost first: (batch, features) or
// (N, C, H, W). Rank 0 is a scalar holding one number.
class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;
  Shape(std::initializer_list<int> dims);

  int rank() const { return rank_; }
  int operator[](int axis) const;
  std::size_t numel() const;
  // The shape as rows × cols: rows is the first dimension, cols the
  // product of the rest (a scalar is 1 × 1). Matrices see every tensor so.
  int rows() const { return rank_ == 0 ? 1 : dims_[0]; }
  int cols() const;
  std::string str() const;  // "(128, 784)"

  friend bool operator==(const Shape& a, const Shape& b);

 private:
  std::array<int, kMaxRank> dims_{};
  int rank_ = 0;
};

std::ostream& operator<<(std::ostream& out, const Shape& shape);

class Tensor {
 public:
  Tensor() = default;                  // empty: rank 0 with no storage
  explicit Tensor(Shape shape);        // zeros
  Tensor(Shape shape, float fill);
  Tensor(Shape shape, std::initializer_list<float> values);  // row-major

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&& other) noexcept = default;
  Tensor& operator=(Tensor&& other) noexcept = default;

  const Shape& shape() const { return shape_; }
  int rank() const { return shape_.rank(); }
  int dim(int axis) const { return shape_[axis]; }
  int rows() const { return shape_.rows(); }
  int cols() const { return shape_.cols(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float* begin() { return data(); }
  float* end() { return data() + size_; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + size_; }

  // Flat element access, unchecked: the hot path.
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }
  // Element (row, col) of the rows × cols view, bounds-checked: for tests,
  // lessons and printing, not inner loops.
  float& at(int row, int col);
  float at(int row, int col) const;
  // Row n of that view, bounds-checked: an image of a batch, a code.
  std::span<float> row(int n);
  std::span<const float> row(int n) const;

  // Same numbers, new shape with the same element count; no copy.
  void reshape(Shape shape);
  // New shape with any element count. Keeps the allocation when it is big
  // enough, which is how the tape reuses memory from one step to the next.
  // The contents are unspecified afterwards.
  void resize(Shape shape);

  void fill(float value);
  void zero() { fill(0.0f); }

  // "(2, 3) [[1, 2, 3], [4, 5, 6]]"; large tensors are elided in the middle.
  std::string str(int max_per_axis = 6) const;

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  static constexpr std::size_t kAlignment = 64;

  Shape shape_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& t);

// The first n rows, or the rows at `indices` in that order, as a new
// (n, cols) tensor: a few images to draw, the images of one class.
Tensor first_rows(const Tensor& t, int n);
Tensor gather_rows(const Tensor& t, std::span<const int> indices);

// The shape check every op uses: `what` names the op, the message shows both.
void check_same_shape(const char* what, const Tensor& a, const Tensor& b);

}  // namespace hg
