// Everything a lesson uses, in one include. Each header below is short and
// meant to be opened: the layers go from tensor (bottom) to io (top)
// (layers.txt). Running one step on several cores is optional and not
// included: see hourglass/parallel/.
#pragma once

#include "hourglass/error.hpp"
#include "hourglass/rng.hpp"
#include "hourglass/tensor.hpp"

#include "hourglass/kernels/gemm.hpp"
#include "hourglass/kernels/thread_pool.hpp"

#include "hourglass/autodiff/autodiff.hpp"

#include "hourglass/nn/classifier.hpp"
#include "hourglass/nn/contractive.hpp"
#include "hourglass/nn/conv.hpp"
#include "hourglass/nn/init.hpp"
#include "hourglass/nn/kmeans.hpp"
#include "hourglass/nn/linear.hpp"
#include "hourglass/nn/log_sum_exp.hpp"
#include "hourglass/nn/losses.hpp"
#include "hourglass/nn/metrics.hpp"
#include "hourglass/nn/pca.hpp"
#include "hourglass/nn/softmax.hpp"

#include "hourglass/optim/adam.hpp"
#include "hourglass/optim/clip.hpp"
#include "hourglass/optim/sgd.hpp"

#include "hourglass/data/batches.hpp"
#include "hourglass/data/dataset.hpp"
#include "hourglass/data/lesson_data.hpp"
#include "hourglass/data/noise.hpp"
#include "hourglass/data/synthetic.hpp"

#include "hourglass/io/checkpoint.hpp"
#include "hourglass/io/exact_text.hpp"
#include "hourglass/io/image_grid.hpp"
#include "hourglass/io/lesson.hpp"
#include "hourglass/io/png.hpp"
#include "hourglass/io/progress.hpp"
#include "hourglass/io/safetensors.hpp"
#include "hourglass/io/svg_plot.hpp"
#include "hourglass/io/tape_view.hpp"
