// The hub API's route table, the one place its paths and methods are written:
// the hub parses requests with it, the namespace agents build their URLs with it.
//
//   GET  /v1/namespaces/{ns}/bindings                       → BindingList
//   POST /v1/namespaces/{ns}/bindings/{name}/credentials    CredentialRequest → IssuedCredential
//   POST /v1/namespaces/{ns}/bindings/{name}/activation     Activation → {}
//   PUT  /v1/namespaces/{ns}/status                         AgentReport → {}
//
// The messages themselves are in hub_protocol.h.
#pragma once

#include <string>
#include <string_view>

#include "harborrobot/core/result.h"

namespace harborrobot::reconcile {

enum class HubRouteKind {
  kBindings,    // GET    /v1/namespaces/{ns}/bindings
  kCredentials, // POST   /v1/namespaces/{ns}/bindings/{name}/credentials
  kActivation,  // POST   /v1/namespaces/{ns}/bindings/{name}/activation
  kStatus,      // PUT    /v1/namespaces/{ns}/status
};

inline constexpr HubRouteKind kHubRouteKinds[] = {HubRouteKind::kBindings,
                                                  HubRouteKind::kCredentials,
                                                  HubRouteKind::kActivation, HubRouteKind::kStatus};

// A request's route: which one, and the names in its path.
struct HubRoute {
  HubRouteKind kind = HubRouteKind::kBindings;
  std::string ns;
  std::string binding; // empty for the routes without {name}

  bool operator==(const HubRoute& other) const = default;
};

// The route's name, also the label value of the hub's request metric:
// "bindings", "credentials", "activation" or "status".
std::string_view hubRouteName(HubRouteKind kind);

// The metric label of a request whose path is no route.
inline constexpr std::string_view kUnknownHubRouteName = "unknown";

// The one method the route answers: "GET", "POST" or "PUT".
std::string_view hubRouteMethod(HubRouteKind kind);

// True for the routes whose path has a binding's {name}.
bool hubRouteHasBinding(HubRouteKind kind);

// The path of a route; `binding` is used only by the routes that have one.
// The names are put in as they are: the hub checks the caller against {ns}.
std::string hubRoutePath(HubRouteKind kind, std::string_view ns, std::string_view binding = {});

// Reads a request's path (without its query). Empty segments are skipped, so
// "/v1//namespaces/x/status/" is the status route. Anything else is kNotFound,
// with a message naming the path.
[[nodiscard]] Result<HubRoute> parseHubRoute(std::string_view path);

// ok() when `method` is the route's; otherwise kNotFound ("<method> is not
// allowed on <route name>").
[[nodiscard]] Status checkHubRouteMethod(HubRouteKind kind, std::string_view method);

} // namespace harborrobot::reconcile
