#include "engine/ops/probes.h"

namespace damon {

namespace {

// As written to sysfs (one trailing newline dropped); "/" is the root,
// which pages report as "".
std::string page_memcg_form(const std::string& path) {
  std::string p = !path.empty() && path.back() == '\n' ? path.substr(0, path.size() - 1) : path;
  return p == "/" ? std::string() : p;
}

bool rule_matches(const ReadyProbe::Rule& rule, const SampledPage& page) {
  bool matched = false;
  switch (rule.type) {
    case FilterType::anon:
      matched = page.present && page.anon;
      break;
    case FilterType::memcg:
      matched = page.present && page.memcg == rule.memcg;
      break;
    default:  // the sysfs layer only accepts anon and memcg
      break;
  }
  return matched == rule.matching;
}

}  // namespace

std::vector<ReadyProbe> ready_probes(std::span<const ProbeParams> probes) {
  std::vector<ReadyProbe> out;
  for (const ProbeParams& p : probes) {
    ReadyProbe& ready = out.emplace_back();
    for (const ProbeFilter& f : p.filters)
      ready.rules.push_back({f.type, f.matching, f.allow, page_memcg_form(f.memcg_path)});
  }
  return out;
}

bool probe_hit(const ReadyProbe& probe, const SampledPage& page) {
  bool pass = true;
  for (const ReadyProbe::Rule& rule : probe.rules) {
    if (rule_matches(rule, page)) return rule.allow;
    pass = !rule.allow;
  }
  return pass;
}

}  // namespace damon
