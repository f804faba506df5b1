// The counter of Kubernetes API requests sent again (kube::Client's
// countRetriesIn), registered the same way by every role that talks to the API.
#pragma once

#include "harborrobot/core/result.h"
#include "harborrobot/observability/metrics.h"

namespace harborrobot::kube {

// harborrobot_kube_request_retries_total{code} in `registry`.
[[nodiscard]] Result<metrics::Counter*> registerRequestRetries(metrics::Registry& registry);

} // namespace harborrobot::kube
