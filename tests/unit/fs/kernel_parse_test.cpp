// The kernel's store parsers, case by case (docs/interface.md, "Parsing").
#include "fs/tree/kernel_parse.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>

namespace damonfs::fs::kernel {
namespace {

struct UlCase {
  std::string in;
  int err;
  uint64_t value;
};

TEST(KstrtoulTest, AcceptsKernelNumberForms) {
  const UlCase cases[] = {
      {"0", 0, 0},
      {"42", 0, 42},
      {"42\n", 0, 42},
      {"+7", 0, 7},
      {"0x10", 0, 16},
      {"0X1f", 0, 31},
      {"010", 0, 8},
      {"00", 0, 0},
      {"18446744073709551615", 0, UINT64_MAX},
      {"0xffffffffffffffff", 0, UINT64_MAX},
  };
  for (const UlCase& c : cases) {
    uint64_t v = 12345;
    EXPECT_EQ(kstrtoul(c.in, v), c.err) << "input " << c.in;
    EXPECT_EQ(v, c.value) << "input " << c.in;
  }
}

TEST(KstrtoulTest, RejectsWithEinvalOrErange) {
  const UlCase cases[] = {
      {"", -EINVAL, 0},
      {"\n", -EINVAL, 0},
      {" 1", -EINVAL, 0},
      {"1 ", -EINVAL, 0},
      {"1\n\n", -EINVAL, 0},
      {"1\r\n", -EINVAL, 0},
      {"-1", -EINVAL, 0},
      {"-0", -EINVAL, 0},
      {"abc", -EINVAL, 0},
      {"1abc", -EINVAL, 0},
      {"1.0", -EINVAL, 0},
      {"0b1", -EINVAL, 0},
      {"08", -EINVAL, 0},
      {"0x", -EINVAL, 0},
      {"0xg", -EINVAL, 0},
      {"++1", -EINVAL, 0},
      {"+", -EINVAL, 0},
      {"18446744073709551616", -ERANGE, 0},
      // Overflow is reported before the junk after the digits.
      {"99999999999999999999x", -ERANGE, 0},
      {"0x10000000000000000", -ERANGE, 0},
  };
  for (const UlCase& c : cases) {
    uint64_t v = 12345;
    EXPECT_EQ(kstrtoul(c.in, v), c.err) << "input " << c.in;
    EXPECT_EQ(v, 12345u) << "value must stay on error, input " << c.in;
  }
}

TEST(KstrtouintTest, RangeIs32Bits) {
  uint32_t v = 0;
  EXPECT_EQ(kstrtouint("4294967295", v), 0);
  EXPECT_EQ(v, UINT32_MAX);
  EXPECT_EQ(kstrtouint("4294967296", v), -ERANGE);
  EXPECT_EQ(kstrtouint("18446744073709551616", v), -ERANGE);
  EXPECT_EQ(kstrtouint("-1", v), -EINVAL);
  EXPECT_EQ(v, UINT32_MAX);
}

TEST(KstrtointTest, SignedRangeAndForms) {
  int32_t v = 0;
  EXPECT_EQ(kstrtoint("-2147483648", v), 0);
  EXPECT_EQ(v, INT32_MIN);
  EXPECT_EQ(kstrtoint("2147483647", v), 0);
  EXPECT_EQ(v, INT32_MAX);
  EXPECT_EQ(kstrtoint("-0", v), 0);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(kstrtoint("-0x10\n", v), 0);
  EXPECT_EQ(v, -16);
  EXPECT_EQ(kstrtoint("+010", v), 0);
  EXPECT_EQ(v, 8);
  EXPECT_EQ(kstrtoint("2147483648", v), -ERANGE);
  EXPECT_EQ(kstrtoint("-2147483649", v), -ERANGE);
  EXPECT_EQ(kstrtoint("-9223372036854775809", v), -ERANGE);
  EXPECT_EQ(kstrtoint("18446744073709551616", v), -ERANGE);
  EXPECT_EQ(kstrtoint("-+1", v), -EINVAL);
  EXPECT_EQ(kstrtoint("--1", v), -EINVAL);
  EXPECT_EQ(kstrtoint("-", v), -EINVAL);
  EXPECT_EQ(kstrtoint("", v), -EINVAL);
  EXPECT_EQ(v, 8);
}

TEST(KstrtoboolTest, FirstCharactersDecide) {
  const std::pair<std::string, bool> accepted[] = {
      {"Y", true},          {"y", true},      {"1", true},  {"t", true},      {"True", true},
      {"yes please", true}, {"12", true},     {"on", true}, {"oN", true},     {"N", false},
      {"n", false},         {"0", false},     {"f", false}, {"False", false}, {"of", false},
      {"Off", false},       {"N\n\n", false}, {"Y ", true},
  };
  for (const auto& [in, want] : accepted) {
    bool v = !want;
    EXPECT_EQ(kstrtobool(in, v), 0) << "input " << in;
    EXPECT_EQ(v, want) << "input " << in;
  }
  for (const char* in : {"", "\n", "2", "-1", "o", "ox", " Y", "x"}) {
    bool v = true;
    EXPECT_EQ(kstrtobool(in, v), -EINVAL) << "input " << in;
    EXPECT_TRUE(v);
  }
}

TEST(SysfsStreqTest, OneTrailingNewlineOnly) {
  EXPECT_TRUE(sysfs_streq("stat", "stat"));
  EXPECT_TRUE(sysfs_streq("stat\n", "stat"));
  EXPECT_FALSE(sysfs_streq("stat\n\n", "stat"));
  EXPECT_FALSE(sysfs_streq("stat\r\n", "stat"));
  EXPECT_FALSE(sysfs_streq(" stat", "stat"));
  EXPECT_FALSE(sysfs_streq("stat ", "stat"));
  EXPECT_FALSE(sysfs_streq("STAT", "stat"));
  EXPECT_FALSE(sysfs_streq("sta", "stat"));
  EXPECT_FALSE(sysfs_streq("stats", "stat"));
  EXPECT_FALSE(sysfs_streq("", "stat"));
  EXPECT_FALSE(sysfs_streq("\n", "stat"));
}

}  // namespace
}  // namespace damonfs::fs::kernel
