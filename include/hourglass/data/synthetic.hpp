// A synthetic image set, generated in code: ten classes of strokes and
// shapes drawn on 28×28 images in [0, 1].
//
// What it is: a stand-in for Fashion-MNIST when the real files are missing
// (`--synthetic`) and a quick, known input for tests. Each image is one
// shape (horizontal bar, vertical bar, diagonal, ring, filled square,
// cross, triangle, dot cluster, X, frame) at a random position, size,
// thickness and intensity, drawn with soft (anti-aliased) edges, plus a
// little Gaussian noise. The same seed gives the same images. What it is
// not: a benchmark; autoencoders find it easier than real clothes.
#pragma once

#include <string>
#include <vector>

#include "hourglass/data/dataset.hpp"
#include "hourglass/rng.hpp"

namespace hg {

// The ten class names, in label order.
const std::vector<std::string>& synthetic_shape_classes();

// n images of 28×28; labels cycle through the classes (0, 1, ..., 9, 0, ...)
// so every class gets n/10 (±1) samples.
Dataset synthetic_shapes(int n, Rng& rng);

}  // namespace hg
