// Credentials handed out recently, by (namespace, binding, rotation id): a
// retried request gets the same robot rather than a second one. I/O free; the
// caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "harborrobot/reconcile/hub_protocol.h"

namespace harborrobot::hub {

inline constexpr std::chrono::minutes kIssuedMemory{10};

class IssuedCredentials {
public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit IssuedCredentials(std::chrono::steady_clock::duration memory = kIssuedMemory)
      : memory_(memory) {}

  // The credential issued for this rotation id, unless forgotten (past the memory).
  std::optional<reconcile::IssuedCredential> find(std::string_view ns, std::string_view binding,
                                                  std::string_view rotationId, TimePoint now);
  void remember(std::string_view ns, std::string_view binding, std::string_view rotationId,
                const reconcile::IssuedCredential& credential, TimePoint now);
  // Whether `generation` was issued for (ns, binding) by this hub and is still
  // remembered (entries past the memory go at the next find()).
  bool issuedGeneration(std::string_view ns, std::string_view binding,
                        std::int64_t generation) const;

private:
  struct Issued {
    reconcile::IssuedCredential credential;
    TimePoint until;
  };
  std::chrono::steady_clock::duration memory_;
  mutable std::mutex mutex_;
  std::map<std::string, Issued> issued_; // "ns/binding/rotation id"
};

} // namespace harborrobot::hub
