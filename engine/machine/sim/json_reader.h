// A pull reader for JSON text, just enough for damo's record files.
//
// Records of a long run are hundreds of megabytes of JSON, so nothing is
// built in memory: the caller walks the text, taking the values it wants
// and skipping the rest.
//
//   JsonReader r(text);
//   r.begin_object();
//   std::string key;
//   while (r.next_key(key)) {
//     if (key == "start") start = r.unsigned_value(); else r.skip();
//   }
//
// Errors throw ScenarioError with the byte offset of the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace damon::sim {

class JsonReader {
 public:
  JsonReader(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  // The next value's first character ('{', '[', '"', 't', 'n', a digit...).
  char peek();
  bool at_null();  // consumes a null when there is one

  void begin_object();
  // The next key of the object being read (and its colon); false at '}'.
  bool next_key(std::string& key);
  // Reads an object: `member(key)` for each member whose value is not
  // null; it must read the value (or skip() it).
  template <typename F>
  void object(F&& member) {
    begin_object();
    std::string key;
    while (next_key(key)) {
      if (!at_null()) member(key);
    }
  }
  void begin_array();
  // Whether the array being read has another element; false at ']'.
  bool next_element();

  std::string string_value();
  double number_value();
  // A non-negative integer, written as a JSON number or as a string of
  // digits, maybe with thousands separators (damo writes all three).
  uint64_t unsigned_value();
  // A number, or a string holding one.
  double numeric_value();
  void skip();

  [[noreturn]] void fail(const std::string& message) const;

 private:
  void skip_space();
  void expect(char c);
  // Whether the open object or array has another member (its comma
  // consumed); false once `close` is consumed.
  bool more(char close);

  std::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  // Per open object or array: true until its first member (no comma
  // before that one).
  std::vector<bool> first_;
};

}  // namespace damon::sim
