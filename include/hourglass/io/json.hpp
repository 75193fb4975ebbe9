// A small, strict JSON reader and a string escaper, enough for the header of
// a safetensors checkpoint.
//
// Strict means: exactly one value, no trailing commas, no comments, no
// duplicate keys, no control characters inside strings, nothing after the
// value but whitespace. Numbers keep their text, so integers such as byte
// offsets are read exactly instead of through a double. What it is not: a
// general-purpose, fast, or streaming JSON library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hg {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;  // a String's value, or a Number's literal text
  // A key and its value. Declared here, defined below Json: a std::pair
  // would need Json complete already, which only some compilers let pass.
  struct Member;
  std::vector<Json> items;      // Array
  std::vector<Member> members;  // Object, in file order

  // The member named `key`, or nullptr.
  const Json* find(std::string_view key) const;
  // A Number that is a non-negative integer fitting in 64 bits, or
  // hg::Error naming `what` (e.g. "tensor enc.W: data_offsets[1]").
  std::uint64_t as_uint(const std::string& what) const;
};

struct Json::Member {
  std::string key;
  Json value;
};

const char* kind_name(Json::Kind kind);

// Parses `source`; hg::Error names `where` (a file) and the byte offset of
// the first problem.
Json parse_json(std::string_view source, const std::string& where);

// `s` as a quoted JSON string: ", \ and control characters escaped.
std::string json_quote(std::string_view s);

}  // namespace hg
