#include "tests/support/folio_machine.h"

#include <stdexcept>

namespace damon::test {

void FolioMachine::add_node(int id, uint64_t total_bytes) {
  nodes_.push_back(NodeMemory{.id = id, .total_bytes = total_bytes, .free_bytes = total_bytes});
}

NodeMemory* FolioMachine::node(int id) {
  for (NodeMemory& n : nodes_)
    if (n.id == id) return &n;
  return nullptr;
}

void FolioMachine::set_node_free(int id, uint64_t free_bytes) { node(id)->free_bytes = free_bytes; }

void FolioMachine::place(Space space, uint64_t start, uint64_t end, const FakeFolio& proto) {
  Folios& folios = space_folios(space);
  for (uint64_t a = start; a < end; a += proto.size) {
    folios[a] = proto;
    if (NodeMemory* n = node(proto.node); n && proto.present) n->free_bytes -= proto.size;
  }
}

FakeFolio& FolioMachine::folio(Space space, uint64_t addr) {
  Folios& folios = space_folios(space);
  auto it = folios.upper_bound(addr);
  if (it == folios.begin()) throw std::out_of_range("no folio");
  --it;
  if (addr >= it->first + it->second.size) throw std::out_of_range("no folio");
  return it->second;
}

const FolioMachine::Folios* FolioMachine::find_space(Space space) const {
  auto it = spaces_.find(space.pid);
  return it == spaces_.end() ? nullptr : &it->second;
}

uint64_t FolioMachine::bytes_on_node(Space space, int nid) const {
  uint64_t sum = 0;
  if (const Folios* folios = find_space(space))
    for (const auto& [addr, f] : *folios)
      if (f.present && f.node == nid) sum += f.size;
  return sum;
}

std::vector<Vma> FolioMachine::vmas(int pid) const {
  auto it = vmas_.find(pid);
  return it == vmas_.end() ? std::vector<Vma>{} : it->second;
}

void FolioMachine::mkold(Space space, std::span<const uint64_t> addrs) {
  for (uint64_t a : addrs) {
    try {
      folio(space, a).young = false;
    } catch (const std::out_of_range&) {
    }
  }
}

void FolioMachine::young(Space space, std::span<const uint64_t> addrs, YoungBits& out) {
  out.assign(addrs.size(), false);
  for (size_t i = 0; i < addrs.size(); ++i) {
    try {
      const FakeFolio& f = folio(space, addrs[i]);
      out[i] = f.present && (f.young || f.hot);
    } catch (const std::out_of_range&) {
    }
  }
}

std::optional<uint64_t> FolioMachine::memcg_node_lru_bytes(const std::string& path, int nid) const {
  auto it = memcg_bytes_.find({path, nid});
  if (it == memcg_bytes_.end()) return std::nullopt;
  return it->second;
}

std::vector<FolioInfo> FolioMachine::folios(Space space, AddrRange range) const {
  std::vector<FolioInfo> out;
  const Folios* folios = find_space(space);
  if (!folios) return out;
  auto it = folios->upper_bound(range.start);
  if (it != folios->begin() && std::prev(it)->first + std::prev(it)->second.size > range.start)
    --it;
  for (; it != folios->end() && it->first < range.end; ++it) {
    const FakeFolio& f = it->second;
    out.push_back(FolioInfo{.addr = it->first,
                            .size = f.size,
                            .present = f.present,
                            .anon = f.anon,
                            .active = f.active,
                            .mapped = f.mapped,
                            .node = f.present ? f.node : -1,
                            .memcg = f.memcg});
  }
  return out;
}

bool FolioMachine::test_and_clear_young(Space space, uint64_t addr) {
  FakeFolio& f = folio(space, addr);
  const bool was = f.young || f.hot;
  f.young = false;
  return was;
}

uint64_t FolioMachine::madvise(int pid, AddrRange range, Action action) {
  madvise_calls_.push_back({pid, range, action});
  return range.size();
}

bool FolioMachine::pageout(Space space, uint64_t folio_addr) {
  FakeFolio& f = folio(space, folio_addr);
  if (!f.present) return false;
  f.present = false;
  if (NodeMemory* n = node(f.node)) n->free_bytes += f.size;
  ++pageouts_;
  return true;
}

bool FolioMachine::set_lru(Space space, uint64_t folio_addr, bool active) {
  FakeFolio& f = folio(space, folio_addr);
  const bool changed = f.active != active;
  f.active = active;
  return changed;
}

bool FolioMachine::migrate(Space space, uint64_t folio_addr, int nid) {
  FakeFolio& f = folio(space, folio_addr);
  NodeMemory* to = node(nid);
  if (!f.present || f.node == nid || !to || to->free_bytes < f.size) return false;
  if (NodeMemory* from = node(f.node)) from->free_bytes += f.size;
  to->free_bytes -= f.size;
  f.node = nid;
  ++migrations_;
  return true;
}

}  // namespace damon::test
