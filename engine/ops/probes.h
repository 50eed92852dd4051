// Data-attribute probes (Linux 7.2, monitoring_attrs/probes): after each
// access check, every probe judges the page at each region's sampling
// address with its filters and counts a hit when the page passes.
//
// Filters are judged in order like DAMOS filters: the first whose condition
// holds (type match XNOR `matching`) decides, allow passes and reject drops.
// When none holds, the page passes unless the last filter was an allow
// filter; a probe without filters passes every page. A page no folio holds
// matches neither anon nor memcg.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine/machine/machine.h"
#include "engine/params.h"

namespace damon {

// A probe with its memcg paths put in the form pages report them, so the
// per-sample judgement compares strings only.
struct ReadyProbe {
  struct Rule {
    FilterType type;
    bool matching;
    bool allow;
    std::string memcg;  // memcg: "" for the root
  };
  std::vector<Rule> rules;
};

std::vector<ReadyProbe> ready_probes(std::span<const ProbeParams> probes);

bool probe_hit(const ReadyProbe& probe, const SampledPage& page);

}  // namespace damon
