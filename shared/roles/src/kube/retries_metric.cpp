// One name and help text for the retries counter, whichever role registers it.
#include "harborrobot/kube/retries_metric.h"

#include "harborrobot/kube/client.h"

namespace harborrobot::kube {

Result<metrics::Counter*> registerRequestRetries(metrics::Registry& registry) {
  return registry.counter(
      kRequestRetriesMetric,
      "Kubernetes API requests sent again after a 429 or a 5xx with Retry-After, by HTTP code.",
      {"code"});
}

} // namespace harborrobot::kube
