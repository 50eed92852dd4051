// A scenario: the simulated machine and the workload that runs on it.
//
// Plain data, produced by the parsers (YAML, masim) or by hand in tests, and
// consumed by SimMachine. The file format is documented in
// damonfs-scenario(5); every limit the parsers enforce is checked again by
// validate() so hand-built scenarios get the same errors.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace damon::sim {

// A parse or validation error. what() is "file:line: message" (no line
// when the problem is not tied to one).
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr uint64_t kGiB = 1ULL << 30;
inline constexpr uint64_t kMiB = 1ULL << 20;
// The kernel's TASK_COMM_LEN - 1: longest process name `pgrep -x` can match.
inline constexpr size_t kMaxCommLen = 15;

struct NodeSpec {
  int id = 0;
  uint64_t capacity = 0;    // bytes, a multiple of the page size
  uint64_t latency_ns = 100;  // cost of one access to this node
  bool has_cpu = true;      // false: a memory-only (CXL-like) node
  uint64_t reserved = 0;    // bytes used by the "kernel": never free, never monitored
  // Onlined to ZONE_MOVABLE, as daxctl onlines CXL / dax kmem memory by
  // default: the node gets only a token min watermark (physical_memory.cpp).
  bool movable = false;
  // Bytes per second the node can serve; 0: unlimited (no bandwidth model
  // for this node: its accesses always take latency_ns).
  double bandwidth = 0;
};

// One thread copying pages: the order of a single core's STREAM Copy rate on
// current x86 servers (about 10 GB/s); see
// docs/simulator-performance-model.md.
inline constexpr double kDefaultMigrationBandwidth = 10e9;

// What NUMA balancing's events cost the process's threads (numa_balancing.h),
// from published measurements (docs/simulator-performance-model.md). Not
// scenario keys: fixed figures, variable only for the sensitivity tests.
struct NumaCosts {
  // A hinting fault: a minor fault (exception entry and exit, PTE fix-up,
  // the NUMA fault bookkeeping), 1-2 us on current x86 servers; the middle.
  double hint_fault_ns = 1500;
  // A promotion, besides its fault and the copy (at migration_bandwidth):
  // isolating the folio from the LRU, allocating on the upper node,
  // unmapping, remapping. Linux migrates base pages one at a time at a few
  // hundred MB/s per thread (Yan et al., "Nimble Page Management for Tiered
  // Memory Systems", ASPLOS 2019: its baseline leaves up to 95 % of the
  // memory bandwidth unused); 10 us per folio is 0.4 GB/s of 4 KiB pages.
  double migrate_overhead_ns = 10000;
  // A scan's TLB shootdown (change_prot_numa() flushes the range): an IPI
  // to each CPU running the process, a few microseconds each way (Amit,
  // "Optimizing the TLB Shootdown Algorithm with Page Access Tracking",
  // USENIX ATC 2017); each of the process's threads loses this much.
  double shootdown_ns = 2000;
};

struct MachineSpec {
  // First physical address; nodes follow one another from here in the order
  // given. 4 GiB like the second System RAM range of a PC.
  uint64_t phys_base = 4 * kGiB;
  // Cost of an access that finds its page paged out (swap-in), on top of
  // the access itself; also what each such fault adds to the memory PSI.
  uint64_t fault_latency_ns = 20000;
  // Bytes per second one migrating thread copies (bandwidth model only):
  // a migration's traffic loads its source and destination nodes at this
  // rate until the copy is done. bandwidth_model.h says where it comes from.
  double migration_bandwidth = kDefaultMigrationBandwidth;
  // NUMA balancing in tiering mode (the kernel's numa_balancing = 2, with
  // demotion_enabled): hinting faults promote pages of CPU-less nodes in
  // the faulting process's context, reclaim demotes when the upper node
  // fills (numa_balancing.h). Needs the bandwidth model.
  bool numa_balancing = false;
  // Bytes of a process's memory each NUMA-balancing scan protects: the
  // kernel's numa_balancing_scan_size_mb (256), scaled with the scenario.
  uint64_t numa_scan_size = 256 * kMiB;
  NumaCosts numa_costs;
  std::vector<NodeSpec> nodes;
  // Whether any node has a bandwidth: then the bandwidth model is on.
  bool bandwidth_limited() const;
};

enum class Pattern { random, sequential };

// How one region is accessed during one phase.
struct Access {
  // Mean accesses per page per second. Random: each page independently, a
  // Poisson process of this rate. Sequential: a cursor sweeps the region
  // touching one address every `stride` bytes, at a speed giving each page
  // this many touches per second on average.
  double intensity = 0;
  Pattern pattern = Pattern::random;
  uint64_t stride = 4096;  // sequential only, bytes
};

