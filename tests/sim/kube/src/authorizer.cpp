#include "authorizer.h"

#include <algorithm>

#include <fmt/format.h>

namespace harborrobot::kubesim {

using nlohmann::json;

namespace {

const std::string kRbacGroup = "rbac.authorization.k8s.io";
const std::string kClusterRoles = kRbacGroup + "/clusterroles";
const std::string kRoles = kRbacGroup + "/roles";

bool listHas(const json& rule, const char* key, const std::string& value) {
  if (!rule.contains(key) || !rule[key].is_array())
    return false;
  for (const auto& entry : rule[key]) {
    if (entry.is_string() && (entry == "*" || entry == value))
      return true;
  }
  return false;
}

bool resourceMatches(const json& rule, const RequestAttributes& attributes) {
  if (!rule.contains("resources") || !rule["resources"].is_array())
    return false;
  const std::string& resource = attributes.resource;
  const std::string& sub = attributes.subresource;
  const std::string combined = sub.empty() ? resource : resource + "/" + sub;
  for (const auto& entry : rule["resources"]) {
    if (!entry.is_string())
      continue;
    const std::string value = entry;
    if (value == "*" || value == combined)
      return true;
    if (!sub.empty() && (value == resource + "/*" || value == "*/" + sub))
      return true;
  }
  return false;
}

bool nonResourceMatches(const json& rule, const std::string& path) {
  if (!rule.contains("nonResourceURLs") || !rule["nonResourceURLs"].is_array())
    return false;
  for (const auto& entry : rule["nonResourceURLs"]) {
    if (!entry.is_string())
      continue;
    const std::string value = entry;
    if (value == "*" || value == path)
      return true;
    if (value.ends_with("*") && path.starts_with(value.substr(0, value.size() - 1)))
      return true;
  }
  return false;
}

// The user's identity split once per request, so matching a subject is a few
// string comparisons (a check may scan thousands of bindings).
struct Identity {
  const UserInfo& user;
  std::string serviceAccountNamespace;
  std::string serviceAccountName;

