// Quantities written in scenario files: sizes, durations, latencies.
//
// A bare number takes the quantity's default unit (bytes, milliseconds,
// nanoseconds); otherwise a unit suffix, with or without a space. Binary
// multiples only for sizes (K = KiB = KB = 1024), because memory sizes are
// meant.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace damon::sim {

std::optional<uint64_t> parse_size(std::string_view text);         // bytes
std::optional<uint64_t> parse_duration_us(std::string_view text);  // bare = ms
std::optional<uint64_t> parse_latency_ns(std::string_view text);   // bare = ns
// Bytes per second: "72GB/s", "26 GB/s", "500MB/s", "1.5GiB/s"; decimal
// for GB/MB/KB (as bandwidths are quoted), binary for GiB/MiB/KiB.
std::optional<double> parse_bandwidth(std::string_view text);
// A plain non-negative decimal number ("0.5", "1e7").
std::optional<double> parse_number(std::string_view text);

}  // namespace damon::sim
