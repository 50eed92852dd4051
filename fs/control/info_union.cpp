#include "fs/control/info_union.h"

#include <cerrno>

namespace damonfs::fs {

const InfoProvider* InfoUnion::owner(const std::string& top) const {
  for (const InfoProvider* p : providers_) {
    if (std::optional<std::vector<InfoEntry>> entries = p->list({}))
      for (const InfoEntry& e : *entries)
        if (e.name == top) return p;
  }
  return nullptr;
}

std::optional<std::vector<InfoEntry>> InfoUnion::list(std::span<const std::string> dir) const {
  if (!dir.empty()) {
    const InfoProvider* p = owner(dir[0]);
    return p ? p->list(dir) : std::nullopt;
  }
  std::vector<InfoEntry> out;
  for (const InfoProvider* p : providers_) {
    std::optional<std::vector<InfoEntry>> entries = p->list({});
    if (!entries) continue;
    for (InfoEntry& e : *entries)
      if (owner(e.name) == p) out.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> InfoUnion::read(std::span<const std::string> file) const {
  const InfoProvider* p = file.empty() ? nullptr : owner(file[0]);
  return p ? p->read(file) : std::nullopt;
}

void InfoUnion::write(std::span<const std::string> file, std::string_view data,
                      InfoWriteDone done) const {
  const InfoProvider* p = file.empty() ? nullptr : owner(file[0]);
  if (!p) return done(-EIO);
  p->write(file, data, std::move(done));
}

}  // namespace damonfs::fs
