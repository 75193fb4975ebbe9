// gzip members (RFC 1952) around inflate; see gzip.hpp.
#include "hourglass/data/gzip.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "hourglass/data/checksum.hpp"
#include "hourglass/data/inflate.hpp"
#include "hourglass/error.hpp"

namespace hg {

namespace {

// Header flag bits (FLG byte).
constexpr unsigned kFText = 1, kFHcrc = 2, kFExtra = 4, kFName = 8,
                   kFComment = 16, kFReserved = 0xE0;
constexpr std::size_t kHeaderSize = 10, kTrailerSize = 8;

std::uint32_t le32(std::span<const std::uint8_t> in, std::size_t at) {
  return std::uint32_t(in[at]) | std::uint32_t(in[at + 1]) << 8 |
         std::uint32_t(in[at + 2]) << 16 | std::uint32_t(in[at + 3]) << 24;
}

// Throws unless `n` bytes are left at `at`, naming the field expected there.
void need(std::span<const std::uint8_t> in, std::size_t at, std::size_t n,
          const char* field, const std::string& name) {
  check(in.size() - at >= n, "gunzip: ", name, ": byte offset ", at,
        ": truncated gzip ", field, ": expected ", n, " bytes, found ",
        in.size() - at);
}

// Reads the header of the member starting at `at`; returns the offset of
// its DEFLATE data.
std::size_t member_header(std::span<const std::uint8_t> in, std::size_t at,
                          const std::string& name) {
  const char* what = "gunzip: ";
  const std::size_t start = at;
  auto need = [&](std::size_t n, const char* field) {
    hg::need(in, at, n, field, name);
  };
  need(kHeaderSize, "header");
  check(in[at] == 0x1f && in[at + 1] == 0x8b, what, name, ": byte offset ", at,
        ": bad magic ", int(in[at]), " ", int(in[at + 1]),
        " (expected 31 139, i.e. 1f 8b: not a gzip file?)");
  check(in[at + 2] == 8, what, name, ": byte offset ", at + 2,
        ": unsupported compression method ", int(in[at + 2]),
        " (expected 8, deflate)");
  const unsigned flags = in[at + 3];
  check((flags & kFReserved) == 0, what, name, ": byte offset ", at + 3,
        ": reserved flag bits set in ", flags, " (expected them zero)");
  (void)kFText;  // FTEXT is only a hint that the data is text
  at += kHeaderSize;

  if (flags & kFExtra) {
    need(2, "FEXTRA length");
    const std::size_t xlen = in[at] | std::size_t(in[at + 1]) << 8;
    at += 2;
    need(xlen, "FEXTRA field");
    at += xlen;
  }
  // FNAME and FCOMMENT are zero-terminated strings.
  for (unsigned flag : {kFName, kFComment}) {
    if (!(flags & flag)) continue;
    std::size_t end = at;
    while (end < in.size() && in[end] != 0) ++end;
    check(end < in.size(), what, name, ": byte offset ", at, ": truncated ",
          flag == kFName ? "file name" : "comment",
          " (expected a zero-terminated string)");
    at = end + 1;
  }
  if (flags & kFHcrc) {
    // The low 16 bits of the CRC-32 of the header bytes before it.
    need(2, "header CRC");
    const std::uint32_t stored = in[at] | std::uint32_t(in[at + 1]) << 8;
    const std::uint32_t actual = crc32(in.subspan(start, at - start)) & 0xFFFFu;
    check(stored == actual, what, name, ": byte offset ", at,
          ": header CRC-16 mismatch: stored ", stored, ", header gives ",
          actual);
    at += 2;
  }
  return at;
}

// Reads one member starting at `at`, appends its output (`out` holding at
// most `max_out` bytes in all); returns the offset just past its trailer.
// With AtBound::Stop, a member that reaches max_out bytes is not read to its
// end, and no trailer is checked.
std::size_t gunzip_member(std::span<const std::uint8_t> in, std::size_t at,
                          std::vector<std::uint8_t>& out,
                          const std::string& name, std::size_t max_out,
                          AtBound at_bound) {
  const char* what = "gunzip: ";
  at = member_header(in, at, name);
  const std::size_t first = out.size();
  at += inflate_into(in.subspan(at), out, name, at, max_out, at_bound);
  if (at_bound == AtBound::Stop && out.size() >= max_out) return at;
  need(in, at, kTrailerSize, "trailer (CRC-32 and size)", name);
  const std::span<const std::uint8_t> member =
      std::span<const std::uint8_t>(out).subspan(first);
  const std::uint32_t stored_crc = le32(in, at);
  const std::uint32_t actual_crc = crc32(member);
  check(stored_crc == actual_crc, what, name, ": byte offset ", at,
        ": CRC-32 mismatch: stored ", stored_crc, ", data gives ", actual_crc,
        " (the file is corrupt)");
  const std::uint32_t stored_size = le32(in, at + 4);
  const auto actual_size = static_cast<std::uint32_t>(member.size());
  check(stored_size == actual_size, what, name, ": byte offset ", at + 4,
        ": size mismatch: stored ", stored_size, " (mod 2^32), data has ",
        actual_size);
  return at + kTrailerSize;
}

// The members one after another, into one output of at most max_out bytes.
std::vector<std::uint8_t> gunzip_members(std::span<const std::uint8_t> in,
                                         const std::string& name,
                                         std::size_t max_out,
                                         AtBound at_bound) {
  std::vector<std::uint8_t> out;
  // The last member's ISIZE is a hint of the total size (mod 2^32) for a
  // single-member file; reserving it (plus the decoder's working room of a
  // few hundred bytes) saves the regrowth copies, during which the old and
  // the new buffer are both held. Capped at DEFLATE's best possible ratio
  // and at the caller's bound, so a lying trailer cannot ask for much.
  if (in.size() >= 18) {
    const std::size_t hint = le32(in, in.size() - 4);
    if (hint <= in.size() * 1032) out.reserve(std::min(hint, max_out) + 1024);
  }
  std::size_t at = 0;
  do {
    at = gunzip_member(in, at, out, name, max_out, at_bound);
    if (at_bound == AtBound::Stop && out.size() >= max_out) {
      out.resize(max_out);
      break;
    }
    // Some writers pad the end with zeros; gzip -d accepts that too.
    bool only_zeros = true;
    for (std::size_t i = at; i < in.size() && only_zeros; ++i)
      only_zeros = in[i] == 0;
    if (only_zeros) break;
  } while (at < in.size());
  return out;
}

}  // namespace

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in,
                                 const std::string& name, std::size_t max_out) {
  return gunzip_members(in, name, max_out, AtBound::Refuse);
}

std::vector<std::uint8_t> gunzip_head(std::span<const std::uint8_t> in,
                                      std::size_t n, const std::string& name) {
  return gunzip_members(in, name, n, AtBound::Stop);
}

std::vector<std::uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  // std::ifstream opens a directory without complaint on Linux, and then
  // reports an absurd size: ask first.
  check(!std::filesystem::is_directory(path, ec), "read_file_bytes: '", path,
        "' is a directory, expected a file");
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  check(file.good(), "read_file_bytes: cannot open '", path,
        "' (expected a readable file)");
  const std::streamoff size = file.tellg();
  check(size >= 0, "read_file_bytes: cannot tell the size of '", path, "'");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  file.seekg(0);
  file.read(reinterpret_cast<char*>(bytes.data()), size);
  check(file.good() || size == 0, "read_file_bytes: reading '", path,
        "' failed after ", file.gcount(), " of ", size, " bytes");
  return bytes;
}

std::vector<std::uint8_t> read_gzip_file(const std::string& path,
                                         std::size_t max_out) {
  return gunzip(read_file_bytes(path), path, max_out);
}

}  // namespace hg
