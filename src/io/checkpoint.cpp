// Training checkpoints on top of safetensors (see checkpoint.hpp).
//
// Layout of the metadata (all strings, as safetensors requires):
//   "format"        "hourglass training checkpoint 1"
//   "epoch"         "7"
//   "steps"         "3290"            Adam's t, when there is one
//   "rng"           five hex words: xoshiro's s[0..3], the spare normal's bits
//   "series.NAME"   shortest round-trip decimals, comma separated
//   "tag.KEY"       the caller's tag
//   "crc32"         of every tensor (name, shape, floats) and entry above
#include "hourglass/io/checkpoint.hpp"

#include <bit>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <span>

#include "hourglass/data/checksum.hpp"

namespace hg {

namespace {

constexpr const char* kFormat = "hourglass training checkpoint 1";

std::span<const std::uint8_t> bytes_of(const void* p, std::size_t n) {
  return {static_cast<const std::uint8_t*>(p), n};
}

// CRC-32 over names, shapes and floats of the tensors (sorted by name, as
// a std::map holds them) and over the metadata entries other than "crc32".
std::uint32_t checksum(const std::map<std::string, const Tensor*>& tensors,
                       const Metadata& metadata) {
  std::uint32_t crc = 0;
  for (const auto& [name, t] : tensors) {
    crc = crc32(bytes_of(name.data(), name.size() + 1), crc);  // with its '\0'
    const std::string shape = t->shape().str();
    crc = crc32(bytes_of(shape.data(), shape.size()), crc);
    crc = crc32(bytes_of(t->data(), t->size() * sizeof(float)), crc);
  }
  for (const auto& [key, value] : metadata) {
    if (key == "crc32") continue;
    crc = crc32(bytes_of(key.data(), key.size() + 1), crc);
    crc = crc32(bytes_of(value.data(), value.size() + 1), crc);
  }
  return crc;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, 16);
  return std::string(buf, end);
}

// Reads a whole number in `base` from text, or throws naming the entry.
std::uint64_t parse_u64(std::string_view text, int base, const std::string& path,
                        const std::string& what) {
  std::uint64_t v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, base);
  check(ec == std::errc() && end == text.data() + text.size() && !text.empty(),
        "load_training ", path, ": ", what, " is \"", text,
        "\", expected a whole number");
  return v;
}

std::string join(const std::vector<double>& values) {
  std::string out;
  for (double v : values) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    if (!out.empty()) out += ',';
    out.append(buf, end);
  }
  return out;
}

std::vector<double> split(std::string_view text, const std::string& path,
                          const std::string& what) {
  std::vector<double> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    double v = 0;
    const auto [end, ec] =
        std::from_chars(item.data(), item.data() + item.size(), v);
    check(ec == std::errc() && end == item.data() + item.size() && !item.empty(),
          "load_training ", path, ": ", what, " holds \"", item,
          "\", expected a number");
    out.push_back(v);
    text = comma == text.npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

const std::string& entry(const Metadata& m, const std::string& key,
                         const std::string& path) {
  auto it = m.find(key);
  check(it != m.end(), "load_training ", path, ": metadata \"", key,
        "\" is missing; expected a complete training checkpoint");
  return it->second;
}

// A directory where the checkpoint belongs would otherwise be read as an
// empty or absurdly long file, or refuse the rename late.
void check_not_directory(const std::string& path, const char* what) {
  std::error_code ec;
  check(!std::filesystem::is_directory(path, ec), what, ": ", path,
        " is a directory, expected a checkpoint file (remove it, or write "
        "the run somewhere else, e.g. with --out)");
}

// The checkpoints this process has written or resumed from: its own run's.
// A file at a path about to be saved that is not among them was left by an
// earlier run.
struct OwnCheckpoints {
  std::mutex mutex;
  std::set<std::string> paths;

  static std::string key(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
  }
  bool owns(const std::string& path) {
    std::lock_guard lock(mutex);
    return paths.count(key(path)) > 0;
  }
  void add(const std::string& path) {
    std::lock_guard lock(mutex);
    paths.insert(key(path));
  }
};

OwnCheckpoints& own_checkpoints() {
  static OwnCheckpoints own;
  return own;
}

// An earlier run's checkpoint at `path` is kept as `<path>.prev` (replacing
// an older one) before this run's first save replaces it. A hard link, not
// a rename: `path` stays whole until the rename of the new file lands, so a
// crash in between still leaves a checkpoint there.
void keep_earlier_run(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) || own_checkpoints().owns(path)) return;
  const std::string prev = path + ".prev";
  std::filesystem::remove(prev, ec);
  ec.clear();
  std::filesystem::create_hard_link(path, prev, ec);
  if (ec) {  // a file system without hard links: copy it
    ec.clear();
    std::filesystem::copy_file(
        path, prev, std::filesystem::copy_options::overwrite_existing, ec);
  }
  check(!ec, "save_training ", path, ": cannot keep the earlier run's ",
        "checkpoint as ", prev, " (", ec.message(), "); refusing to replace it");
  std::cout << "note: " << path << " held an earlier run's checkpoint; it is "
            << "kept as " << prev << " (--resume continues a run instead)"
            << std::endl;
}

}  // namespace

