#include "engine/machine/sim/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace damon::sim {
namespace {

struct Unit {
  std::string_view suffix;
  double factor;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Splits "12.5 GiB" into the number and the unit; nullopt when the number
// part is not a finite non-negative decimal.
std::optional<std::pair<double, std::string_view>> split_number(std::string_view text) {
  text = trim(text);
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == 'e' || text[i] == 'E' || text[i] == '+' || text[i] == '-')) {
    // An 'e' only belongs to the number when a digit follows (1e7, not 1ms... or 3EiB).
    if ((text[i] == 'e' || text[i] == 'E') &&
        (i + 1 >= text.size() || !(std::isdigit(static_cast<unsigned char>(text[i + 1])) ||
                                   text[i + 1] == '+' || text[i + 1] == '-')))
      break;
    ++i;
  }
  if (i == 0) return std::nullopt;
  const std::string number(text.substr(0, i));
  char* end = nullptr;
  const double v = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return std::make_pair(v, trim(text.substr(i)));
}

std::optional<double> scaled(std::string_view text, std::initializer_list<Unit> units,
                             double bare_factor) {
  const auto parts = split_number(text);
  if (!parts) return std::nullopt;
  const auto [value, unit] = *parts;
  if (unit.empty()) return value * bare_factor;
  for (const Unit& u : units) {
    if (iequals(unit, u.suffix)) return value * u.factor;
  }
  return std::nullopt;
}

std::optional<uint64_t> to_u64(std::optional<double> v) {
  if (!v || *v >= 0x1.0p64) return std::nullopt;
  return static_cast<uint64_t>(std::llround(*v));
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
  constexpr double K = 1024.0;
  return to_u64(scaled(text,
                       {{"B", 1},
                        {"K", K},
                        {"KB", K},
                        {"KiB", K},
                        {"M", K * K},
                        {"MB", K * K},
                        {"MiB", K * K},
                        {"G", K * K * K},
                        {"GB", K * K * K},
                        {"GiB", K * K * K},
                        {"T", K * K * K * K},
                        {"TB", K * K * K * K},
                        {"TiB", K * K * K * K}},
                       1));
}

std::optional<uint64_t> parse_duration_us(std::string_view text) {
  return to_u64(scaled(text,
                       {{"ns", 1e-3},
                        {"us", 1},
                        {"ms", 1e3},
                        {"s", 1e6},
                        {"sec", 1e6},
                        {"min", 60e6},
                        {"h", 3600e6}},
                       1e3));
}

std::optional<uint64_t> parse_latency_ns(std::string_view text) {
  return to_u64(scaled(text, {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}}, 1));
}

std::optional<double> parse_bandwidth(std::string_view text) {
  constexpr double K = 1024.0;
  return scaled(text,
                {{"B/s", 1},
                 {"KB/s", 1e3},
                 {"MB/s", 1e6},
                 {"GB/s", 1e9},
                 {"TB/s", 1e12},
                 {"KiB/s", K},
                 {"MiB/s", K * K},
                 {"GiB/s", K * K * K}},
                1);
}

std::optional<double> parse_number(std::string_view text) {
  const auto parts = split_number(text);
  if (!parts || !parts->second.empty()) return std::nullopt;
  return parts->first;
}

}  // namespace damon::sim
