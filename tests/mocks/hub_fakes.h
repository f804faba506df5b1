// Fakes of the hub's interfaces (connections, agent deployment, agent signals,
// the hub API's operations and caller review)
// and a binding object builder, shared by the hub's unit tests.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/hub/agent_deployment.h"
#include "harborrobot/hub/agent_signalling.h"
#include "harborrobot/hub/connection.h"
#include "harborrobot/hub/hub_api_operations.h"
#include "harborrobot/kube/client.h"

namespace harborrobot::hub::testing {

class FakeConnections final : public Connections {
public:
  explicit FakeConnections(std::string ns = "hub-ns") : ns_(std::move(ns)) {}
  const std::string& ns() const override { return ns_; }
  std::shared_ptr<const Connection> find(std::string_view name) const override {
    const auto found = connections_.find(std::string(name));
    return found == connections_.end() ? nullptr : found->second;
  }
  bool waitForSync(std::chrono::milliseconds) override { return true; }
  void recheckNow(std::string_view name) override { rechecked.emplace_back(name); }

  void add(const std::string& name, std::shared_ptr<const Connection> connection) {
    connections_[name] = std::move(connection);
  }
  std::vector<std::string> rechecked;

private:
  std::string ns_;
  std::map<std::string, std::shared_ptr<const Connection>> connections_;
};

class FakeDeployment final : public AgentDeployment {
public:
  Status sync(const std::set<std::string>& namespaces,
              const std::function<bool(const std::string&)>& mayRemove) override {
    deployed = namespaces;
    removed.clear();
    for (const auto& ns : existing) {
      if (!namespaces.contains(ns) && mayRemove(ns)) {
        removed.push_back(ns);
      }
    }
    for (const auto& ns : removed) {
      existing.erase(ns);
    }
    existing.insert(namespaces.begin(), namespaces.end());
    return ok();
  }
  std::set<std::string> existing;
  std::set<std::string> deployed;
  std::vector<std::string> removed;
};

class FakeSignalling final : public AgentSignalling {
public:
  Status sync(const std::map<std::string, std::string>& fingerprints) override {
    last = fingerprints;
    ++calls;
    return failing ? makeError(ErrorCode::kUnavailable, "signal refused") : ok();
  }
  std::map<std::string, std::string> last;
  int calls = 0;
  bool failing = false;
};

// The hub API's operations: each answers from its field and records its call.
class FakeHubApiOperations final : public HubApiOperations {
public:
  Result<std::vector<reconcile::AgentBinding>> bindingsFor(std::string_view ns) override {
    calls.push_back("bindings " + std::string(ns));
    return bindings;
  }
  Result<reconcile::IssuedCredential> issue(std::string_view ns, std::string_view binding,
                                            const reconcile::CredentialRequest& request) override {
    calls.push_back("issue " + std::string(ns) + "/" + std::string(binding) + " " +
                    std::to_string(request.generation));
    return issued;
  }
  Status activate(std::string_view ns, std::string_view binding,
                  const reconcile::Activation& activation) override {
    calls.push_back("activate " + std::string(ns) + "/" + std::string(binding) + " " +
                    std::to_string(activation.generation));
    return activated;
  }
  Status report(std::string_view ns, const reconcile::AgentReport& report) override {
    calls.push_back("report " + std::string(ns));
    reported = report;
    return ok();
  }

  Result<std::vector<reconcile::AgentBinding>> bindings = std::vector<reconcile::AgentBinding>{};
  Result<reconcile::IssuedCredential> issued = reconcile::IssuedCredential{};
  Status activated = ok();
  reconcile::AgentReport reported{};
  std::vector<std::string> calls;
};

// Token review by a table: a token in `callers` is that caller; any other is
// refused (kUnauthenticated), or `failure` when set. Counts the reviews.
class FakeCallerReview final : public CallerReview {
public:
  Result<Caller> review(const SecretString& token) override {
    ++reviews;
    if (failure) {
      return makeError(*failure);
    }
    const auto found = callers.find(std::string(token.reveal()));
    if (found == callers.end()) {
      return makeError(ErrorCode::kUnauthenticated, "the token is not valid");
    }
    return found->second;
  }

  std::map<std::string, Caller> callers;
  std::optional<Error> failure;
  int reviews = 0;
};

// A valid HarborRobotBinding object targeting `names`, on connection
// hub-ns/harbor.
inline kube::Json bindingObject(const std::string& name, std::vector<std::string> names,
                                std::string uid = "uid-1") {
  return kube::Json{
      {"apiVersion", "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1"},
      {"kind", "HarborRobotBinding"},
      {"metadata", {{"name", name}, {"uid", uid}, {"generation", 3}, {"resourceVersion", "10"}}},
      {"spec",
       {{"namespaces", {{"names", names}}},
        {"generatedSecret", {{"name", name + ".robot"}}},
        {"serviceAccount", {{"name", "default"}}},
        {"harbor",
         {{"project", "team"},
          {"robot", {{"access", {{{"action", "pull"}, {"resource", "repository"}}}}}},
          {"secret", {{"name", "harbor"}, {"namespace", "hub-ns"}}}}},
        {"refreshInterval", "6h"}}}};
}

} // namespace harborrobot::hub::testing
