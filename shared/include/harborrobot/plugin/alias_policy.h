// Alias policies decide, per agent and from its own DNS view, whether the
// "<secret>.alias" copy keyed by the connection's url.alias should exist
// (Alauda's Generator documentation, "Multiple Access Address Configuration").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/dns/resolver.h"
#include "harborrobot/plugin/factory.h"

namespace harborrobot::plugin {

struct AliasInput {
  std::string url;                   // the connection's url, e.g. https://harbor-1.example.com
  std::string alias;                 // url.alias, e.g. https://harbor.example.com
  std::vector<std::string> aliasIps; // url.alias.ips; empty when not set
};

enum class AliasAction {
  kGenerate, // the alias Secret should exist
  kRemove,   // the alias Secret should not exist
  kKeep,     // no verdict (e.g. DNS failed): keep whatever exists now
};

struct AliasDecision {
  AliasAction action = AliasAction::kKeep;
  // Why, for logs, events and status ("harbor.example.com resolves to 127.0.0.11,
  // harbor-1.example.com to 127.0.0.11").
  std::string reason;
};

class AliasPolicy {
public:
  virtual ~AliasPolicy();
  // Never fails: a resolution problem is a kKeep decision with the reason.
  virtual AliasDecision decide(const AliasInput& input, dns::Resolver& resolver) = 0;
};

class AliasPolicyFactory : public Factory {
public:
  ~AliasPolicyFactory() override;
  Kind kind() const final { return Kind::kAliasPolicy; }
  virtual std::unique_ptr<AliasPolicy> create() const = 0;
};

} // namespace harborrobot::plugin