  explicit Identity(const UserInfo& info) : user(info) {
    static const std::string kPrefix = "system:serviceaccount:";
    if (info.name.starts_with(kPrefix)) {
      const std::string rest = info.name.substr(kPrefix.size());
      if (const auto colon = rest.find(':'); colon != std::string::npos) {
        serviceAccountNamespace = rest.substr(0, colon);
        serviceAccountName = rest.substr(colon + 1);
      }
    }
  }
};

const std::string& stringMember(const json& object, const char* key) {
  static const std::string kEmpty;
  if (!object.is_object())
    return kEmpty;
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get_ref<const std::string&>()
                                                     : kEmpty;
}

bool subjectMatches(const json& subject, const Identity& identity,
                    const std::string& bindingNamespace) {
  const std::string& kind = stringMember(subject, "kind");
  const std::string& name = stringMember(subject, "name");
  if (kind == "ServiceAccount") {
    const std::string& ns = stringMember(subject, "namespace");
    return !identity.serviceAccountName.empty() && name == identity.serviceAccountName &&
           (ns.empty() ? bindingNamespace : ns) == identity.serviceAccountNamespace;
  }
  if (kind == "User")
    return name == identity.user.name;
  if (kind == "Group") {
    const auto& groups = identity.user.groups;
    return std::find(groups.begin(), groups.end(), name) != groups.end();
  }
  return false;
}

bool bindingMatches(const json& binding, const Identity& identity) {
  const auto subjects = binding.find("subjects");
  if (subjects == binding.end() || !subjects->is_array())
    return false;
  const std::string& ns = stringMember(binding["metadata"], "namespace");
  return std::any_of(subjects->begin(), subjects->end(),
                     [&](const json& subject) { return subjectMatches(subject, identity, ns); });
}

struct RoleRef {
  std::string kind;
  std::string name;
  std::string namespaceName; // for kind Role
};

// The roles bound to the user in `namespaceName` (and cluster-wide).
std::vector<RoleRef> boundRoles(const RbacSource& store, const UserInfo& user,
                                const std::string& namespaceName) {
  const Identity identity(user);
  std::vector<RoleRef> roles;
  store.visit(kRbacGroup + "/clusterrolebindings", "", [&](const json& binding) {
    if (bindingMatches(binding, identity))
      roles.push_back({"ClusterRole", binding["roleRef"].value("name", ""), ""});
  });
  if (!namespaceName.empty()) {
    store.visit(kRbacGroup + "/rolebindings", namespaceName, [&](const json& binding) {
      if (!bindingMatches(binding, identity))
        return;
      const std::string kind = binding["roleRef"].value("kind", "");
      roles.push_back(
          {kind, binding["roleRef"].value("name", ""), kind == "Role" ? namespaceName : ""});
    });
  }
  return roles;
}

json rulesOf(const RbacSource& store, const RoleRef& role) {
  const auto object = role.kind == "Role"
                          ? store.get(kRoles, objectKey(role.namespaceName, role.name))
                          : store.get(kClusterRoles, role.name);
  if (!object)
    return json::array();
  const json rules = object->value("rules", json::array());
  return rules.is_array() ? rules : json::array();
}

std::string quotedList(const json& values) {
  std::string text;
  if (values.is_array()) {
    for (const auto& value : values)
      text += (text.empty() ? "" : " ") +
              fmt::format("\"{}\"", value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

} // namespace

bool isSuperuser(const UserInfo& user) {
  return std::find(user.groups.begin(), user.groups.end(), "system:masters") != user.groups.end();
}

bool ruleAllows(const json& rule, const RequestAttributes& attributes) {
  if (!rule.is_object() || !listHas(rule, "verbs", attributes.verb))
    return false;
  if (!attributes.resourceRequest)
    return nonResourceMatches(rule, attributes.path);
  if (!listHas(rule, "apiGroups", attributes.apiGroup) || !resourceMatches(rule, attributes))
    return false;
  const json names = rule.value("resourceNames", json::array());
  if (!names.is_array() || names.empty())
    return true;
  return !attributes.name.empty() &&
         std::find(names.begin(), names.end(), json(attributes.name)) != names.end();
}

bool authorize(const RbacSource& store, const RequestAttributes& attributes) {
  if (isSuperuser(attributes.user))
    return true;
  for (const auto& role : boundRoles(store, attributes.user, attributes.namespaceName)) {
    for (const auto& rule : rulesOf(store, role)) {
      if (ruleAllows(rule, attributes))
        return true;
    }
  }
  return false;
}

std::string describeRule(const json& rule) {
  std::string text = "{";
  const std::pair<const char*, const char*> fields[] = {{"apiGroups", "APIGroups"},
                                                        {"resources", "Resources"},
                                                        {"resourceNames", "ResourceNames"},
                                                        {"nonResourceURLs", "NonResourceURLs"},
                                                        {"verbs", "Verbs"}};
  for (const auto& [key, label] : fields) {
    if (!rule.contains(key))
      continue;
    text += (text.size() > 1 ? ", " : "") + fmt::format("{}:[{}]", label, quotedList(rule[key]));
  }
  return text + "}";
}

std::string forbiddenMessage(const RequestAttributes& attributes) {
  if (!attributes.resourceRequest) {
    return fmt::format("forbidden: User \"{}\" cannot {} path \"{}\"", attributes.user.name,
                       attributes.verb, attributes.path);
  }
  const std::string qualified = attributes.apiGroup.empty()
                                    ? attributes.resource
                                    : attributes.resource + "." + attributes.apiGroup;
  const std::string resource = attributes.subresource.empty()
                                   ? attributes.resource
                                   : attributes.resource + "/" + attributes.subresource;
  const std::string subject =
      attributes.name.empty() ? qualified : fmt::format("{} \"{}\"", qualified, attributes.name);
  const std::string scope = attributes.namespaceName.empty()
                                ? "at the cluster scope"
                                : fmt::format("in the namespace \"{}\"", attributes.namespaceName);
  return fmt::format(
      "{} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {}", subject,
      attributes.user.name, attributes.verb, resource, attributes.apiGroup, scope);
}

std::vector<json> rulesNotHeld(const RbacSource& store, const UserInfo& user, const json& rules,
                               const std::string& namespaceName) {
  std::vector<json> missing;
  if (isSuperuser(user) || !rules.is_array())
    return missing;
  for (const auto& rule : rules) {
    if (!rule.is_object())
      continue;
    bool held = true;
    const json verbs = rule.value("verbs", json::array());
    const json groups = rule.value("apiGroups", json::array({""}));
    const json resources = rule.value("resources", json::array());
    const json names = rule.value("resourceNames", json::array({""}));
    const json urls = rule.value("nonResourceURLs", json::array());
    for (const auto& verb : verbs) {
      for (const auto& url : urls) {
        RequestAttributes wanted{user, verb, false, "", "", "", "", "", url};
        held = held && authorize(store, wanted);
      }
      for (const auto& group : groups) {
        for (const auto& resource : resources) {
          for (const auto& name : names.empty() ? json::array({""}) : names) {
            std::string plural = resource;
            std::string sub;
            if (const auto slash = plural.find('/'); slash != std::string::npos) {
              sub = plural.substr(slash + 1);
              plural = plural.substr(0, slash);
            }
            RequestAttributes wanted{user, verb, true, group, plural, sub, name, namespaceName, ""};
            held = held && authorize(store, wanted);
          }
        }
      }
    }
    if (!held)
      missing.push_back(rule);
  }
  return missing;
}

std::vector<std::pair<std::string, json>> defaultRbacObjects() {
  auto clusterRole = [](const std::string& name, json rules) {
    return std::pair{
        kClusterRoles,
        json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
             {"kind", "ClusterRole"},
             {"metadata",
              {{"name", name}, {"labels", {{"kubernetes.io/bootstrapping", "rbac-defaults"}}}}},
             {"rules", std::move(rules)}}};
  };
  auto clusterBinding = [](const std::string& name, const std::string& role, json subjects) {
    return std::pair{
        kRbacGroup + "/clusterrolebindings",
        json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
             {"kind", "ClusterRoleBinding"},
             {"metadata",
              {{"name", name}, {"labels", {{"kubernetes.io/bootstrapping", "rbac-defaults"}}}}},
             {"roleRef", {{"apiGroup", kRbacGroup}, {"kind", "ClusterRole"}, {"name", role}}},
             {"subjects", std::move(subjects)}}};
  };
  auto group = [](const std::string& name) {
    return json{{"apiGroup", kRbacGroup}, {"kind", "Group"}, {"name", name}};
  };
  const json readVerbs = {"get", "list", "watch"};
  const json writeVerbs = {"create", "delete", "deletecollection", "patch", "update"};
  const json workloads = {"pods",        "pods/log",
                          "pods/status", "configmaps",
                          "secrets",     "serviceaccounts",
                          "events",      "services",
                          "endpoints",   "persistentvolumeclaims"};
  json viewRules = {
      {{"apiGroups", {""}},
       {"resources",
        {"pods", "pods/log", "pods/status", "configmaps", "events", "services", "endpoints",
         "persistentvolumeclaims", "serviceaccounts", "namespaces"}},
       {"verbs", readVerbs}},
      {{"apiGroups", {"apps"}},
       {"resources", {"deployments", "deployments/status"}},
       {"verbs", readVerbs}},
      {{"apiGroups", {"coordination.k8s.io"}}, {"resources", {"leases"}}, {"verbs", readVerbs}}};
  json editRules = viewRules;
  editRules.push_back({{"apiGroups", {""}}, {"resources", workloads}, {"verbs", writeVerbs}});
  editRules.push_back({{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", readVerbs}});
  editRules.push_back(
      {{"apiGroups", {""}}, {"resources", {"serviceaccounts/token"}}, {"verbs", {"create"}}});
  editRules.push_back(
      {{"apiGroups", {"apps"}}, {"resources", {"deployments"}}, {"verbs", writeVerbs}});
  json adminRules = editRules;
  adminRules.push_back(
      {{"apiGroups", {kRbacGroup}},
       {"resources", {"roles", "rolebindings"}},
       {"verbs",
        {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}}});
  return {
      clusterRole("cluster-admin", {{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}},
                                    {{"nonResourceURLs", {"*"}}, {"verbs", {"*"}}}}),
      clusterRole("admin", adminRules),
      clusterRole("edit", editRules),
      clusterRole("view", viewRules),
      clusterRole("system:discovery",
                  {{{"nonResourceURLs",
                     {"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                      "/openapi/*", "/readyz", "/version", "/version/"}},
                    {"verbs", {"get"}}}}),
      clusterRole("system:basic-user",
                  {{{"apiGroups", {"authorization.k8s.io"}},
                    {"resources", {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}},
                    {"verbs", {"create"}}},
                   {{"apiGroups", {"authentication.k8s.io"}},
                    {"resources", {"selfsubjectreviews"}},
                    {"verbs", {"create"}}}}),
      clusterBinding("cluster-admin", "cluster-admin", json::array({group("system:masters")})),
      clusterBinding("system:discovery", "system:discovery",
                     json::array({group("system:authenticated")})),
      clusterBinding("system:basic-user", "system:basic-user",
                     json::array({group("system:authenticated")})),
  };
}

} // namespace harborrobot::kubesim
