// safetensors encode/decode. Every field of the header is checked on load:
// a checkpoint that is truncated, edited or from another program gives an
// hg::Error naming the file and the field, never a garbage tensor.
#include "hourglass/io/safetensors.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>

#include "hourglass/data/gzip.hpp"
#include "hourglass/error.hpp"
#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/json.hpp"

namespace hg {

namespace {

// Bytes are written little-endian one by one, so the file is the same on
// any machine (the format says little-endian; we do not assume the host).
void put_u64_le(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += char((v >> (8 * i)) & 0xFF);
}
std::uint64_t get_u64_le(std::string_view s) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}
void put_f32_le(std::string& out, float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  for (int i = 0; i < 4; ++i) out += char((u >> (8 * i)) & 0xFF);
}
float get_f32_le(const unsigned char* p) {
  const std::uint32_t u = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 |
                          std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Headers larger than this are refused before anything is allocated: a
// corrupt length field must not ask for gigabytes.
constexpr std::uint64_t kMaxHeader = 100u << 20;

struct Entry {
  std::string name;
  Shape shape;
  std::uint64_t begin = 0, end = 0;
};

Entry read_entry(const std::string& name, const Json& info,
                 const std::string& where) {
  const std::string what = where + ": tensor \"" + name + "\"";
  check(info.kind == Json::Kind::Object, what, ": expected an object, got ",
        kind_name(info.kind));
  for (const auto& [key, value] : info.members)
    check(key == "dtype" || key == "shape" || key == "data_offsets", what,
          ": unknown field \"", key, "\"");
  const Json* dtype = info.find("dtype");
  check(dtype && dtype->kind == Json::Kind::String, what,
        ": missing \"dtype\" string");
  check(dtype->text == "F32", what, ": dtype is ", dtype->text,
        ", expected F32 (hourglass stores float32 only)");

  const Json* shape = info.find("shape");
  check(shape && shape->kind == Json::Kind::Array, what,
        ": missing \"shape\" array");
  check(shape->items.size() <= std::size_t(Shape::kMaxRank), what, ": rank ",
        shape->items.size(), " is more than ", Shape::kMaxRank);
  int dims[Shape::kMaxRank] = {};
  std::uint64_t numel = 1;
  for (std::size_t i = 0; i < shape->items.size(); ++i) {
    const std::uint64_t d =
        shape->items[i].as_uint(what + ": shape[" + std::to_string(i) + "]");
    check(d <= 0x7FFFFFFF, what, ": shape[", i, "] = ", d, " is too large");
    dims[i] = int(d);
    numel = d == 0 ? 0 : numel;
    check(numel == 0 || numel <= (UINT64_MAX / 4) / d, what,
          ": shape overflows");
    numel *= d;
  }
  Entry e;
  e.name = name;
  switch (shape->items.size()) {
    case 0: e.shape = Shape{}; break;
    case 1: e.shape = Shape{dims[0]}; break;
    case 2: e.shape = Shape{dims[0], dims[1]}; break;
    case 3: e.shape = Shape{dims[0], dims[1], dims[2]}; break;
    default: e.shape = Shape{dims[0], dims[1], dims[2], dims[3]}; break;
  }

  const Json* offsets = info.find("data_offsets");
  check(offsets && offsets->kind == Json::Kind::Array &&
            offsets->items.size() == 2,
        what, ": \"data_offsets\" must be an array [begin, end]");
  e.begin = offsets->items[0].as_uint(what + ": data_offsets[0]");
  e.end = offsets->items[1].as_uint(what + ": data_offsets[1]");
  check(e.begin <= e.end, what, ": data_offsets [", e.begin, ", ", e.end,
        "] end before they begin");
  check(e.end - e.begin == numel * 4, what, ": data_offsets [", e.begin, ", ",
        e.end, "] hold ", e.end - e.begin, " bytes, but shape ", e.shape,
        " of F32 needs ", numel * 4);
  return e;
}

}  // namespace

std::string encode_safetensors(const NamedTensors& tensors,
                               const Metadata& metadata) {
  std::set<std::string> seen;
  std::string header = "{";
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    check(t != nullptr, "save_safetensors: tensor \"", name, "\" is null");
    check(!name.empty(), "save_safetensors: a tensor has an empty name");
    check(name != "__metadata__",
          "save_safetensors: \"__metadata__\" is reserved, not a tensor name");
    check(seen.insert(name).second, "save_safetensors: tensor name \"", name,
          "\" appears twice; expected unique names");
    if (header.size() > 1) header += ", ";
    header += json_quote(name) + ": {\"dtype\": \"F32\", \"shape\": [";
    for (int i = 0; i < t->rank(); ++i) {
      if (i) header += ", ";
      header += std::to_string(t->dim(i));
    }
    const std::uint64_t bytes = std::uint64_t(t->size()) * 4;
    header += "], \"data_offsets\": [" + std::to_string(offset) + ", " +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  if (!metadata.empty()) {
    if (header.size() > 1) header += ", ";
    header += "\"__metadata__\": {";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      if (!first) header += ", ";
      header += json_quote(key) + ": " + json_quote(value);
      first = false;
    }
    header += "}";
  }
  header += "}";
  // Pad with spaces (allowed by the format) so the data starts 8-byte
  // aligned: readers can then map the floats straight from the file.
  while (header.size() % 8 != 0) header += ' ';

