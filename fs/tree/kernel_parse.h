// The kernel's parsers for sysfs stores, re-implemented with their exact
// acceptance rules (docs/interface.md, "Parsing"): what a DAMON sysfs file
// accepts is whatever these accept, so every file handler goes through them.
//
// Inputs are the bytes one write() stored, already cut at the first NUL (the
// kernel hands stores a NUL-terminated page). Results are 0 or -errno.
#pragma once

#include <cstdint>
#include <string_view>

namespace damonfs::fs::kernel {

// kstrtoul / kstrtoull with base 0: optional '+', "0x"/"0X" + hex digit =
// hex, leading '0' = octal, else decimal; one trailing '\n' allowed.
// -EINVAL for anything else, -ERANGE when the value needs more than 64 bits.
int kstrtoul(std::string_view s, uint64_t& out);
// kstrtouint: as kstrtoul, -ERANGE above 32 bits.
int kstrtouint(std::string_view s, uint32_t& out);
// kstrtoint: as kstrtoul plus a leading '-'; -ERANGE outside int32_t.
int kstrtoint(std::string_view s, int32_t& out);
// kstrtobool: the first character decides (y Y t T 1 / n N f F 0, and
// "on"/"of" by their first two); the rest of the input is ignored.
int kstrtobool(std::string_view s, bool& out);
// sysfs_streq: `input` equals `keyword`, optionally followed by one '\n'.
bool sysfs_streq(std::string_view input, std::string_view keyword);

}  // namespace damonfs::fs::kernel
