#include <doctest/doctest.h>

#include "hourglass/kernels/gemm.hpp"

using namespace hg::kernels;

TEST_SUITE("gemm") {
  TEST_CASE("naive gemm matches a product worked by hand") {
    // [1 2 3]   [ 7  8]   [ 58  64]
    // [4 5 6] · [ 9 10] = [139 154]
    //           [11 12]
    const float A[] = {1, 2, 3, 4, 5, 6};
    const float B[] = {7, 8, 9, 10, 11, 12};
    float C[] = {1, 1, 1, 1};
    gemm_naive({.M = 2, .N = 2, .K = 3, .alpha = 1, .A = A, .lda = 3,
                .B = B, .ldb = 2, .beta = 0, .C = C, .ldc = 2});
    CHECK(C[0] == 58);
    CHECK(C[1] == 64);
    CHECK(C[2] == 139);
    CHECK(C[3] == 154);
  }
}
