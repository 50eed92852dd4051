#include "engine/machine/host/access_sampler.h"

#include "engine/machine/host/page_idle_sampler.h"
#include "engine/machine/host/referenced_sampler.h"
#include "engine/machine/host/soft_dirty_sampler.h"

namespace damon::host {

const char* sampler_name(SamplerKind kind) {
  switch (kind) {
    case SamplerKind::page_idle:
      return "page_idle";
    case SamplerKind::soft_dirty:
      return "soft_dirty";
    case SamplerKind::clear_refs:
      return "clear_refs";
  }
  return "?";
}

bool sampler_available(SamplerKind kind, const KernelFeatures& features) {
  switch (kind) {
    case SamplerKind::page_idle:
      return features.page_idle;
    case SamplerKind::soft_dirty:
      return features.soft_dirty && features.clear_refs;
    case SamplerKind::clear_refs:
      return features.clear_refs;
  }
  return false;
}

std::optional<SamplerKind> best_sampler(const KernelFeatures& features) {
  for (SamplerKind k : {SamplerKind::page_idle, SamplerKind::soft_dirty, SamplerKind::clear_refs})
    if (sampler_available(k, features)) return k;
  return std::nullopt;
}

std::unique_ptr<AccessSampler> make_sampler(SamplerKind kind) {
  switch (kind) {
    case SamplerKind::page_idle:
      return PageIdleSampler::open();
    case SamplerKind::soft_dirty:
      return std::make_unique<SoftDirtySampler>();
    case SamplerKind::clear_refs:
      return std::make_unique<ReferencedSampler>();
  }
  return nullptr;
}

}  // namespace damon::host
