// What the hub concluded about a connection Secret: it records one Event per
// check on the Secret (ConnectionVerified, or the reason it is unusable). The
// plugin reads the newest, so `connect` and `doctor` report what the cluster
// itself sees, not what the admin's laptop can reach.
#pragma once

#include <optional>
#include <string>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"

namespace harborrobot::cli {

struct ConnectionVerdict {
  bool verified = false;
  std::string reason{};  // ConnectionVerified, HarborUnreachable, …
  std::string message{}; // the hub's explanation (never a secret)
  std::string time{};    // RFC 3339 of the newest check
};

// The newest verdict for the Secret with this uid, if the hub has given one
// at or after `notBefore` (RFC 3339; empty: any).
[[nodiscard]] Result<std::optional<ConnectionVerdict>> latestVerdict(kube::Client& client,
                                                                     const std::string& ns,
                                                                     const std::string& uid,
                                                                     const std::string& notBefore);

// The same checks as the hub's, from this machine (--check-local, doctor --local):
// reachable, Harbor >= 2.12, the user an administrator and not a robot.
ConnectionVerdict checkFromHere(const std::string& url, const std::string& username,
                                const std::string& password, const std::string& caPem);

} // namespace harborrobot::cli
