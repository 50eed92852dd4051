// masim configuration files (SeongJae Park's memory access simulator).
//
// Format, as masim reads it: lines starting with '#' are dropped; the first
// paragraph lists regions as "name, length[, initial data file]"; each
// following paragraph (paragraphs are separated by blank lines) is a phase:
// its name, its run time in milliseconds, then access lines "region,
// randomness (1 random, 0 sequential), stride, probability[, ro|wo|rw]".
// masim repeatedly picks one access line with the given probability weights
// and runs a burst of kMasimBurst accesses on its region before it picks
// again, so over a phase each region gets its weight's share of all
// accesses, but only one region is accessed at a time.
//
// A phase with more than one access line becomes that sequence of bursts,
// each a phase of its own (the masim phase's name) in which only the
// burst's region is accessed: DAMON, which samples every few milliseconds,
// sees a region accessed in the windows its bursts fall in and not between
// them. A burst lasts kMasimBurst accesses at its region's rate. A region
// whose accesses miss the caches and TLBs (random ones over a large region)
// takes longer per access than one whose accesses hit them, so a weight is
// a share of the accesses and not of the time; with per-region rates
// (MasimRates) the bursts of a slow region last longer. The picks come from
// a fixed-seed generator: a configuration always gives the same bursts.
#include <algorithm>
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

// A phase needing more bursts than this gets this many, longer ones (a
// phase of hours at masim's speed), so the phase list stays bounded.
constexpr uint64_t kMaxBurstsPerPhase = 1 << 16;

class MasimParser {
 public:
  MasimParser(const std::string& file, const MasimRates& rates) : file_(file), rates_(rates) {}