void save_training(const std::string& path, const TrainingState& s) {
  std::map<std::string, const Tensor*> tensors;
  auto add = [&](const std::string& name, const Tensor* t) {
    check(t != nullptr, "save_training ", path, ": tensor \"", name, "\" is null");
    check(tensors.emplace(name, t).second, "save_training ", path,
          ": two tensors are named \"", name, "\"; expected unique names");
  };
  for (const Parameter* p : s.params) {
    check(p != nullptr, "save_training ", path, ": a parameter is null");
    add(p->name, &p->value);
  }
  for (const auto& [name, t] : s.optimizer) add(name, t);

  Metadata m;
  m["format"] = kFormat;
  m["epoch"] = std::to_string(s.epoch);
  if (s.optimizer_steps) m["steps"] = std::to_string(*s.optimizer_steps);
  if (s.rng) {
    const Rng::State r = s.rng->state();
    m["rng"] = hex(r.s[0]) + " " + hex(r.s[1]) + " " + hex(r.s[2]) + " " +
               hex(r.s[3]) + " " +
               hex(r.has_spare ? std::bit_cast<std::uint32_t>(r.spare_normal)
                               : 0) +
               (r.has_spare ? " spare" : " none");
  }
  for (const auto& [name, values] : s.series) {
    check(values != nullptr, "save_training ", path, ": series \"", name,
          "\" is null");
    m["series." + name] = join(*values);
  }
  for (const auto& [key, value] : s.tag) m["tag." + key] = value;
  m["crc32"] = hex(checksum(tensors, m));

  NamedTensors named(tensors.begin(), tensors.end());
  check_not_directory(path, "save_training");
  keep_earlier_run(path);
  save_safetensors(path, named, m);
  own_checkpoints().add(path);
}

