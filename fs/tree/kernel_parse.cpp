#include "fs/tree/kernel_parse.h"

#include <cerrno>
#include <limits>

namespace damonfs::fs::kernel {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  char lower = static_cast<char>(c | 0x20);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return 99;  // ends the number in any base
}

bool is_hex_digit(char c) { return digit_value(c) < 16; }

// The kernel's _kstrtoull after the sign: radix detection, digits, then
// nothing but an optional single newline. Overflow is reported even when
// junk follows the digits, as the kernel checks it first.
int parse_unsigned(std::string_view s, uint64_t& out) {
  unsigned base = 10;
  if (!s.empty() && s[0] == '0') {
    if (s.size() >= 3 && (s[1] | 0x20) == 'x' && is_hex_digit(s[2])) {
      base = 16;
      s.remove_prefix(2);
    } else {
      base = 8;
    }
  }
  uint64_t value = 0;
  bool overflow = false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    int d = digit_value(s[i]);
    if (d >= static_cast<int>(base)) break;
    if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base)
      overflow = true;
    value = value * base + static_cast<uint64_t>(d);
  }
  if (overflow) return -ERANGE;
  if (i == 0) return -EINVAL;
  s.remove_prefix(i);
  if (!s.empty() && s[0] == '\n') s.remove_prefix(1);
  if (!s.empty()) return -EINVAL;
  out = value;
  return 0;
}

}  // namespace

int kstrtoul(std::string_view s, uint64_t& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  return parse_unsigned(s, out);
}

int kstrtouint(std::string_view s, uint32_t& out) {
  uint64_t value = 0;
  if (int err = kstrtoul(s, value)) return err;
  if (value > std::numeric_limits<uint32_t>::max()) return -ERANGE;
  out = static_cast<uint32_t>(value);
  return 0;
}

int kstrtoint(std::string_view s, int32_t& out) {
  uint64_t magnitude = 0;
  if (!s.empty() && s[0] == '-') {
    if (int err = parse_unsigned(s.substr(1), magnitude)) return err;
    if (magnitude > uint64_t{1} << 31) return -ERANGE;
    out = static_cast<int32_t>(-static_cast<int64_t>(magnitude));
    return 0;
  }
  if (int err = kstrtoul(s, magnitude)) return err;
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) return -ERANGE;
  out = static_cast<int32_t>(magnitude);
  return 0;
}

int kstrtobool(std::string_view s, bool& out) {
  if (s.empty()) return -EINVAL;
  switch (s[0]) {
    case 'y':
    case 'Y':
    case 't':
    case 'T':
    case '1':
      out = true;
      return 0;
    case 'n':
    case 'N':
    case 'f':
    case 'F':
    case '0':
      out = false;
      return 0;
    case 'o':
    case 'O':
      if (s.size() < 2) return -EINVAL;
      if (s[1] == 'n' || s[1] == 'N') {
        out = true;
        return 0;
      }
      if (s[1] == 'f' || s[1] == 'F') {
        out = false;
        return 0;
      }
      return -EINVAL;
    default:
      return -EINVAL;
  }
}

bool sysfs_streq(std::string_view input, std::string_view keyword) {
  if (input == keyword) return true;
  return input.size() == keyword.size() + 1 && input.back() == '\n' &&
         input.substr(0, keyword.size()) == keyword;
}

}  // namespace damonfs::fs::kernel
