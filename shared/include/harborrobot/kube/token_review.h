// Reading a TokenReview's answer: who the token belongs to, and whether the
// authenticator confirmed the audience the reviewer asked for.
#pragma once

#include <string>
#include <string_view>

#include "harborrobot/core/result.h"
#include "harborrobot/kube/client.h"

namespace harborrobot::kube {

struct ReviewedUser {
  std::string username{};
  std::string uid{};
};

// `status` is the TokenReview's status. Fails (kUnauthenticated) unless it is
// authenticated and its `audiences` contain `audience`: a reviewer that sets
// spec.audiences must check status.audiences (authentication/v1
// TokenReviewStatus), since an audience-unaware authenticator (a webhook,
// some OIDC setups) authenticates the token with no audiences at all, which
// means valid for the API server, not for the reviewer.
[[nodiscard]] Result<ReviewedUser> reviewedUser(const Json& status, std::string_view audience);

} // namespace harborrobot::kube
