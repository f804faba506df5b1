// The issued-credential idempotency cache.
#include "harborrobot/hub/issued_credentials.h"

#include <fmt/format.h>

namespace harborrobot::hub {

namespace {

std::string keyOf(std::string_view ns, std::string_view binding, std::string_view rotationId) {
  return fmt::format("{}/{}/{}", ns, binding, rotationId);
}

} // namespace

std::optional<reconcile::IssuedCredential> IssuedCredentials::find(std::string_view ns,
                                                                   std::string_view binding,
                                                                   std::string_view rotationId,
                                                                   TimePoint now) {
  std::lock_guard lock(mutex_);
  std::erase_if(issued_, [&](const auto& entry) { return entry.second.until < now; });
  if (const auto found = issued_.find(keyOf(ns, binding, rotationId)); found != issued_.end()) {
    return found->second.credential;
  }
  return std::nullopt;
}

void IssuedCredentials::remember(std::string_view ns, std::string_view binding,
                                 std::string_view rotationId,
                                 const reconcile::IssuedCredential& credential, TimePoint now) {
  std::lock_guard lock(mutex_);
  issued_[keyOf(ns, binding, rotationId)] = {credential, now + memory_};
}

bool IssuedCredentials::issuedGeneration(std::string_view ns, std::string_view binding,
                                         std::int64_t generation) const {
  std::lock_guard lock(mutex_);
  const std::string prefix = fmt::format("{}/{}/", ns, binding);
  for (const auto& [key, entry] : issued_) {
    if (key.starts_with(prefix) && entry.credential.generation == generation) {
      return true;
    }
  }
  return false;
}

} // namespace harborrobot::hub
