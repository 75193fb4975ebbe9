// Checksums of byte streams: CRC-32 (gzip, PNG) and Adler-32 (zlib).
//
// What it is: the two checks the gzip/zlib/PNG formats store next to their
// data so a reader can tell a damaged file from a good one. Both come in a
// running form: pass the previous result to continue over the next chunk,
// so crc32(b, crc32(a)) == crc32(a ++ b). What it is not: a cryptographic
// hash; they catch accidents, not attackers.
#pragma once

#include <cstdint>
#include <span>

namespace hg {

// CRC-32 with the reflected polynomial 0xEDB88320 (ISO 3309, as in gzip and
// PNG): remainder of the message, seen as a polynomial over GF(2), divided
// by x^32 + x^26 + ... + 1, with pre- and post-inversion.
// crc32("123456789") == 0xCBF43926; crc32({}) == 0.
std::uint32_t crc32(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0);

// Adler-32 (RFC 1950): A = 1 + sum of bytes, B = sum of the A's, both mod
// 65521 (the largest prime below 2^16); result (B << 16) | A.
// adler32("Wikipedia") == 0x11E60398; adler32({}) == 1.
std::uint32_t adler32(std::span<const std::uint8_t> bytes,
                      std::uint32_t adler = 1);

}  // namespace hg
