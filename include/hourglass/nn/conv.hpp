// Conv2d and ConvTranspose2d: the convolutional layers, on (N, C, H, W).
//
//   Conv2d           x (N, C_in, H, W) → y (N, C_out, Ho, Wo)
//                    W (C_out, C_in, k, k), b (C_out)
//                    Ho = (H + 2·padding − k) / stride + 1
//   ConvTranspose2d  x (N, C_in, H, W) → y (N, C_out, Ho, Wo)
//                    W (C_in, C_out, k, k), b (C_out)
//                    Ho = (H − 1)·stride − 2·padding + k
//
// A Conv2d is a Linear layer that looks at a k×k patch instead of the whole
// image and uses the SAME weights at every position: C_out filters of
// C_in·k·k numbers each, slid over the image. Two consequences: far fewer
// parameters than a dense layer on the same image (weight sharing), and a
// feature found at one place is found everywhere (translation
// equivariance). The first layer's filters are small pictures you can draw:
// filters() returns them as rows.
//
// Fan-in and fan-out for initialisation count one output's inputs,
// C_in·k·k, and one input's outputs, C_out·k·k (for the transposed layer the
// roles swap: each output sees about C_in·k·k/stride² inputs).
// What this is not: a pooling or upsampling layer (those have no parameters:
// call max_pool2d and upsample2d), nor dilated or grouped convolution.
// Like Linear, keep a layer where it is once an optimizer points at it.
#pragma once

#include <string>

#include "hourglass/autodiff/tape.hpp"
#include "hourglass/nn/init.hpp"
#include "hourglass/rng.hpp"

namespace hg {

class Conv2d {
 public:
  // Parameters "<name>.W" (c_out, c_in, kernel, kernel) drawn by `init`,
  // and "<name>.b" (c_out) = 0.
  Conv2d(int c_in, int c_out, int kernel, int stride, int padding, Rng& rng,
         Init init = Init::He, std::string name = "conv");

  // y = conv2d(x, W, b, stride, padding) on x's tape.
  Var operator()(Var x);

  ParameterList params() { return {&W_, &b_}; }
  Parameter& W() { return W_; }
  Parameter& b() { return b_; }
  const Parameter& W() const { return W_; }
  const Parameter& b() const { return b_; }
  // W as (c_out · c_in, k·k): one k×k filter per row, for filter_grid.
  Tensor filters() const;
  int in_channels() const { return W_.value.dim(1); }
  int out_channels() const { return W_.value.dim(0); }
  int kernel() const { return W_.value.dim(2); }
  int stride() const { return stride_; }
  int padding() const { return padding_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int stride_, padding_;
  Parameter W_, b_;
};

class ConvTranspose2d {
 public:
  // Parameters "<name>.W" (c_in, c_out, kernel, kernel), "<name>.b" (c_out).
  ConvTranspose2d(int c_in, int c_out, int kernel, int stride, int padding,
                  Rng& rng, Init init = Init::He,
                  std::string name = "convT");

  // y = conv_transpose2d(x, W, b, stride, padding) on x's tape.
  Var operator()(Var x);

  ParameterList params() { return {&W_, &b_}; }
  Parameter& W() { return W_; }
  Parameter& b() { return b_; }
  const Parameter& W() const { return W_; }
  const Parameter& b() const { return b_; }
  Tensor filters() const;  // (c_in · c_out, k·k)
  int in_channels() const { return W_.value.dim(0); }
  int out_channels() const { return W_.value.dim(1); }
  int kernel() const { return W_.value.dim(2); }
  int stride() const { return stride_; }
  int padding() const { return padding_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int stride_, padding_;
  Parameter W_, b_;
};

}  // namespace hg
