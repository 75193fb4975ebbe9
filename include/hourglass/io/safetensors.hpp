// Checkpoints in the safetensors format, so a trained model can be opened
// from NumPy or PyTorch (`safetensors.numpy.load_file`) and back.
//
// Layout (https://github.com/huggingface/safetensors):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   JSON: {"enc.W": {"dtype": "F32", "shape": [32, 784],
//                              "data_offsets": [begin, end]}, ...,
//                    "__metadata__": {"epoch": "10"}}
//   the rest  raw little-endian float32 data; offsets count from here
// The data region is tiled exactly by the tensors, no holes, no overlap.
//
// What this is not: a general safetensors reader. Only F32 is written and
// accepted (the only dtype hourglass has), up to rank 4 like Tensor.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/tensor.hpp"

namespace hg {

using NamedTensors = std::vector<std::pair<std::string, const Tensor*>>;
using Metadata = std::map<std::string, std::string>;

struct Checkpoint {
  std::map<std::string, Tensor> tensors;
  Metadata metadata;  // free-form strings, e.g. {"lesson": "01_vanilla"}
};

// The file's bytes. Names must be non-empty, unique and not "__metadata__".
std::string encode_safetensors(const NamedTensors& tensors,
                               const Metadata& metadata = {});
// Parses and checks bytes read from `where` (named in every error).
Checkpoint decode_safetensors(std::string_view bytes,
                              const std::string& where);

// Writes through `<path>.tmp` + rename: an old checkpoint survives a failure.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata = {});
std::map<std::string, Tensor> load_safetensors(const std::string& path);
Checkpoint read_safetensors(const std::string& path);

// Parameters by their names ("enc.W"). Loading checks that every parameter
// is in the file with the same shape before it changes any of them, so a
// failed load leaves the model as it was. Tensors in the file that no
// parameter asks for are ignored (e.g. loading only an encoder).
void save_parameters(const std::string& path, const ParameterList& params,
                     const Metadata& metadata = {});
void load_parameters(const std::string& path, const ParameterList& params);

}  // namespace hg
