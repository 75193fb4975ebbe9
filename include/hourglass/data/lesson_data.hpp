// The data every lesson starts from: train, validation and test sets.
//
// What it is: one call that gives a lesson its three sets, from the real
// Fashion-MNIST files or from the synthetic shapes, full-size or `quick`
// (a few hundred samples each, for smoke tests that run in seconds).
// What it is not: where flags are parsed; the lesson passes --data,
// --synthetic and --quick through.
#pragma once

#include <string>

#include "hourglass/data/dataset.hpp"
#include "hourglass/rng.hpp"

namespace hg {

struct LessonData {
  Dataset train, validation, test;
  bool synthetic = false;
};

// Sizes of the sets (train / validation / test).
//   Fashion-MNIST: 55,000 / 5,000 (split off train at random) / 10,000
//   synthetic:      6,000 / 1,000 / 1,000
//   quick (either):   512 /   128 /   256
inline constexpr int kValidationSize = 5000;

// Real data from `dir` unless `synthetic`; if the files are missing this
// throws hg::Error saying how to install them (apt-get install
// dataset-fashion-mnist) or to pass --data DIR or --synthetic. The sets
// must agree (images of one height × width, one label per image) and hold
// at least 5,512 training and 256 test images; otherwise the hg::Error
// names the files and the sizes or counts found. `rng` draws the
// validation split (and the synthetic images).
LessonData load_lesson_data(const std::string& dir, bool synthetic, bool quick,
                            Rng& rng);

}  // namespace hg
