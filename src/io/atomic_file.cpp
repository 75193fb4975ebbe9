// Temporary file + rename; see atomic_file.hpp for why.
#include "hourglass/io/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "hourglass/error.hpp"

namespace hg {

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    check(out.is_open(), "write ", path, ": cannot create temporary file ",
          tmp, " (", std::strerror(errno),
          "); expected a writable, existing directory");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out.good()) {
      out.close();
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      fail("write ", path, ": writing ", bytes.size(), " bytes to ", tmp,
           " failed (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail("write ", path, ": cannot rename ", tmp, " to it (", ec.message(),
         ")");
  }
}

}  // namespace hg
