// damo record files: reading what damo writes, writing what damo reads.
#include "engine/machine/sim/damo_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/machine/sim/scenario.h"

namespace damon::sim {
namespace {

// The shape `damo record` writes (raw values: numbers as strings, indent 4),
// with keys this reader does not need and damo's end-of-record placeholder.
constexpr std::string_view kDamoJson = R"([
    {
        "kdamond_idx": 0,
        "context_idx": 0,
        "intervals": {
            "sample_us": "5000",
            "aggr_us": "100000",
            "ops_update_us": "1000000",
            "intervals_goal": {"access_bp": "0", "aggrs": "0", "min_sample_us": "0", "max_sample_us": "0"}
        },
        "scheme_idx": null,
        "target_id": 0,
        "scheme_filters": [],
        "snapshots": [
            {
                "start_time": "1000000000",
                "end_time": "1100000000",
                "regions": [
                    {"start": "4194304", "end": "8388608",
                     "nr_accesses": {"samples": 20, "percent": null},
                     "age": {"usec": null, "aggr_intervals": 3},
                     "probe_hits": [], "sz_filter_passed": "0"},
                    {"start": "8388608", "end": "16777216",
                     "nr_accesses": {"samples": 0, "percent": null},
                     "age": {"usec": null, "aggr_intervals": 9}}
                ],
                "total_bytes": "12582912",
                "damos_stats": null,
                "sample_interval_us": null
            },
            {
                "start_time": "1100000000",
                "end_time": "1100000000",
                "regions": [{"start": "0", "end": "0", "nr_accesses": {"samples": -1, "percent": null},
                             "age": {"usec": null, "aggr_intervals": -1}}],
                "total_bytes": "0", "damos_stats": null, "sample_interval_us": null
            }
        ],
        "data_source": "unknown"
    }
]
)";

TEST(DamoRecord, ReadsWhatDamoRecordWrites) {
  const auto records = parse_damo_records(kDamoJson, "r.json");
  ASSERT_EQ(records.size(), 1u);
  const DamoRecord& r = records[0];
  EXPECT_EQ(r.sample_us, 5000u);
  EXPECT_EQ(r.aggr_us, 100000u);
  EXPECT_EQ(r.ops_update_us, 1000000u);
  ASSERT_EQ(r.snapshots.size(), 1u);  // the placeholder is dropped
  const DamoSnapshot& s = r.snapshots[0];
  EXPECT_EQ(s.start_ns, 1000000000u);
  EXPECT_EQ(s.end_ns, 1100000000u);
  ASSERT_EQ(s.regions.size(), 2u);
  EXPECT_EQ(s.regions[0].start, 4194304u);
  EXPECT_EQ(s.regions[0].end, 8388608u);
  EXPECT_EQ(s.regions[0].nr_accesses, 20);
  EXPECT_EQ(s.regions[1].nr_accesses, 0);
  EXPECT_TRUE(looks_like_damo_record(kDamoJson));
  EXPECT_FALSE(looks_like_damo_record("name: x\nprocesses: []\n"));
  EXPECT_FALSE(looks_like_damo_record("a, 4096\n"));
}

// What `damo record --snapshot` writes: one record per snapshot, no target
// id, numbers with thousands separators and units.
TEST(DamoRecord, SnapshotRecordsOfOneTargetAreMerged) {
  std::string json = "[";
  for (int k = 2; k >= 0; --k) {
    json += std::string(k == 2 ? "" : ",") + "{\"intervals\": {\"sample_us\": \"5000\", \"aggr_us\": \"100000\"}, " +
            "\"scheme_idx\": 0, \"target_id\": null, \"snapshots\": [{\"start_time\": \"" + std::to_string(k) +
            "00000000\", \"end_time\": \"" + std::to_string(k + 1) + "00000000\", \"regions\": [" +
            "{\"start\": \"4,194,304\", \"end\": \"17,022,976\", \"nr_accesses\": {\"samples\": " +
            std::to_string(k) + ", \"percent\": null}, \"sz_filter_passed\": \"0 B\"}]}]}";
  }
  json += "]";
  const auto records = parse_damo_records(json, "s.json");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].target_id, 0u);
  ASSERT_EQ(records[0].snapshots.size(), 3u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(records[0].snapshots[k].start_ns, static_cast<uint64_t>(k) * 100000000);
    EXPECT_EQ(records[0].snapshots[k].regions[0].start, 4194304u);
    EXPECT_EQ(records[0].snapshots[k].regions[0].end, 17022976u);
    EXPECT_EQ(records[0].snapshots[k].regions[0].nr_accesses, k);
  }
}

TEST(DamoRecord, RejectsMalformedRecordsWithTheirPlace) {
  auto error = [](std::string_view json) {
    try {
      parse_damo_records(json, "bad.json");
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("[{\"target_id\": 0, \"snapshots\": [{\"start_time\": \"x\"}]}]").find("non-negative integer"),
            std::string::npos);
  EXPECT_NE(error("[{\"target_id\": 0 \"snapshots\": []}]").find("expected ','"), std::string::npos);
  EXPECT_NE(error("[{\"target_id\": 0, \"snapshots\": [").find("unexpected end"), std::string::npos);
  EXPECT_NE(error(std::string("\x78\x9c garbage", 10)).find("corrupt compressed record"), std::string::npos);
}

TEST(DamoRecord, WritesWhatItReadsPlainAndCompressed) {
  std::vector<DamoRecord> records(2);
  for (size_t t = 0; t < records.size(); ++t) {
    records[t].target_id = t;
    records[t].sample_us = 5000;
    records[t].aggr_us = 100000;
    records[t].ops_update_us = 1000000;
    for (uint64_t k = 0; k < 3; ++k) {
      DamoSnapshot s{k * 100'000'000, (k + 1) * 100'000'000, 0, {}};
      s.regions.push_back({0x7f0000000000 + t * 4096, 0x7f0000100000, static_cast<double>(k + t)});
      records[t].snapshots.push_back(s);
    }
  }
  for (const bool compressed : {false, true}) {
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("damonfs-record-" + std::to_string(getpid()) + (compressed ? ".z" : ".json"));
    write_damo_records(records, path.string(), compressed);
    std::ifstream in(path, std::ios::binary);
    std::string head(2, '\0');
    in.read(head.data(), 2);
    EXPECT_EQ(head[0] == '\x78', compressed);
    const auto back = read_damo_records(path.string());
    std::filesystem::remove(path);
    ASSERT_EQ(back.size(), 2u);
    for (size_t t = 0; t < 2; ++t) {
      EXPECT_EQ(back[t].target_id, t);
      EXPECT_EQ(back[t].aggr_us, 100000u);
      ASSERT_EQ(back[t].snapshots.size(), 3u);
      for (size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(back[t].snapshots[k].start_ns, records[t].snapshots[k].start_ns);
        ASSERT_EQ(back[t].snapshots[k].regions.size(), 1u);
        EXPECT_EQ(back[t].snapshots[k].regions[0].start, records[t].snapshots[k].regions[0].start);
        EXPECT_EQ(back[t].snapshots[k].regions[0].nr_accesses, static_cast<double>(k + t));
      }
    }
  }
}

}  // namespace
}  // namespace damon::sim
