// Declaring a directory's files: one line per file, binding a name, its since
// and a typed member to the kernel's parser and formatter for that type
// (docs/interface.md, "Parsing").
#pragma once

#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "fs/tree/dir.h"
#include "fs/tree/kernel_parse.h"
#include "fs/tree/keywords.h"
#include "fs/tree/tree_env.h"

namespace damonfs::fs::attr {

// How a numeric store maps the parser's verdict.
enum class NumberRule {
  kernel,       // EINVAL or ERANGE as the parser says
  einval_only,  // every parse error is EINVAL (quotas ms/bytes/reset_interval_ms, pid_target)
  nonzero,      // 0 is EINVAL too (addr_unit)
};

inline int parse(std::string_view in, uint64_t& v) { return kernel::kstrtoul(in, v); }
inline int parse(std::string_view in, uint32_t& v) { return kernel::kstrtouint(in, v); }
inline int parse(std::string_view in, int32_t& v) { return kernel::kstrtoint(in, v); }

template <class T>
std::string line(T value) {
  return std::to_string(value) + '\n';
}

// A read-write number: ul (uint64_t), u32 (uint32_t) or s32 (int32_t).
template <class D, class T>
FileSpec number(std::string_view name, T D::*field, AbiVersion since = kSysfsOrigin,
                NumberRule rule = NumberRule::kernel) {
  return {name,
          since,
          [field](const Dir& d, const TreeEnv&, std::string& out) {
            out = line(static_cast<const D&>(d).*field);
            return 0;
          },
          [field, rule](Dir& d, TreeEnv&, std::string_view in) {
            T value{};
            int err = parse(in, value);
            if (err && rule == NumberRule::einval_only) err = -EINVAL;
            if (!err && rule == NumberRule::nonzero && value == 0) err = -EINVAL;
            if (!err) static_cast<D&>(d).*field = value;
            return err;
          },
          {}};
}

// A read-only number the kernel fills (stats, effective quota, regions).
template <class D, class T>
FileSpec counter(std::string_view name, T D::*field, AbiVersion since = kSysfsOrigin) {
  return {name,
          since,
          [field](const Dir& d, const TreeEnv&, std::string& out) {
            out = line(static_cast<const D&>(d).*field);
            return 0;
          },
          {},
          {}};
}

// kstrtobool, shown as Y/N.
template <class D>
FileSpec flag(std::string_view name, bool D::*field, AbiVersion since = kSysfsOrigin) {
  return {name,
          since,
          [field](const Dir& d, const TreeEnv&, std::string& out) {
            out = static_cast<const D&>(d).*field ? "Y\n" : "N\n";
            return 0;
          },
          [field](Dir& d, TreeEnv&, std::string_view in) {
            bool value = false;
            int err = kernel::kstrtobool(in, value);
            if (!err) static_cast<D&>(d).*field = value;
            return err;
          },
          {}};
}

// A path, kept verbatim (a written trailing newline included) and shown
// with one more newline.
template <class D>
FileSpec text(std::string_view name, std::string D::*field, AbiVersion since = kSysfsOrigin) {
  return {name,
          since,
          [field](const Dir& d, const TreeEnv&, std::string& out) {
            out = static_cast<const D&>(d).*field + '\n';
            return 0;
          },
          [field](Dir& d, TreeEnv&, std::string_view in) {
            static_cast<D&>(d).*field = std::string(in);
            return 0;
          },
          {}};
}

// One word of `table` that the profile has; `allowed` narrows it further
// for this directory (filter layers).
template <class D, class E>
FileSpec choice(std::string_view name, E D::*field, KeywordTable<E> table,
                AbiVersion since = kSysfsOrigin, std::function<bool(const D&, E)> allowed = {}) {
  return {name,
          since,
          [field, table](const Dir& d, const TreeEnv&, std::string& out) {
            out = std::string(keyword_of(table, static_cast<const D&>(d).*field)) + '\n';
            return 0;
          },
          [field, table, allowed](Dir& d, TreeEnv& env, std::string_view in) {
            const Keyword<E>* k = match_keyword(table, in, env.abi);
            D& dir = static_cast<D&>(d);
            if (!k || (allowed && !allowed(dir, k->value))) return -EINVAL;
            dir.*field = k->value;
            return 0;
          },
          {}};
}

// What an nr_* store checks beyond "a non-negative int".
struct NrRules {
  int32_t max = INT32_MAX;          // nr_contexts: 1
  bool busy_while_running = false;  // nr_kdamonds
  // Runs after the children were rebuilt (also after ENOMEM emptied them).
  std::function<void(TreeEnv&)> rebuilt = {};
};

// An nr_* store, in the kernel's order: parse, sign, maximum (EINVAL), the
// global lock (EBUSY), running kdamonds (EBUSY), rebuild (ENOMEM).
inline int store_nr(ChildList& children, TreeEnv& env, std::string_view in, const NrRules& rules) {
  int32_t n = 0;
  if (int err = kernel::kstrtoint(in, n)) return err;
  if (n < 0 || n > rules.max) return -EINVAL;
  if (env.sysfs_locked) return -EBUSY;
  if (rules.busy_while_running && env.backend.any_running()) return -EBUSY;
  int err = children.rebuild(static_cast<size_t>(n));
  if (rules.rebuilt) rules.rebuilt(env);
  return err;
}

template <class D, class L>
FileSpec nr(std::string_view name, L D::*children, NrRules rules = {}) {
  return {name,
          kSysfsOrigin,
          [children](const Dir& d, const TreeEnv&, std::string& out) {
            out = line((static_cast<const D&>(d).*children).size());
            return 0;
          },
          [children, rules](Dir& d, TreeEnv& env, std::string_view in) {
            return store_nr(static_cast<D&>(d).*children, env, in, rules);
          },
          {}};
}

template <class D, class S>
SubdirSpec subdir(std::string_view name, S D::*member, AbiVersion since = kSysfsOrigin) {
  return {name, since, [member](Dir& d) -> Dir& { return static_cast<D&>(d).*member; }};
}

template <class D, class L>
std::function<ChildList&(Dir&)> numbered(L D::*children) {
  return [children](Dir& d) -> ChildList& { return static_cast<D&>(d).*children; };
}

}  // namespace damonfs::fs::attr
