// A placeholder for the main lesson until the lessons exist: it makes a
// tensor, multiplies it and prints the result.
#include <iostream>

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

int main() {
  hg::Rng rng(42);
  hg::Tensor a(hg::Shape{2, 3}), b(hg::Shape{3, 2}), c(hg::Shape{2, 2});
  rng.fill_uniform(a, -1, 1);
  rng.fill_uniform(b, -1, 1);
  hg::kernels::gemm({.M = 2, .N = 2, .K = 3, .A = a.data(), .lda = 3,
                     .B = b.data(), .ldb = 2, .C = c.data(), .ldc = 2});
  std::cout << "a = " << a << "\nb = " << b << "\na·b = " << c << "\n";
}