struct PhaseSpec {
  std::string name;
  uint64_t duration_us = 0;
  std::vector<Access> access;  // one per region of the process, same order
};

struct RegionSpec {
  std::string name;
  uint64_t size = 0;        // bytes (rounded up to whole pages when laid out)
  std::optional<int> node;  // preferred node for its pages; else the process's
  // Backed by 2 MiB huge pages wherever an aligned 2 MiB fits in its
  // mapping: adjoining anonymous THP regions are one mapping, whose huge
  // pages straddle the edges between them.
  bool thp = false;
  bool active = false;      // starts on the active LRU list
  std::string file;         // file-backed mapping of this path; "" = anonymous
  // Placed right below the region before it in the list, with no gap and
  // no huge-page alignment between them: parts of one mapping (a replayed
  // record cuts its mappings into such parts). Ignored on the first region.
  bool adjoin = false;
  // All its pages are touched at the same instants (random pattern), and
  // the process's regions accessed together take their instants from one
  // stream, a rarer one only when the busier ones are
  // (AccessSchedule::together_touched). A replayed record's segments are.
  bool together = false;
};

struct ProcessSpec {
  std::string name;         // comm, at most kMaxCommLen characters
  std::string cgroup;       // memcg path ("/a/b"); "" = the root cgroup
  std::optional<int> node;  // preferred node; default: the first node with CPUs
  bool loop = true;         // repeat the phases forever; false: exit after the last
  // Threads sharing its work: a stall of one thread (a hinting fault, a
  // synchronous promotion) costs 1/threads of the process's progress.
  uint32_t threads = 1;
  // Whether the program's own mappings (text, data, heap, stack) are
  // accessed. A replayed record already holds what the real process did
  // there: its replay turns them off.
  bool program_accesses = true;
  std::vector<RegionSpec> regions;
  // Empty: one endless phase. A process always has at least one phase once
  // parsed (the parsers turn per-region defaults into it).
  std::vector<PhaseSpec> phases;
};

struct Scenario {
  std::string name;
  uint64_t seed = 0;
  MachineSpec machine;
  std::vector<ProcessSpec> processes;
};

// Throws ScenarioError (without a line number) when the scenario cannot be
// simulated: duplicate node ids, no node with CPUs, unknown preferred node,
// name too long, access list not matching the regions, memory that does not
// fit, ...
void validate(const Scenario& scenario);

// The machine every masim scenario runs on, and the one the built-in
// default scenario describes: DRAM node 0 with CPUs, CXL-like node 1
// without, physical memory from 4 GiB.
MachineSpec default_machine();

// --- loading -----------------------------------------------------------

// Loads a YAML scenario, a masim configuration or a damo record
// (scenario_replay.h). A file holding zlib data or a JSON list is a damo
// record (up to kMaxRecordFileBytes); otherwise files named *.yaml/*.yml
// are YAML, *.masim/*.cfg are masim, and anything else is YAML when its top
// level is a mapping and masim otherwise.
Scenario load_scenario(const std::string& path);

// `file` names the source in error messages and is the base for relative
// paths inside it (masim: keys).
Scenario parse_yaml_scenario(std::string_view text, const std::string& file);
// One process, named after the file (without directory and extension, cut
// to kMaxCommLen), on default_machine().
Scenario parse_masim_scenario(std::string_view text, const std::string& file);
// Accesses per second of a process whose phases come from masim weights
// (masim's own loop does about this many on a latency-bound CPU).
inline constexpr double kDefaultAccessRate = 1e7;
// Accesses masim makes on a region each time it picks one (its
// nr_accesses_per_region).
inline constexpr uint64_t kMasimBurst = 128 * 1024;

// How fast a masim process accesses memory: accesses per second while the
// bursts of a region run. The first of per_phase[i] (phase i of the
// configuration, zero-time phases counted), per_region, overall that names
// the region applies.
struct MasimRates {
  double overall = kDefaultAccessRate;
  std::map<std::string, double> per_region;
  std::vector<std::map<std::string, double>> per_phase;
};

// A masim configuration as the regions and phases of one process
// (scenario_masim.cpp: a phase with several access lines becomes masim's
// bursts, one region at a time, each lasting kMasimBurst accesses at its
// region's rate).
void parse_masim_process(std::string_view text, const std::string& file, const MasimRates& rates,
                         ProcessSpec& process);

// The built-in scenario, used when none is given (scenarios/default.yaml
// holds the same text).
Scenario default_scenario();
std::string_view default_scenario_yaml();

}  // namespace damon::sim
