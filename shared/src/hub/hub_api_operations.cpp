// The hub API's interfaces live in the core: CredentialService implements one.
#include "harborrobot/hub/hub_api_operations.h"

namespace harborrobot::hub {

HubApiOperations::~HubApiOperations() = default;
CallerReview::~CallerReview() = default;

} // namespace harborrobot::hub