  std::string out;
  out.reserve(8 + header.size() + offset);
  put_u64_le(out, header.size());
  out += header;
  for (const auto& [name, t] : tensors)
    for (float v : *t) put_f32_le(out, v);
  return out;
}

Checkpoint decode_safetensors(std::string_view bytes,
                              const std::string& where) {
  check(bytes.size() >= 8, where, ": ", bytes.size(),
        " bytes is too short for a safetensors file (expected at least 8: "
        "the header length)");
  const std::uint64_t n = get_u64_le(bytes);
  check(n <= kMaxHeader, where, ": header length ", n,
        " is implausibly large (corrupt file?)");
  check(n <= bytes.size() - 8, where, ": header length ", n, " but only ",
        bytes.size() - 8, " bytes follow (truncated file?)");
  const Json header = parse_json(bytes.substr(8, n), where);
  check(header.kind == Json::Kind::Object, where,
        ": header is ", kind_name(header.kind), ", expected an object");

  Checkpoint ck;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.members) {
    if (name == "__metadata__") {
      check(info.kind == Json::Kind::Object, where,
            ": __metadata__ must be an object of strings");
      for (const auto& [key, value] : info.members) {
        check(value.kind == Json::Kind::String, where, ": __metadata__[\"",
              key, "\"] is ", kind_name(value.kind), ", expected a string");
        ck.metadata[key] = value.text;
      }
      continue;
    }
    check(!name.empty(), where, ": a tensor has an empty name");
    entries.push_back(read_entry(name, info, where));
  }

  // The data region must be tiled exactly: sorted by begin, each tensor
  // starts where the previous ended, and the last ends at the file's end.
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) {
              return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
            });
  const std::uint64_t data_size = bytes.size() - 8 - n;
  std::uint64_t expected = 0;
  for (const Entry& e : entries) {
    check(e.begin == expected, where, ": tensor \"", e.name,
          "\" data_offsets start at ", e.begin, ", expected ", expected,
          " (the data must be contiguous, without holes or overlaps)");
    check(e.end <= data_size, where, ": tensor \"", e.name,
          "\" data_offsets end at ", e.end, " but the data region has only ",
          data_size, " bytes (truncated file?)");
    expected = e.end;
  }
  check(expected == data_size, where, ": the tensors cover ", expected,
        " bytes of data but the file holds ", data_size,
        " (extra bytes at the end?)");

  const auto* data =
      reinterpret_cast<const unsigned char*>(bytes.data()) + 8 + n;
  for (const Entry& e : entries) {
    Tensor t(e.shape);
    for (std::size_t i = 0; i < t.size(); ++i)
      t[i] = get_f32_le(data + e.begin + 4 * i);
    ck.tensors.emplace(e.name, std::move(t));
  }
  return ck;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const Metadata& metadata) {
  write_file_atomically(path, encode_safetensors(tensors, metadata));
}

Checkpoint read_safetensors(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_file_bytes(path);
  return decode_safetensors(
      std::string_view(reinterpret_cast<const char*>(bytes.data()),
                       bytes.size()),
      path);
}

std::map<std::string, Tensor> load_safetensors(const std::string& path) {
  return read_safetensors(path).tensors;
}

void save_parameters(const std::string& path, const ParameterList& params,
                     const Metadata& metadata) {
  NamedTensors named;
  for (const Parameter* p : params) {
    check(p != nullptr, "save_parameters ", path, ": a parameter is null");
    named.emplace_back(p->name, &p->value);
  }
  save_safetensors(path, named, metadata);
}

void load_parameters(const std::string& path, const ParameterList& params) {
  std::map<std::string, Tensor> tensors = load_safetensors(path);
  for (const Parameter* p : params) {
    check(p != nullptr, "load_parameters ", path, ": a parameter is null");
    auto it = tensors.find(p->name);
    check(it != tensors.end(), "load_parameters ", path, ": parameter \"",
          p->name, "\" is not in the checkpoint");
    check(it->second.shape() == p->value.shape(), "load_parameters ", path,
          ": parameter \"", p->name, "\" is ", p->value.shape(),
          " in the model but ", it->second.shape(), " in the checkpoint");
  }
  // Every check passed: only now change the model.
  for (Parameter* p : params) p->value = tensors.at(p->name);
}

}  // namespace hg
