// Several InfoProviders shown as one damonfs/ directory: the top level
// lists every provider's entries, and each path below belongs to the
// provider that lists its first component.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fs/tree/info_provider.h"

namespace damonfs::fs {

class InfoUnion final : public InfoProvider {
 public:
  // The providers must outlive this object; earlier ones win a name clash.
  InfoUnion(std::initializer_list<const InfoProvider*> providers) : providers_(providers) {}

  std::optional<std::vector<InfoEntry>> list(std::span<const std::string> dir) const override;
  std::optional<std::string> read(std::span<const std::string> file) const override;
  void write(std::span<const std::string> file, std::string_view data,
             InfoWriteDone done) const override;

 private:
  const InfoProvider* owner(const std::string& top) const;

  std::vector<const InfoProvider*> providers_;
};

}  // namespace damonfs::fs
