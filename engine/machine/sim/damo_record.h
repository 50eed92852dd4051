// damo's record files: what `damo record` and `damo record --snapshot`
// write, read and written here without damo.
//
// The file is a JSON list of records, one per monitoring target; each
// holds its monitoring intervals and a list of snapshots (one per
// aggregation interval for `damo record`, one per capture for --snapshot),
// each a list of regions with the number of samples, out of
// aggr / sample, that found the region accessed. damo writes it as plain
// JSON or, by default, zlib-compressed (`json_compressed`). Only what the
// simulator needs is kept; the rest (ages, DAMOS stats, filters) is
// skipped on reading and written with neutral values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace damon::sim {

struct DamoRegion {
  uint64_t start = 0, end = 0;  // [start, end)
  double nr_accesses = 0;       // samples that saw it accessed
};

struct DamoSnapshot {
  uint64_t start_ns = 0, end_ns = 0;
  uint64_t sample_us = 0;  // 0: the record's (intervals auto-tuning sets it per snapshot)
  std::vector<DamoRegion> regions;
};

struct DamoRecord {
  uint64_t target_id = 0;  // (null in the file: 0)
  // The record's monitoring intervals; 0 when it has none (a record parsed
  // from a trace). Snapshots then tell their own length.
  uint64_t sample_us = 0, aggr_us = 0, ops_update_us = 0;
  std::vector<DamoSnapshot> snapshots;
};

// Whether `head`, the first bytes of a file, look like a damo record: zlib
// data, or JSON whose top level is a list.
bool looks_like_damo_record(std::string_view head);

// Largest record file read, and largest JSON text it may inflate to.
inline constexpr uint64_t kMaxRecordFileBytes = uint64_t{256} << 20;
inline constexpr uint64_t kMaxRecordJsonBytes = uint64_t{2} << 30;

// Reads a record file (plain or compressed JSON). Throws ScenarioError.
std::vector<DamoRecord> read_damo_records(const std::string& path);
// The same from the file's bytes: `data` is JSON or zlib data. `file`
// names it in errors.
std::vector<DamoRecord> parse_damo_records(std::string_view data, const std::string& file);

// The JSON damo writes for these records (what damo's own reader expects).
std::string damo_records_json(const std::vector<DamoRecord>& records);
// Writes them to `path`, zlib-compressed or plain. Throws ScenarioError.
void write_damo_records(const std::vector<DamoRecord>& records, const std::string& path, bool compressed);

}  // namespace damon::sim
