// How often a namespace agent looks again: the hub poll, retries, credential
// checks and report heartbeats, with why each is what it is.
#pragma once

#include <chrono>

#include "harborrobot/registry/harbor_facts.h"

namespace harborrobot::namespaceagent {

// Bindings and Secrets are watched, so the hub is polled only as a safety net
// (a connection edited at the hub, which changes no object this agent watches).
inline constexpr auto kHubPoll = std::chrono::minutes(5);
inline constexpr auto kRetry = std::chrono::seconds(3);
inline constexpr auto kVerifyInterval = std::chrono::minutes(15);
// A check that could not run says nothing about the credential: it runs again
// this much later, sooner than a regular check.
inline constexpr auto kCheckUnavailableRetry = kRetry * 10;
inline constexpr auto kVerifyAttempts = 5;
// A refused login locks the robot's name in Harbor for 1.5 s, during which
// even the right secret reads as anonymous: the next try waits it out.
inline constexpr auto kNewCredentialRetryWait =
    registry::kFailedLoginLock + std::chrono::milliseconds(200);
// Secrets written moments ago are read from the API, not the cache, which may
// not have seen the write yet.
inline constexpr auto kFreshReadWindow = std::chrono::seconds(10);
// A report that says nothing new is still sent this often, so the hub can tell a
// live agent from a gone one.
inline constexpr auto kReportHeartbeat = std::chrono::hours(1);

} // namespace harborrobot::namespaceagent
