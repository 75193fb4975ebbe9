// Tensor storage, shapes and printing. See tensor.hpp for what it is.
#include "hourglass/tensor.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <ostream>
#include <sstream>

namespace hg {

Shape::Shape(std::initializer_list<int> dims) {
  check(dims.size() <= kMaxRank, "Shape: rank ", dims.size(),
        " is too high (at most ", kMaxRank, " dimensions)");
  for (int d : dims) {
    check(d >= 0, "Shape: dimension ", rank_, " is ", d,
          " (expected a size >= 0)");
    dims_[rank_++] = d;
  }
}

int Shape::operator[](int axis) const {
  check(axis >= 0 && axis < rank_, "Shape", str(), ": no axis ", axis,
        " (rank is ", rank_, ")");
  return dims_[axis];
}

std::size_t Shape::numel() const {
  std::size_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= static_cast<std::size_t>(dims_[i]);
  return n;
}

int Shape::cols() const {
  int c = 1;
  for (int i = 1; i < rank_; ++i) c *= dims_[i];
  return c;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < rank_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + ")";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i)
    if (a.dims_[i] != b.dims_[i]) return false;
  return true;
}

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  return out << shape.str();
}

void Tensor::AlignedFree::operator()(float* p) const {
  ::operator delete[](p, std::align_val_t{kAlignment});
}

Tensor::Tensor(Shape shape) : Tensor(shape, 0.0f) {}

Tensor::Tensor(Shape shape, float value) {
  resize(shape);
  fill(value);
}

Tensor::Tensor(Shape shape, std::initializer_list<float> values) {
  resize(shape);
  check(values.size() == size_, "Tensor", shape, ": got ", values.size(),
        " values (expected ", size_, ")");
  std::copy(values.begin(), values.end(), data());
}

Tensor::Tensor(const Tensor& other) { *this = other; }

Tensor& Tensor::operator=(const Tensor& other) {
  if (this == &other) return *this;
  if (other.empty()) {
    // An empty tensor (default-constructed, or resized to 0 elements) has
    // nothing to copy, and may have no storage to copy from.
    shape_ = other.shape_;
    size_ = 0;
    return *this;
  }
  resize(other.shape_);
  std::memcpy(data(), other.data(), size_ * sizeof(float));
  return *this;
}

float& Tensor::at(int row, int col) {
  check(row >= 0 && row < rows() && col >= 0 && col < cols(),
        "Tensor::at(", row, ", ", col, "): out of range for shape ", shape_,
        " seen as ", rows(), " x ", cols());
  return data_[static_cast<std::size_t>(row) * cols() + col];
}

float Tensor::at(int row, int col) const {
  return const_cast<Tensor*>(this)->at(row, col);
}

std::span<float> Tensor::row(int n) {
  check(n >= 0 && n < rows(), "Tensor::row(", n, "): out of range for shape ", shape_,
        " seen as ", rows(), " x ", cols());
  return {data_.get() + static_cast<std::size_t>(n) * cols(), static_cast<std::size_t>(cols())};
}

std::span<const float> Tensor::row(int n) const {
  return const_cast<Tensor*>(this)->row(n);
}

void Tensor::reshape(Shape shape) {
  check(shape.numel() == size_, "reshape: ", shape_, " has ", size_,
        " elements, ", shape, " has ", shape.numel(),
        " (expected the same count)");
  shape_ = shape;
}

void Tensor::resize(Shape shape) {
  const std::size_t n = shape.numel();
  if (n > capacity_) {
    // Round up to whole cache lines so the tail of every row is loadable.
    const std::size_t rounded = (n + 15) / 16 * 16;
    data_.reset(static_cast<float*>(::operator new[](
        rounded * sizeof(float), std::align_val_t{kAlignment})));
    capacity_ = rounded;
  }
  shape_ = shape;
  size_ = n;
}

void Tensor::fill(float value) { std::fill(begin(), end(), value); }

namespace {

// Prints dims [axis..] of the block starting at `offset`, eliding the middle
// of any axis longer than `max` as "...".
void print_axis(std::ostream& out, const Tensor& t, int axis,
                std::size_t offset, int max) {
  const int n = t.dim(axis);
  std::size_t stride = 1;
  for (int a = axis + 1; a < t.rank(); ++a) stride *= t.dim(a);
  out << '[';
  for (int i = 0; i < n; ++i) {
    if (n > max && i == max / 2) {
      out << "...";
      i = n - max / 2 - 1;
      if (i + 1 < n) out << ", ";
      continue;
    }
    if (axis + 1 == t.rank())
      out << t[offset + i];
    else
      print_axis(out, t, axis + 1, offset + i * stride, max);
    if (i + 1 < n) out << ", ";
  }
  out << ']';
}

}  // namespace

std::string Tensor::str(int max_per_axis) const {
  std::ostringstream out;
  out << shape_ << ' ';
  if (rank() == 0)
    out << (size_ ? data_[0] : 0.0f);
  else
    print_axis(out, *this, 0, 0, std::max(2, max_per_axis));
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) {
  return out << t.str();
}

Tensor first_rows(const Tensor& t, int n) {
  check(n >= 0 && n <= t.rows(), "first_rows: asked for ", n, " rows of ", t.shape(),
        " (expected 0 to ", t.rows(), ")");
  Tensor out({n, t.cols()});
  std::copy_n(t.data(), out.size(), out.data());
  return out;
}

Tensor gather_rows(const Tensor& t, std::span<const int> indices) {
  Tensor out({static_cast<int>(indices.size()), t.cols()});
  float* at = out.data();
  for (int i : indices) at = std::copy(t.row(i).begin(), t.row(i).end(), at);
  return out;
}

}  // namespace hg
