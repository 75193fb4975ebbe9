// The fuzz targets of the data layer (see targets.hpp): the decoders
// Fashion-MNIST goes through. hg::Error is the expected refusal;
// everything else escapes.
#include <string>

#include "attempt.hpp"
#include "hourglass/data/gzip.hpp"
#include "hourglass/data/idx.hpp"
#include "hourglass/data/inflate.hpp"

namespace hg_fuzz {

Outcome gzip(Bytes in) {
  return attempt([&] { hg::gunzip(in, "fuzz.gz"); });
}

Outcome inflate(Bytes in) {
  if (in.empty()) return attempt([&] { hg::inflate(in); });
  const Bytes rest = in.subspan(1);
  return attempt([&] {
    if (in[0] % 2 == 0)
      hg::inflate(rest, "fuzz.deflate");
    else
      hg::zlib_inflate(rest, "fuzz.zlib");
  });
}

Outcome idx(Bytes in) {
  // Both parsers see every input: an images header mutated into a labels
  // header (or back) is exactly the kind of confusion to try.
  const Outcome images = attempt([&] { hg::parse_idx_images(in, "fuzz.idx"); });
  const Outcome labels = attempt([&] { hg::parse_idx_labels(in, "fuzz.idx", 10); });
  return images == Outcome::Accepted || labels == Outcome::Accepted
             ? Outcome::Accepted
             : Outcome::Refused;
}

}  // namespace hg_fuzz
