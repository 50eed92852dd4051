#include "engine/machine/sim/json_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "engine/machine/sim/scenario.h"

namespace damon::sim {

void JsonReader::fail(const std::string& message) const {
  throw ScenarioError(file_ + ": byte " + std::to_string(pos_) + ": " + message);
}

void JsonReader::skip_space() {
  while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
}

char JsonReader::peek() {
  skip_space();
  if (pos_ >= text_.size()) fail("unexpected end of JSON");
  return text_[pos_];
}

void JsonReader::expect(char c) {
  if (peek() != c) fail(std::string("expected '") + c + "'");
  ++pos_;
}

bool JsonReader::at_null() {
  if (peek() != 'n') return false;
  if (text_.substr(pos_, 4) != "null") fail("bad literal");
  pos_ += 4;
  return true;
}

void JsonReader::begin_object() {
  expect('{');
  first_.push_back(true);
}

void JsonReader::begin_array() {
  expect('[');
  first_.push_back(true);
}

bool JsonReader::more(char close) {
  if (first_.empty()) fail("no open object or array");
  if (peek() == close) {
    ++pos_;
    first_.pop_back();
    return false;
  }
  if (!first_.back()) expect(',');
  first_.back() = false;
  return true;
}

bool JsonReader::next_key(std::string& key) {
  if (!more('}')) return false;
  key = string_value();
  expect(':');
  return true;
}

bool JsonReader::next_element() { return more(']'); }

std::string JsonReader::string_value() {
  expect('"');
  std::string out;
  for (;;) {
    if (pos_ >= text_.size()) fail("unterminated string");
    const char c = text_[pos_++];
    if (c == '"') return out;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (pos_ >= text_.size()) fail("unterminated string");
    const char e = text_[pos_++];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u':
        // Keys and values damo writes are ASCII; other characters are kept
        // as '?' rather than decoded.
        if (pos_ + 4 > text_.size()) fail("bad \\u escape");
        pos_ += 4;
        out += '?';
        break;
      default: out += e;
    }
  }
}

double JsonReader::number_value() {
  skip_space();
  const char* begin = text_.data() + pos_;
  const char* end = text_.data() + text_.size();
  double v = 0;
  const auto r = std::from_chars(begin, end, v);
  if (r.ec != std::errc() || r.ptr == begin) fail("expected a number");
  pos_ += static_cast<size_t>(r.ptr - begin);
  return v;
}

namespace {

// damo writes numbers for people with thousands separators ("4,194,304"),
// and reads them back ignoring the commas.
std::string without_commas(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ','), s.end());
  return s;
}

}  // namespace

double JsonReader::numeric_value() {
  if (peek() != '"') return number_value();
  const std::string s = without_commas(string_value());
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) fail("expected a number, got '" + s + "'");
  return v;
}

uint64_t JsonReader::unsigned_value() {
  if (peek() == '"') {
    const std::string s = without_commas(string_value());
    uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
      fail("expected a non-negative integer, got '" + s + "'");
    return v;
  }
  skip_space();
  const char* begin = text_.data() + pos_;
  uint64_t v = 0;
  const auto r = std::from_chars(begin, text_.data() + text_.size(), v);
  if (r.ec != std::errc() || r.ptr == begin) fail("expected a non-negative integer");
  pos_ += static_cast<size_t>(r.ptr - begin);
  // 12.0 is an integer too (Python writes floats for computed values).
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
    pos_ = static_cast<size_t>(begin - text_.data());
    const double d = number_value();
    if (d < 0 || d != static_cast<double>(static_cast<uint64_t>(d))) fail("expected a non-negative integer");
    return static_cast<uint64_t>(d);
  }
  return v;
}

void JsonReader::skip() {
  switch (peek()) {
    case '{': {
      begin_object();
      std::string key;
      while (next_key(key)) skip();
      return;
    }
    case '[':
      begin_array();
      while (next_element()) skip();
      return;
    case '"': string_value(); return;
    case 't':
    case 'f': {
      const std::string_view word = text_[pos_] == 't' ? "true" : "false";
      if (text_.substr(pos_, word.size()) != word) fail("bad literal");
      pos_ += word.size();
      return;
    }
    case 'n': at_null(); return;
    default: number_value();
  }
}

}  // namespace damon::sim
