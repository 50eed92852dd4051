#include "engine/machine/sim/damo_record.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/machine/sim/json_reader.h"
#include "engine/machine/sim/scenario.h"
#include "engine/machine/sim/scenario_io.h"

namespace damon::sim {
namespace {

// zlib streams start with a CMF byte of 0x78 (deflate, 32 KiB window) and
// a check byte making the pair a multiple of 31.
bool zlib_header(std::string_view head) {
  if (head.size() < 2) return false;
  const auto cmf = static_cast<unsigned char>(head[0]), flg = static_cast<unsigned char>(head[1]);
  return cmf == 0x78 && (cmf * 256 + flg) % 31 == 0;
}

std::string inflate_all(std::string_view data, const std::string& path) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw ScenarioError(path + ": cannot start zlib");
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[1 << 16];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) throw ScenarioError(path + ": corrupt compressed record");
    out.append(buf, sizeof(buf) - z.avail_out);
    if (out.size() > kMaxRecordJsonBytes)
      throw ScenarioError(path + ": record too large (more than " + std::to_string(kMaxRecordJsonBytes) +
                          " bytes of JSON)");
    if (rc == Z_STREAM_END) return out;
    if (z.avail_in == 0 && z.avail_out != 0) throw ScenarioError(path + ": truncated compressed record");
  }
}

class RecordParser {
 public:
  RecordParser(std::string_view json, const std::string& file) : r_(json, file) {}

  // `damo record --snapshot` writes one record per snapshot (its target
  // id null): the records of one target are merged, in time order.
  std::vector<DamoRecord> parse() {
    std::vector<DamoRecord> out;
    r_.begin_array();
    while (r_.next_element()) {
      DamoRecord rec = record();
      auto same = std::find_if(out.begin(), out.end(), [&](const DamoRecord& o) { return o.target_id == rec.target_id; });
      if (same == out.end()) {
        out.push_back(std::move(rec));
        continue;
      }
      for (DamoSnapshot& s : rec.snapshots) same->snapshots.push_back(std::move(s));
    }
    for (DamoRecord& rec : out) {
      std::stable_sort(rec.snapshots.begin(), rec.snapshots.end(),
                       [](const DamoSnapshot& a, const DamoSnapshot& b) { return a.start_ns < b.start_ns; });
    }
    return out;
  }

 private:
  DamoRecord record() {
    DamoRecord rec;
    // A null value (damo writes them for what is unset) is as if absent.
    r_.object([&](const std::string& key) {
      if (key == "target_id") {
        rec.target_id = r_.unsigned_value();
      } else if (key == "intervals") {
        intervals(rec);
      } else if (key == "snapshots") {
        r_.begin_array();
        while (r_.next_element()) snapshot(rec);
      } else {
        r_.skip();
      }
    });
    return rec;
  }

  void intervals(DamoRecord& rec) {
    r_.object([&](const std::string& key) {
      if (key == "sample_us") rec.sample_us = r_.unsigned_value();
      else if (key == "aggr_us") rec.aggr_us = r_.unsigned_value();
      else if (key == "ops_update_us") rec.ops_update_us = r_.unsigned_value();
      else r_.skip();
    });
  }

  void snapshot(DamoRecord& rec) {
    DamoSnapshot s;
    r_.object([&](const std::string& key) {
      if (key == "start_time") s.start_ns = r_.unsigned_value();
      else if (key == "end_time") s.end_ns = r_.unsigned_value();
      else if (key == "sample_interval_us") s.sample_us = r_.unsigned_value();
      else if (key == "regions") regions(s);
      else r_.skip();
    });
    if (s.end_ns < s.start_ns) r_.fail("a snapshot ends before it starts");
    // damo appends a placeholder snapshot (one empty region at 0 with -1
    // accesses) to mark the end of some records: it holds nothing.
    if (!s.regions.empty()) rec.snapshots.push_back(std::move(s));
  }

