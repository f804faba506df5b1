// The retries counter every role registers for its Kubernetes client.
#include "harborrobot/kube/retries_metric.h"

#include <gtest/gtest.h>

#include "harborrobot/kube/client.h"

namespace harborrobot::kube {
namespace {

TEST(RequestRetriesMetric, IsCountedByHttpCode) {
  metrics::Registry registry;
  auto retries = registerRequestRetries(registry);
  ASSERT_TRUE(retries) << retries.error().message();
  (*retries)->inc({"429"});
  EXPECT_EQ((*retries)->value({"429"}), 1);
  EXPECT_NE(registry.render().find(std::string(kRequestRetriesMetric) + "{code=\"429\"} 1"),
            std::string::npos)
      << registry.render();
}

} // namespace
} // namespace harborrobot::kube
