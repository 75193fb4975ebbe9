// Elementwise kernels: one loop per map, see elementwise.hpp for the contract.
//
// Every loop body is a pure function of index i, so the compiler can run
// several i at once in SIMD lanes; `#pragma omp simd` (honoured through
// -fopenmp-simd, no OpenMP runtime) says so explicitly. Branches are written
// as ternaries, which become vector selects. e^x and log(1 + t), under
// exp, sigmoid and softplus, come from vmath.hpp: inline float arithmetic
// that vectorises, where a std::exp call would be one scalar libm call per
// number. log, tanh and pow stay std:: calls (no model here leans on them).
#include "hourglass/kernels/elementwise.hpp"

#include <cmath>

#include "vmath.hpp"

namespace hg::kernels {

void affine_forward(const float* __restrict x, float alpha, float beta,
                    float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta;
}

void exp_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = vmath::exp(x[i]);
}
void exp_backward(const float* __restrict y, const float* __restrict dy,
                  float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * y[i];
}

void log_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
}
void log_backward(const float* __restrict x, const float* __restrict dy,
                  float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] / x[i];
}

void sqrt_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
}
void sqrt_backward(const float* __restrict y, const float* __restrict dy,
                   float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * 0.5f / y[i];
}

void square_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
}
void square_backward(const float* __restrict x, const float* __restrict dy,
                     float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += 2.0f * x[i] * dy[i];
}

void pow_forward(const float* __restrict x, float p, float* __restrict y,
                 std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::pow(x[i], p);
}
void pow_backward(const float* __restrict x, float p, const float* __restrict dy,
                  float* __restrict dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * p * std::pow(x[i], p - 1.0f);
}

void abs_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = std::fabs(x[i]);
}
void abs_backward(const float* __restrict x, const float* __restrict dy,
                  float* __restrict dx, std::size_t n) {
  // sign(0) = 0: the subgradient in the middle of the kink.
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i)
    dx[i] += x[i] > 0.0f ? dy[i] : (x[i] < 0.0f ? -dy[i] : 0.0f);
}

void sigmoid_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = vmath::sigmoid(x[i]);
}
void sigmoid_backward(const float* __restrict y, const float* __restrict dy,
                      float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * y[i] * (1.0f - y[i]);
}

void tanh_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void tanh_backward(const float* __restrict y, const float* __restrict dy,
                   float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
}

void relu_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}
void relu_backward(const float* __restrict x, const float* __restrict dy,
                   float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += x[i] > 0.0f ? dy[i] : 0.0f;
}

void leaky_relu_forward(const float* __restrict x, float slope,
                        float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}
void leaky_relu_backward(const float* __restrict x, float slope,
                         const float* __restrict dy, float* __restrict dx,
                         std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i)
    dx[i] += x[i] > 0.0f ? dy[i] : slope * dy[i];
}

void softplus_forward(const float* __restrict x, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = vmath::softplus(x[i]);
}
void softplus_backward(const float* __restrict x, const float* __restrict dy,
                       float* __restrict dx, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] += dy[i] * vmath::sigmoid(x[i]);
}

void add(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
}
void sub(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] - b[i];
}
void mul(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}
void div(const float* __restrict a, const float* __restrict b,
         float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] / b[i];
}
void axpy(float alpha, const float* __restrict x, float* __restrict y,
          std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += alpha * x[i];
}
void add_scalar(float c, float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += c;
}
void mul_acc(const float* __restrict a, const float* __restrict b,
             float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += a[i] * b[i];
}
void div_acc(const float* __restrict a, const float* __restrict b,
             float* __restrict y, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] += a[i] / b[i];
}
void div_backward_b(const float* __restrict dy, const float* __restrict y,
                    const float* __restrict b, float* __restrict db,
                    std::size_t n) {
  // y = a / b  ⇒  ∂y/∂b = −a / b² = −y / b
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) db[i] -= dy[i] * y[i] / b[i];
}

void broadcast_row(const float* __restrict b, float* __restrict y, int rows,
                   int cols) {
  for (int r = 0; r < rows; ++r) {
    float* __restrict yr = y + static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) yr[j] = b[j];
  }
}
void broadcast_row_acc(const float* __restrict b, float alpha,
                       float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    float* __restrict yr = y + static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) yr[j] += alpha * b[j];
  }
}
void broadcast_col_acc(const float* __restrict c, float alpha,
                       float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    float* __restrict yr = y + static_cast<std::size_t>(r) * cols;
    const float v = alpha * c[r];
#pragma omp simd
    for (int j = 0; j < cols; ++j) yr[j] += v;
  }
}
void add_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) y[o + j] = x[o + j] + b[j];
  }
}
void sub_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) y[o + j] = x[o + j] - b[j];
  }
}
void mul_row(const float* __restrict x, const float* __restrict b,
             float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) y[o + j] = x[o + j] * b[j];
  }
}
void mul_row_acc(const float* __restrict x, const float* __restrict b,
                 float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) y[o + j] += x[o + j] * b[j];
  }
}

void add_row_sigmoid_forward(const float* __restrict x, const float* __restrict b,
                             float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) y[o + j] = vmath::sigmoid(x[o + j] + b[j]);
  }
}
void add_row_sigmoid_backward(const float* __restrict y, const float* __restrict dy,
                              float* __restrict dx, float* __restrict db,
                              int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) {
      const float dz = dy[o + j] * y[o + j] * (1.0f - y[o + j]);
      dx[o + j] += dz;
      db[j] += dz;
    }
  }
}
void add_row_relu_forward(const float* __restrict x, const float* __restrict b,
                          float* __restrict y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) {
      const float z = x[o + j] + b[j];
      y[o + j] = z > 0.0f ? z : 0.0f;
    }
  }
}
void add_row_relu_backward(const float* __restrict y, const float* __restrict dy,
                           float* __restrict dx, float* __restrict db, int rows,
                           int cols) {
  // y > 0 exactly where z = x + b > 0, so the output tells where to pass dy.
  for (int r = 0; r < rows; ++r) {
    const std::size_t o = static_cast<std::size_t>(r) * cols;
#pragma omp simd
    for (int j = 0; j < cols; ++j) {
      const float dz = y[o + j] > 0.0f ? dy[o + j] : 0.0f;
      dx[o + j] += dz;
      db[j] += dz;
    }
  }
}

}  // namespace hg::kernels
