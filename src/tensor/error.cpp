// hg::Error is header-only; this file anchors the layer's shared helpers.
#include "hourglass/error.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

void check_same_shape(const char* what, const Tensor& a, const Tensor& b) {
  check(a.shape() == b.shape(), what, ": shapes differ: ", a.shape(), " vs ",
        b.shape(), " (expected the same shape)");
}

}  // namespace hg