  void regions(DamoSnapshot& s) {
    r_.begin_array();
    while (r_.next_element()) {
      DamoRegion region;
      bool placeholder = false;
      r_.object([&](const std::string& key) {
        if (key == "start") region.start = r_.unsigned_value();
        else if (key == "end") region.end = r_.unsigned_value();
        else if (key == "nr_accesses") placeholder = !nr_accesses(region);
        else r_.skip();
      });
      if (placeholder || region.end == region.start) continue;
      if (region.end < region.start) r_.fail("a region ends before it starts");
      s.regions.push_back(region);
    }
  }

  // False for the placeholder's -1.
  bool nr_accesses(DamoRegion& region) {
    bool valid = true;
    r_.object([&](const std::string& key) {
      if (key == "samples") {
        const double v = r_.numeric_value();
        valid = v >= 0;
        region.nr_accesses = std::max(v, 0.0);
      } else {
        r_.skip();
      }
    });
    return valid;
  }

  JsonReader r_;
};

void put_record(std::ostringstream& o, const DamoRecord& rec) {
  o << "{\"kdamond_idx\": 0, \"context_idx\": 0, \"intervals\": ";
  if (rec.aggr_us) {
    o << "{\"sample_us\": \"" << rec.sample_us << "\", \"aggr_us\": \"" << rec.aggr_us << "\", \"ops_update_us\": \""
      << rec.ops_update_us << "\"}";
  } else {
    o << "null";
  }
  o << ", \"scheme_idx\": null, \"target_id\": " << rec.target_id << ", \"scheme_filters\": [], \"snapshots\": [";
  for (size_t i = 0; i < rec.snapshots.size(); ++i) {
    const DamoSnapshot& s = rec.snapshots[i];
    o << (i ? ",\n" : "\n") << "{\"start_time\": \"" << s.start_ns << "\", \"end_time\": \"" << s.end_ns
      << "\", \"regions\": [";
    uint64_t total = 0;
    for (size_t j = 0; j < s.regions.size(); ++j) {
      const DamoRegion& r = s.regions[j];
      total += r.end - r.start;
      // damo counts samples in whole numbers.
      o << (j ? ", " : "") << "{\"start\": \"" << r.start << "\", \"end\": \"" << r.end
        << "\", \"nr_accesses\": {\"samples\": " << std::llround(r.nr_accesses)
        << ", \"percent\": null}, \"age\": {\"usec\": null, \"aggr_intervals\": 0}, \"probe_hits\": [], "
           "\"sz_filter_passed\": \"0\"}";
    }
    o << "], \"total_bytes\": \"" << total << "\", \"damos_stats\": null, \"sample_interval_us\": ";
    if (s.sample_us) o << '"' << s.sample_us << '"';
    else o << "null";
    o << '}';
  }
  o << "], \"data_source\": \"unknown\"}";
}

}  // namespace

bool looks_like_damo_record(std::string_view head) {
  if (zlib_header(head)) return true;
  for (char c : head) {
    if (c == '[') return true;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return false;
}

std::vector<DamoRecord> parse_damo_records(std::string_view data, const std::string& file) {
  if (zlib_header(data)) return RecordParser(inflate_all(data, file), file).parse();
  return RecordParser(data, file).parse();
}

std::vector<DamoRecord> read_damo_records(const std::string& path) {
  return parse_damo_records(read_text_file(path, kMaxRecordFileBytes), path);
}

std::string damo_records_json(const std::vector<DamoRecord>& records) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < records.size(); ++i) {
    if (i) o << ",\n";
    put_record(o, records[i]);
  }
  o << "]\n";
  return o.str();
}

void write_damo_records(const std::vector<DamoRecord>& records, const std::string& path, bool compressed) {
  std::string data = damo_records_json(records);
  if (compressed) {
    uLongf size = compressBound(static_cast<uLong>(data.size()));
    std::string packed(size, '\0');
    if (compress(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                 static_cast<uLong>(data.size())) != Z_OK)
      throw ScenarioError(path + ": cannot compress the record");
    packed.resize(size);
    data = std::move(packed);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) throw ScenarioError(path + ": cannot write");
}

}  // namespace damon::sim