  void parse(std::string_view text, ProcessSpec& p) {
    const auto paras = paragraphs(text);
    if (paras.empty()) throw ScenarioError(file_ + ": empty masim configuration");
    for (const Line& l : paras[0]) p.regions.push_back(region(l, p));
    check_rates(rates_.per_region, p);
    for (const auto& rates : rates_.per_phase) check_rates(rates, p);
    if (rates_.per_phase.size() > paras.size() - 1)
      throw ScenarioError(file_ + ": rates are given for " + std::to_string(rates_.per_phase.size()) +
                          " phases, the configuration has " + std::to_string(paras.size() - 1));
    if (!(rates_.overall > 0)) throw ScenarioError(file_ + ": the access rate must be positive");
    for (size_t i = 1; i < paras.size(); ++i) {
      // masim runs a 0 ms phase for no time at all; here a 0 duration would
      // mean "endless", so such a phase is simply left out.
      if (phase_ms(paras[i])) phase(paras[i], i - 1, p);
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
    // masim maps its regions one after the other, and Linux puts each new
    // anonymous mapping right below the last one, aligned to 2 MiB for THP
    // only when its length is a multiple of 2 MiB.
    r.adjoin = r.size % (2 * kMiB) != 0;
    return r;
  }

  void check_rates(const std::map<std::string, double>& rates, const ProcessSpec& p) const {
    for (const auto& [name, rate] : rates) {
      if (std::none_of(p.regions.begin(), p.regions.end(), [&](const RegionSpec& r) { return r.name == name; }))
        throw ScenarioError(file_ + ": a rate is given for region '" + name + "', which the configuration lacks");
      if (!(rate > 0)) throw ScenarioError(file_ + ": the rate of region '" + name + "' must be positive");
    }
  }

  uint64_t phase_ms(const std::vector<Line>& lines) const {
    if (lines.size() < 3)
      fail(lines.front(), "a phase is its name, its time in ms, then at least one access line");
    return unsigned_field(lines[1], lines[1].text, "phase time");
  }

  // Accesses per second while region r's bursts run in phase `index`.
  double rate_of(const RegionSpec& r, size_t index) const {
    if (index < rates_.per_phase.size()) {
      const auto it = rates_.per_phase[index].find(r.name);
      if (it != rates_.per_phase[index].end()) return it->second;
    }
    const auto it = rates_.per_region.find(r.name);
    return it == rates_.per_region.end() ? rates_.overall : it->second;
  }

  // The phase in `lines` as p's phases: one when a single region is
  // accessed, else its bursts.
  void phase(const std::vector<Line>& lines, size_t index, ProcessSpec& p) {
    const uint64_t duration_us = phase_ms(lines) * 1000;
    struct Weighted {
      size_t region;
      Access access;  // intensity: accesses per page per second during its bursts
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
      const Pattern pattern = unsigned_field(l, f[1], "randomness") ? Pattern::random : Pattern::sequential;
      const uint64_t stride = unsigned_field(l, f[2], "stride");
      const uint64_t weight = unsigned_field(l, f[3], "probability");
      if (pattern == Pattern::sequential && stride == 0) fail(l, "stride must be positive");
      if (f.size() == 5 && f[4] != "ro" && f[4] != "wo" && f[4] != "rw")
        fail(l, "read/write mode must be ro, wo or rw, got '" + f[4] + "'");
      if (!weight) continue;
      const Access access{0, pattern, pattern == Pattern::random ? 4096 : stride};
      for (const Weighted& w : entries) {
        if (w.region != r) continue;
        if (w.access.pattern != access.pattern || w.access.stride != access.stride)
          fail(l, "region '" + p.regions[r].name +
                      "' is accessed twice in this phase with different patterns (not simulated)");
      }
      const double pages = std::ceil(static_cast<double>(p.regions[r].size) / 4096.0);
      entries.push_back({r, access, weight});
      entries.back().access.intensity = rate_of(p.regions[r], index) / pages;
      total += weight;
    }
    PhaseSpec ph;
    ph.name = lines[0].text;
    ph.access.resize(p.regions.size());
    const bool one_region = std::all_of(entries.begin(), entries.end(),
                                        [&](const Weighted& w) { return w.region == entries.front().region; });
    if (one_region) {  // also a phase of weights 0 only: masim then accesses nothing
      if (!entries.empty()) ph.access[entries.front().region] = entries.front().access;
      ph.duration_us = duration_us;
      p.phases.push_back(std::move(ph));
      return;
    }
    // Bursts: their mean length decides how many the phase holds.
    double mean_us = 0;
    for (const Weighted& w : entries)
      mean_us += static_cast<double>(w.weight) / static_cast<double>(total) * burst_us(p.regions[w.region], index);
    const double stretch =
        std::max(1.0, static_cast<double>(duration_us) / mean_us / static_cast<double>(kMaxBurstsPerPhase));
    double t = 0;
    uint64_t emitted = 0;
    size_t last = entries.size();
    while (emitted < duration_us) {
      uint64_t pick = next_random() % total;
      size_t i = 0;
      while (pick >= entries[i].weight) pick -= entries[i].weight, ++i;
      t += burst_us(p.regions[entries[i].region], index) * stretch;
      const uint64_t end = std::min(duration_us, std::max(emitted + 1, static_cast<uint64_t>(std::llround(t))));
      if (i != last) {  // a new burst; the same line picked again only lengthens the last
        p.phases.push_back(ph);
        p.phases.back().access[entries[i].region] = entries[i].access;
        last = i;
      }
      p.phases.back().duration_us += end - emitted;
      emitted = end;
    }
  }

  double burst_us(const RegionSpec& r, size_t index) const {
    return static_cast<double>(kMasimBurst) / rate_of(r, index) * 1e6;
  }

  uint64_t next_random() {  // xorshift64
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return rng_;
  }

  std::string file_;
  MasimRates rates_;
  uint64_t rng_ = 88172645463325252ULL;
};

}  // namespace

void parse_masim_process(std::string_view text, const std::string& file, const MasimRates& rates,
                         ProcessSpec& process) {
  MasimParser(file, rates).parse(text, process);
}

Scenario parse_masim_scenario(std::string_view text, const std::string& file) {
  Scenario s;
  s.name = file_stem(file);
  s.machine = default_machine();
  ProcessSpec p;
  p.name = s.name.substr(0, kMaxCommLen);
  if (p.name.empty()) p.name = "masim";
  parse_masim_process(text, file, MasimRates{}, p);
  s.processes.push_back(std::move(p));
  validate_file(s, file);
  return s;
}

}  // namespace damon::sim
