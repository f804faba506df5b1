// The namespace agent's metrics: registered once under their names, and a
// second registration refused.
#include "harborrobot/namespaceagent/agent_metrics.h"

#include <gtest/gtest.h>

namespace harborrobot::namespaceagent {
namespace {

TEST(AgentMetrics, RegistersEveryInstrument) {
  metrics::Registry registry;
  auto registered = registerAgentMetrics(registry);
  ASSERT_TRUE(registered) << registered.error().message();
  registered->passes->inc({"ok"});
  registered->rotations->inc({"expiring", "ok"});
  registered->verifications->inc({"accepted"});
  registered->reports->inc({"sent"});
  registered->bindingReady->set(1, {"team-pull"});
  const std::string text = registry.render();
  for (const auto* name :
       {"harborrobot_agent_passes_total", "harborrobot_agent_rotations_total",
        "harborrobot_agent_credential_verifications_total",
        "harborrobot_agent_status_reports_total", "harborrobot_agent_binding_ready"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
}

TEST(AgentMetrics, ASecondRegistrationIsRefused) {
  metrics::Registry registry;
  ASSERT_TRUE(registerAgentMetrics(registry));
  EXPECT_FALSE(registerAgentMetrics(registry));
}

} // namespace
} // namespace harborrobot::namespaceagent
