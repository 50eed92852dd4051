// The tree fuzzer's input language: one operation per line,
//
//   <op> <path> <data>
//
// <op> is one byte, <path> a '/'-separated path from the mount root (it
// ends at the first space), <data> the rest of the line with C-like escapes
// (\n \t \0 \\ \xHH) and one length escape: \LNNN; repeats the bytes decoded
// so far until the data is NNN bytes long (stores longer than a page).
//
// The format is text so that the seed corpus is readable and a mutated
// input is still mostly meaningful: an unknown op byte still picks an op,
// and a path component that names nothing still picks an entry (see
// PathWalker in tree_write_fuzzer.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace damonfs::fs::fuzz {

// Longest store the decoder builds: two pages and a bit, enough to cross
// Tree::kMaxStore.
inline constexpr size_t kMaxData = 2 * 4096 + 64;

struct Op {
  unsigned char kind = 0;
  std::string path;
  std::string data;
};

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::string decode_data(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size() && out.size() < kMaxData; ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out.push_back(in[i]);
      continue;
    }
    char e = in[++i];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case '0':
        out.push_back('\0');
        break;
      case 'x':
        if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
          out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
          i += 2;
        } else {
          out.push_back('x');
        }
        break;
      case 'L': {
        size_t len = 0;
        while (i + 1 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '9') {
          len = std::min(len * 10 + static_cast<size_t>(in[++i] - '0'), kMaxData);
        }
        if (i + 1 < in.size() && in[i + 1] == ';') ++i;
        if (out.empty()) out.push_back('0');
        for (size_t k = 0; out.size() < len; ++k) out.push_back(out[k]);
        break;
      }
      default:
        out.push_back(e);
    }
  }
  return out;
}

inline std::vector<Op> parse_script(std::string_view input) {
  std::vector<Op> ops;
  while (!input.empty()) {
    size_t eol = input.find('\n');
    std::string_view line = input.substr(0, eol);
    input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
    if (line.empty()) continue;
    Op op;
    op.kind = static_cast<unsigned char>(line[0]);
    line.remove_prefix(1);
    if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
    size_t space = line.find(' ');
    op.path = std::string(line.substr(0, space));
    if (space != std::string_view::npos) op.data = decode_data(line.substr(space + 1));
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace damonfs::fs::fuzz
