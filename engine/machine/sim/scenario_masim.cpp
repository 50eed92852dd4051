// masim configuration files (SeongJae Park's memory access simulator).
//
// Format, as masim reads it: lines starting with '#' are dropped; the first
// paragraph lists regions as "name, length[, initial data file]"; each
// following paragraph (paragraphs are separated by blank lines) is a phase:
// its name, its run time in milliseconds, then access lines "region,
// randomness (1 random, 0 sequential), stride, probability[, ro|wo|rw]".
// masim repeatedly picks one access line with the given probability weights
// and runs a burst of accesses on its region, so over a phase each region
// gets its weight's share of all accesses.
#include <cctype>
#include <charconv>
#include <cmath>

#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/scenario_io.h"

namespace damon::sim {
namespace {

struct Line {
  int number;
  std::string text;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    fields.push_back(trim(std::string_view(line).substr(start, comma - start)));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

// Paragraphs of non-comment lines, each line with its 1-based number.
std::vector<std::vector<Line>> paragraphs(std::string_view text) {
  std::vector<std::vector<Line>> out(1);
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    ++number;
    pos = eol + 1;
    if (!raw.empty() && raw.front() == '#') continue;
    std::string line = trim(raw);
    if (line.empty()) {
      if (!out.back().empty()) out.emplace_back();
    } else {
      out.back().push_back({number, std::move(line)});
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

class MasimParser {
 public:
  MasimParser(const std::string& file, double access_rate) : file_(file), rate_(access_rate) {}

  void parse(std::string_view text, ProcessSpec& p) {
    const auto paras = paragraphs(text);
    if (paras.empty()) throw ScenarioError(file_ + ": empty masim configuration");
    for (const Line& l : paras[0]) p.regions.push_back(region(l, p));
    for (size_t i = 1; i < paras.size(); ++i) {
      PhaseSpec ph = phase(paras[i], p);
      // masim runs a 0 ms phase for no time at all; here a 0 duration would
      // mean "endless", so such a phase is simply left out.
      if (ph.duration_us) p.phases.push_back(std::move(ph));
    }
    if (p.phases.empty())
      throw ScenarioError(file_ + ": no phase with a positive run time after the regions paragraph");
  }

 private:
  [[noreturn]] void fail(const Line& l, const std::string& msg) const {
    throw ScenarioError(located(file_, l.number, msg));
  }

  uint64_t unsigned_field(const Line& l, const std::string& field, const std::string& what) const {
    uint64_t v = 0;
    const char* end = field.data() + field.size();
    const auto r = std::from_chars(field.data(), end, v);
    if (field.empty() || r.ec != std::errc() || r.ptr != end)
      fail(l, what + ": expected a non-negative integer, got '" + field + "'");
    return v;
  }

  RegionSpec region(const Line& l, const ProcessSpec& p) const {
    const auto f = split_fields(l.text);
    if (f.size() != 2 && f.size() != 3) fail(l, "region lines are 'name, length[, initial data file]'");
    RegionSpec r;
    r.name = f[0];
    if (r.name.empty()) fail(l, "region name is empty");
    for (const RegionSpec& other : p.regions) {
      if (other.name == r.name) fail(l, "region '" + r.name + "' defined twice");
    }
    r.size = unsigned_field(l, f[1], "region length");
    if (r.size == 0) fail(l, "region length must be positive");
    return r;
  }

  PhaseSpec phase(const std::vector<Line>& lines, const ProcessSpec& p) const {
    if (lines.size() < 3)
      fail(lines.front(), "a phase is its name, its time in ms, then at least one access line");
    PhaseSpec ph;
    ph.name = lines[0].text;
    ph.duration_us = unsigned_field(lines[1], lines[1].text, "phase time") * 1000;
    ph.access.resize(p.regions.size());

    struct Weighted {
      const Line* line;
      size_t region;
      Pattern pattern;
      uint64_t stride;
      uint64_t weight;
    };
    std::vector<Weighted> entries;
    uint64_t total = 0;
    for (size_t i = 2; i < lines.size(); ++i) {
      const Line& l = lines[i];
      const auto f = split_fields(l.text);
      if (f.size() != 4 && f.size() != 5)
        fail(l, "access lines are 'region, randomness, stride, probability[, ro|wo|rw]'");
      size_t r = 0;
      while (r < p.regions.size() && p.regions[r].name != f[0]) ++r;
      if (r == p.regions.size()) fail(l, "no region named '" + f[0] + "'");
      Weighted w{&l, r, unsigned_field(l, f[1], "randomness") ? Pattern::random : Pattern::sequential,
                 unsigned_field(l, f[2], "stride"), unsigned_field(l, f[3], "probability")};
      if (w.pattern == Pattern::sequential && w.stride == 0) fail(l, "stride must be positive");
      if (f.size() == 5 && f[4] != "ro" && f[4] != "wo" && f[4] != "rw")
        fail(l, "read/write mode must be ro, wo or rw, got '" + f[4] + "'");
      total += w.weight;
      entries.push_back(w);
    }
    for (const Weighted& w : entries) {
      if (!w.weight) continue;
      Access& a = ph.access[w.region];
      const uint64_t stride = w.pattern == Pattern::random ? 4096 : w.stride;
      if (a.intensity > 0 && (a.pattern != w.pattern || a.stride != stride))
        fail(*w.line, "region '" + p.regions[w.region].name +
                          "' is accessed twice in this phase with different patterns (not simulated)");
      const double pages = std::ceil(static_cast<double>(p.regions[w.region].size) / 4096.0);
      a.pattern = w.pattern;
      a.stride = stride;
      a.intensity += rate_ * static_cast<double>(w.weight) / static_cast<double>(total) / pages;
    }
    return ph;
  }

  std::string file_;
  double rate_;
};

}  // namespace

void parse_masim_process(std::string_view text, const std::string& file, double access_rate,
                         ProcessSpec& process) {
  MasimParser(file, access_rate).parse(text, process);
}

Scenario parse_masim_scenario(std::string_view text, const std::string& file) {
  Scenario s;
  s.name = file_stem(file);
  s.machine = default_machine();
  ProcessSpec p;
  p.name = s.name.substr(0, kMaxCommLen);
  if (p.name.empty()) p.name = "masim";
  parse_masim_process(text, file, kDefaultAccessRate, p);
  s.processes.push_back(std::move(p));
  validate_file(s, file);
  return s;
}

}  // namespace damon::sim
