// join_command_line (fs/fuse/process_title.h): the arguments become one
// string with spaces, in place, and glibc's program name stays the
// program's (syslog's default ident reads it).
#include "fs/fuse/process_title.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace damonfs::fs {
namespace {

class ProcessTitleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_name_ = program_invocation_name;
    saved_short_ = program_invocation_short_name;
  }
  void TearDown() override {
    // The copy join_command_line made is the process's for good; here it goes.
    if (program_invocation_name != saved_name_) std::free(program_invocation_name);
    program_invocation_name = saved_name_;
    program_invocation_short_name = saved_short_;
  }

 private:
  char* saved_name_ = nullptr;
  char* saved_short_ = nullptr;
};

TEST_F(ProcessTitleTest, ArgumentsBackToBackBecomeOneStringWithSpaces) {
  // As the kernel lays out a new program's arguments.
  char area[] = "/usr/sbin/damonfs\0-f\0/mnt/d";
  char* argv[] = {area, area + 18, area + 21, nullptr};
  join_command_line(3, argv);
  EXPECT_EQ(std::string(area), "/usr/sbin/damonfs -f /mnt/d");
  EXPECT_EQ(sizeof(area), std::string(area).size() + 1);  // the last NUL stays
  EXPECT_STREQ(program_invocation_name, "/usr/sbin/damonfs");
  EXPECT_STREQ(program_invocation_short_name, "damonfs");
}

TEST_F(ProcessTitleTest, ArgumentsElsewhereAreLeftAlone) {
  char area[] = "damonfs\0\0/mnt/d";  // a byte between the two
  char* argv[] = {area, area + 9, nullptr};
  char* const name = program_invocation_name;
  join_command_line(2, argv);
  EXPECT_STREQ(area, "damonfs");
  EXPECT_STREQ(area + 9, "/mnt/d");
  EXPECT_EQ(program_invocation_name, name);
}

}  // namespace
}  // namespace damonfs::fs
