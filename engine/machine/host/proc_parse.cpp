#include "engine/machine/host/proc_parse.h"

#include <algorithm>
#include <charconv>

namespace damon::host {

namespace {

// Calls fn(line) for each line, without the newline.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// The next whitespace-separated field; `s` moves past it.
std::string_view next_field(std::string_view& s) {
  s = trim_left(s);
  size_t end = 0;
  while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
  std::string_view field = s.substr(0, end);
  s.remove_prefix(end);
  return field;
}

std::optional<uint64_t> parse_u64(std::string_view s, int base = 10) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// "start-end" in hex.
std::optional<AddrRange> parse_hex_range(std::string_view s) {
  const size_t dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = parse_u64(s.substr(0, dash), 16);
  auto end = parse_u64(s.substr(dash + 1), 16);
  if (!start || !end) return std::nullopt;
  return AddrRange{*start, *end};
}

// "Key:   123 kB" -> 123 * 1024 when the line starts with `key` ":".
std::optional<uint64_t> kb_field(std::string_view line, std::string_view key) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':')
    return std::nullopt;
  std::string_view rest = line.substr(key.size() + 1);
  auto kb = parse_u64(next_field(rest));
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

// "N<nid>=<value>" fields after the first of a numa_stat line.
std::optional<uint64_t> node_value(std::string_view rest, int nid) {
  for (std::string_view f = next_field(rest); !f.empty(); f = next_field(rest)) {
    const size_t eq = f.find('=');
    if (f.front() != 'N' || eq == std::string_view::npos) continue;
    if (parse_u64(f.substr(1, eq - 1)) == static_cast<uint64_t>(nid)) return parse_u64(f.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

std::vector<Vma> parse_maps(std::string_view text) {
  std::vector<Vma> out;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    auto range = parse_hex_range(next_field(rest));
    next_field(rest);  // perms
    auto offset = parse_u64(next_field(rest), 16);
    next_field(rest);  // dev
    auto inode = parse_u64(next_field(rest));
    if (!range || !offset || !inode || range->end <= range->start) return;
    Vma v;
    v.start = range->start;
    v.end = range->end;
    v.anon = *inode == 0;
    v.pgoff = v.anon ? v.start / kPageSize : *offset / kPageSize;
    v.name = std::string(trim_left(rest));
    out.push_back(std::move(v));
  });
  return out;
}

std::vector<SmapsEntry> parse_smaps(std::string_view text) {
  std::vector<SmapsEntry> out;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty()) return;
    // Mapping headers start with a hex address; field lines with a name.
    const char c = line.front();
    const bool header = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (header) {
      std::string_view rest = line;
      if (auto range = parse_hex_range(next_field(rest)))
        out.push_back(SmapsEntry{.start = range->start, .end = range->end});
      return;
    }
    if (out.empty()) return;
    SmapsEntry& e = out.back();
    if (auto v = kb_field(line, "Rss")) {
      e.rss_bytes = *v;
    } else if (auto r = kb_field(line, "Referenced")) {
      e.referenced_bytes = *r;
    } else if (auto h = kb_field(line, "AnonHugePages")) {
      e.anon_huge_bytes = *h;
    }
  });
  return out;
}

std::optional<uint64_t> meminfo_bytes(std::string_view text, std::string_view key) {
  std::optional<uint64_t> found;
  for_each_line(text, [&](std::string_view line) {
    if (found) return;
    // Node meminfo: "Node 0 MemTotal:  123 kB".
    if (line.substr(0, 5) == "Node ") {
      std::string_view rest = line.substr(5);
      next_field(rest);
      line = trim_left(rest);
    }
    found = kb_field(line, key);
  });
  return found;
}

std::optional<uint64_t> psi_some_total_us(std::string_view text) {
  std::optional<uint64_t> found;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    if (next_field(rest) != "some") return;
    for (std::string_view f = next_field(rest); !f.empty(); f = next_field(rest)) {
      if (f.substr(0, 6) == "total=") found = parse_u64(f.substr(6));
    }
  });
  return found;
}

std::vector<AddrRange> iomem_system_ram(std::string_view text) {
  std::vector<AddrRange> out;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty() || line.front() == ' ') return;  // nested resources
    const size_t colon = line.find(" : ");
    if (colon == std::string_view::npos || line.substr(colon + 3) != "System RAM") return;
    auto range = parse_hex_range(line.substr(0, colon));
    if (!range || range->end == 0) return;  // zeros: not allowed to see addresses
    out.push_back({range->start, range->end + 1});
  });
  std::sort(out.begin(), out.end(),
            [](const AddrRange& a, const AddrRange& b) { return a.start < b.start; });
  return out;
}

std::vector<NodeSpan> zoneinfo_node_spans(std::string_view text) {
  std::vector<NodeSpan> out;
  int nid = -1;
  uint64_t spanned = 0;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    const std::string_view key = next_field(rest);
    if (key == "Node") {  // "Node 0, zone   Normal": a new zone
      std::string_view id = next_field(rest);
      if (!id.empty() && id.back() == ',') id.remove_suffix(1);
      nid = static_cast<int>(parse_u64(id).value_or(0));
      spanned = 0;
    } else if (key == "spanned") {
      spanned = parse_u64(next_field(rest)).value_or(0);
    } else if (key == "start_pfn:" && nid >= 0 && spanned) {
      if (auto start = parse_u64(next_field(rest))) out.push_back({*start, *start + spanned, nid});
    }
  });
  std::sort(out.begin(), out.end(),
            [](const NodeSpan& a, const NodeSpan& b) { return a.start_pfn < b.start_pfn; });
  return out;
}

bool cpulist_has_cpu(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<uint64_t> numa_stat_v2_lru_bytes(std::string_view text, int nid) {
  static constexpr std::string_view kLists[] = {"active_anon", "inactive_anon", "active_file",
                                                "inactive_file"};
  uint64_t total = 0;
  int seen = 0;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    const std::string_view key = next_field(rest);
    if (std::find(std::begin(kLists), std::end(kLists), key) == std::end(kLists)) return;
    if (auto v = node_value(rest, nid)) {
      total += *v;
      ++seen;
    }
  });
  if (!seen) return std::nullopt;
  return total;
}

std::optional<uint64_t> numa_stat_v1_lru_bytes(std::string_view text, int nid, uint64_t page_size) {
  uint64_t pages = 0;
  int seen = 0;
  for_each_line(text, [&](std::string_view line) {
    std::string_view rest = line;
    const std::string_view head = next_field(rest);
    if (head.substr(0, head.find('=')) != "hierarchical_anon" &&
        head.substr(0, head.find('=')) != "hierarchical_file")
      return;
    if (auto v = node_value(rest, nid)) {
      pages += *v;
      ++seen;
    }
  });
  if (!seen) return std::nullopt;
  return pages * page_size;
}

std::optional<std::string> memory_cgroup_of(std::string_view proc_cgroup_text, bool v1) {
  std::optional<std::string> found;
  for_each_line(proc_cgroup_text, [&](std::string_view line) {
    // "hierarchy-id:controller-list:path"
    const size_t c1 = line.find(':');
    const size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return;
    const std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string_view path = line.substr(c2 + 1);
    bool match = false;
    if (v1) {
      std::string_view list = controllers;
      while (!list.empty() && !match) {
        const size_t comma = list.find(',');
        match = list.substr(0, comma) == "memory";
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    } else {
      match = line.substr(0, c1) == "0" && controllers.empty();
    }
    if (match) found = std::string(path == "/" ? std::string_view() : path);
  });
  return found;
}

}  // namespace damon::host
