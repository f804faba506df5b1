// RBAC as kube-apiserver evaluates it: Roles and ClusterRoles granted by
// RoleBindings (in their namespace) and ClusterRoleBindings (everywhere), to
// users, groups and ServiceAccounts; system:masters bypasses it all.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "object_store.h"
#include "user_info.h"

namespace harborrobot::kubesim {

struct RequestAttributes {
  UserInfo user;
  std::string verb;
  bool resourceRequest = true;
  std::string apiGroup;
  std::string resource;
  std::string subresource;
  std::string name;
  std::string namespaceName;
  std::string path; // non-resource requests
};

// Where RBAC objects are read from: the store (taking its lock) or a write
// transaction that already holds it.
class RbacSource {
public:
  virtual ~RbacSource() = default;
  virtual void visit(const std::string& storageKey, const std::string& namespaceName,
                     const std::function<void(const nlohmann::json&)>& visitor) const = 0;
  virtual std::optional<nlohmann::json> get(const std::string& storageKey,
                                            const std::string& key) const = 0;
};

class StoreRbacSource final : public RbacSource {
public:
  explicit StoreRbacSource(const ObjectStore& store) : store_(store) {}
  void visit(const std::string& storageKey, const std::string& namespaceName,
             const std::function<void(const nlohmann::json&)>& visitor) const override {
    store_.visit(storageKey, namespaceName, visitor);
  }
  std::optional<nlohmann::json> get(const std::string& storageKey,
                                    const std::string& key) const override {
    return store_.get(storageKey, key);
  }

private:
  const ObjectStore& store_;
};

class WriterRbacSource final : public RbacSource {
public:
  explicit WriterRbacSource(const StoreWriter& writer) : writer_(writer) {}
  void visit(const std::string& storageKey, const std::string& namespaceName,
             const std::function<void(const nlohmann::json&)>& visitor) const override {
    for (const auto& object : writer_.list(storageKey)) {
      if (namespaceName.empty() || object["metadata"].value("namespace", "") == namespaceName)
        visitor(object);
    }
  }
  std::optional<nlohmann::json> get(const std::string& storageKey,
                                    const std::string& key) const override {
    return writer_.get(storageKey, key);
  }

private:
  const StoreWriter& writer_;
};

bool isSuperuser(const UserInfo& user);
bool ruleAllows(const nlohmann::json& rule, const RequestAttributes& attributes);
bool authorize(const RbacSource& source, const RequestAttributes& attributes);
// "{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}", as RBAC prints a rule.
std::string describeRule(const nlohmann::json& rule);

// The apiserver's 403 message: `secrets "x" is forbidden: User "u" cannot get
// resource "secrets" in API group "" in the namespace "n"`.
std::string forbiddenMessage(const RequestAttributes& attributes);

// The rules of `role` that the user does not hold in `namespaceName` ("" =
// cluster-wide), for the escalation check on Role and binding writes.
std::vector<nlohmann::json> rulesNotHeld(const RbacSource& source, const UserInfo& user,
                                         const nlohmann::json& rules,
                                         const std::string& namespaceName);

// The default ClusterRoles and ClusterRoleBindings of a new cluster.
std::vector<std::pair<std::string, nlohmann::json>> defaultRbacObjects();

} // namespace harborrobot::kubesim
