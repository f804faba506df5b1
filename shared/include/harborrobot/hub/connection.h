// A Harbor connection as the hub holds it (parsed Secret, provider, verdict), and
// the interface through which the hub's parts reach the connections: the agent
// keeps the Secrets' informer behind it, tests hand in a fake.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/http/client.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/plugin/host.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot::hub {

struct Connection {
  HarborConnection settings{};
  std::string uid{};
  std::unique_ptr<http::Client> http{}; // counted and timed (hub_metrics.h)
  std::optional<plugin::Instance<plugin::Provider>> provider{};
  std::optional<plugin::ServerInfo> server{};
  std::string problemReason{}; // CamelCase; empty when usable
  std::string problemMessage{};
  bool usable() const { return problemReason.empty() && provider.has_value(); }
};

class Connections {
public:
  virtual ~Connections();

  // The only namespace whose connection Secrets the hub reads.
  virtual const std::string& ns() const = 0;
  // nullptr when no connection Secret of that name exists.
  virtual std::shared_ptr<const Connection> find(std::string_view name) const = 0;
  // Whether every connection Secret has been listed.
  virtual bool waitForSync(std::chrono::milliseconds timeout) = 0;
  // Checks one connection again now: a call refused because Harbor went
  // read-only makes its bindings say so at once, not at the next recheck.
  virtual void recheckNow(std::string_view name) = 0;
};

} // namespace harborrobot::hub
