// IDX files: the format MNIST and Fashion-MNIST ship in.
//
// An IDX file is a 4-byte magic (two zero bytes, a type code, the number of
// dimensions), one big-endian 32-bit size per dimension, then the values,
// row-major. Images are type 0x08 (unsigned byte) with 3 dimensions
// (N, rows, cols): magic 0x00000803; labels are 1 dimension (N): magic
// 0x00000801. Files ending in ".gz" are gunzipped on the way in.
// What it is not: a general IDX reader (only unsigned bytes, only these two
// layouts) or a writer. Errors name the file, the byte offset and what was
// expected there.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hourglass/tensor.hpp"

namespace hg {

struct IdxImages {
  Tensor images;  // (N, rows*cols), pixel p / 255 in [0, 1]
  int rows = 0, cols = 0;
};

// From a file (gzipped if the name ends in ".gz").
IdxImages load_idx_images(const std::string& path);
// Labels must be below `num_classes`.
std::vector<std::uint8_t> load_idx_labels(const std::string& path,
                                          int num_classes = 10);

// From the (decompressed) bytes; `name` is used in error messages.
IdxImages parse_idx_images(std::span<const std::uint8_t> bytes,
                           const std::string& name = "<memory>");
std::vector<std::uint8_t> parse_idx_labels(std::span<const std::uint8_t> bytes,
                                           const std::string& name = "<memory>",
                                           int num_classes = 10);

}  // namespace hg