namespace {

// load_training, refusing a checkpoint past `max_epoch` before it changes
// anything.
bool load(const std::string& path, TrainingState& s, long long max_epoch) {
  if (!std::filesystem::exists(path)) return false;
  check_not_directory(path, "load_training");
  Checkpoint c = read_safetensors(path);  // throws on a torn or bad file
  const Metadata& m = c.metadata;

  // 1. Is it a training checkpoint, whole and unedited?
  check(m.count("format") && m.at("format") == kFormat, "load_training ", path,
        ": not a training checkpoint (metadata \"format\" should be \"",
        kFormat, "\")");
  std::map<std::string, const Tensor*> all;
  for (const auto& [name, t] : c.tensors) all.emplace(name, &t);
  const std::uint64_t want = parse_u64(entry(m, "crc32", path), 16, path, "crc32");
  const std::uint32_t got = checksum(all, m);
  check(want == got, "load_training ", path, ": checksum mismatch (stored ",
        hex(want), ", computed ", hex(got),
        "): the file was edited or damaged; refusing to resume from it");

  // 2. Is it this run's?
  for (const auto& [key, value] : s.tag) {
    auto it = m.find("tag." + key);
    check(it != m.end() && it->second == value, "load_training ", path,
          ": it was saved by another run (", key, " is \"",
          it == m.end() ? std::string("<missing>") : it->second,
          "\" in the file, \"", value, "\" now); expected the same settings");
  }

  // 3. Does every tensor we restore exist with the right shape?
  auto find = [&](const std::string& name, const Tensor& like) -> const Tensor& {
    auto it = c.tensors.find(name);
    check(it != c.tensors.end(), "load_training ", path, ": tensor \"", name,
          "\" is not in the checkpoint");
    check(it->second.shape() == like.shape(), "load_training ", path,
          ": tensor \"", name, "\" is ", it->second.shape(),
          " in the checkpoint but ", like.shape(), " here");
    return it->second;
  };
  for (const Parameter* p : s.params) find(p->name, p->value);
  for (const auto& [name, t] : s.optimizer) find(name, *t);

  // 4. Parse the metadata we restore.
  const long long epoch = (long long)parse_u64(entry(m, "epoch", path), 10, path, "epoch");
  check(epoch <= 1000000000, "load_training ", path, ": epoch ", epoch,
        " is out of range");
  // Resuming past the end would report a longer run's model as this one's.
  check(epoch <= max_epoch, "load_training ", path, ": the checkpoint is at ",
        "epoch ", epoch, ", but --epochs ", max_epoch, " asks for fewer; run ",
        "with --epochs ≥ ", epoch, " or without --resume");
  long steps = 0;
  if (s.optimizer_steps)
    steps = long(parse_u64(entry(m, "steps", path), 10, path, "steps"));
  Rng::State r{};
  if (s.rng) {
    const std::string& text = entry(m, "rng", path);
    std::vector<std::string_view> words;
    std::string_view rest = text;
    while (!rest.empty()) {
      const std::size_t sp = rest.find(' ');
      words.push_back(rest.substr(0, sp));
      rest = sp == rest.npos ? std::string_view() : rest.substr(sp + 1);
    }
    check(words.size() == 6, "load_training ", path, ": rng is \"", text,
          "\", expected 5 hex words and spare/none");
    for (int i = 0; i < 4; ++i) r.s[i] = parse_u64(words[std::size_t(i)], 16, path, "rng");
    const std::uint64_t bits = parse_u64(words[4], 16, path, "rng");
    check(bits <= 0xffffffffu, "load_training ", path, ": rng spare too large");
    r.spare_normal = std::bit_cast<float>(std::uint32_t(bits));
    r.has_spare = words[5] == "spare";
    check(r.has_spare || words[5] == "none", "load_training ", path,
          ": rng ends in \"", words[5], "\", expected spare or none");
    check((r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0, "load_training ", path,
          ": rng state is all zeros");
  }
  std::vector<std::vector<double>> series;
  for (const auto& [name, values] : s.series)
    series.push_back(split(entry(m, "series." + name, path), path, "series." + name));

  // Every check passed: only now change the caller's state.
  for (Parameter* p : s.params) p->value = c.tensors.at(p->name);
  for (auto& [name, t] : s.optimizer) *t = c.tensors.at(name);
  if (s.optimizer_steps) *s.optimizer_steps = steps;
  if (s.rng) s.rng->set_state(r);
  for (std::size_t i = 0; i < s.series.size(); ++i) *s.series[i].second = series[i];
  s.epoch = int(epoch);
  own_checkpoints().add(path);
  return true;
}

}  // namespace

bool load_training(const std::string& path, TrainingState& s) {
  return load(path, s, 1000000000);
}

bool resume_training(const std::string& path, TrainingState& s, int epochs) {
  return load(path, s, epochs);
}

}  // namespace hg
