// Idle page tracking (CONFIG_IDLE_PAGE_TRACKING), the mechanism closest to
// the kernel DAMON's own: writing a frame's bit to
// /sys/kernel/mm/page_idle/bitmap clears the accessed bits of every mapping
// of that page; reading it back walks them again and says whether any was
// set since. Per page, reads and writes. Virtual addresses become frames
// through /proc/PID/pagemap (which shows frame numbers to CAP_SYS_ADMIN
// only); physical addresses are frames already, so paddr works too.
//
// The bitmap only tracks pages on an LRU list, and of a compound page (THP,
// large folio) only its head frame: sampled frames are moved to their head
// through /proc/kpageflags. A physical frame off the LRU (free, kernel, page
// tables) reads as not accessed, like DAMON's paddr, which checks folios it
// can isolate only.
#pragma once

#include <memory>

#include "engine/machine/host/access_sampler.h"
#include "engine/machine/host/page_tables.h"
#include "engine/machine/host/proc_io.h"

namespace damon::host {

class PageIdleSampler final : public AccessSampler {
 public:
  // nullptr when the bitmap or /proc/kpageflags cannot be opened.
  static std::unique_ptr<PageIdleSampler> open();

  SamplerKind kind() const override { return SamplerKind::page_idle; }
  SamplerInfo info() const override;
  bool physical() const override { return true; }
  int mkold(Space space, std::span<const uint64_t> addrs) override;
  int young(Space space, std::span<const uint64_t> addrs, YoungBits& out) override;
  int test_and_clear_young(Space space, uint64_t addr, bool& young) override;

 private:
  PageIdleSampler(UniqueFd bitmap, UniqueFd kpageflags)
      : bitmap_(std::move(bitmap)), kpageflags_(std::move(kpageflags)) {}

  // The head frames of the folios holding `addrs`; frame 0 for no page.
  int frames(Space space, std::span<const uint64_t> addrs, std::vector<HeadFrame>& heads) const;
  int mark_idle(std::span<const HeadFrame> heads);
  // Whether each folio counts as not accessed since mark_idle(): still
  // idle, or (physical frames) not a user page at all.
  int still_idle(Space space, std::span<const HeadFrame> heads, std::vector<bool>& idle) const;

  UniqueFd bitmap_;
  UniqueFd kpageflags_;
};

}  // namespace damon::host
