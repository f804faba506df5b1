// The hub's verdict on a connection Secret, read from the cluster, and the same
// check made from this machine.
#pragma once

#include <optional>
#include <string>

#include "harborrobot/cli/connection_events.h"
#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"

namespace harborrobot::cli {

// The newest verdict for the Secret with this uid, if the hub has given one
// at or after `notBefore` (RFC 3339; empty: any).
[[nodiscard]] Result<std::optional<ConnectionVerdict>> latestVerdict(kube::Client& client,
                                                                     const std::string& ns,
                                                                     const std::string& uid,
                                                                     const std::string& notBefore);

// The hub's check, from this machine (--check-local, doctor --local): the
// Harbor provider's reading of Harbor and registry::judgeConnection.
ConnectionVerdict checkFromHere(const std::string& url, const std::string& username,
                                const std::string& password, const std::string& caPem);

} // namespace harborrobot::cli
