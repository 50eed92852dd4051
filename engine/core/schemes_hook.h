// Where DAMOS (engine/damos) plugs into the monitoring loop (engine/core).
//
// core/ knows nothing about schemes; the kdamond loop calls these at the
// points the kernel's kdamond_fn calls into DAMOS.
#pragma once

#include <cstdint>

namespace damon {

class Context;

class SchemesHook {
 public:
  virtual ~SchemesHook() = default;
  // Step 1 of the loop: when every scheme is watermark-deactivated, how long
  // to sleep before checking again (µs); 0 when at least one is active or
  // there are no schemes.
  virtual uint64_t watermark_wait_us(Context& ctx) = 0;
  // Step 7: apply the schemes that are due (after merge, before the
  // aggregation reset and split).
  virtual void apply(Context& ctx) = 0;
};

}  // namespace damon
