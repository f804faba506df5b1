// The hub API's route table: names, methods, building and parsing paths.
#include "harborrobot/reconcile/hub_routes.h"

#include <vector>

#include <fmt/format.h>

namespace harborrobot::reconcile {

namespace {

constexpr std::string_view kPrefix = "/v1/namespaces/";

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const auto part = path.substr(0, slash);
    if (!part.empty()) {
      parts.push_back(part);
    }
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return parts;
}

} // namespace

std::string_view hubRouteName(HubRouteKind kind) {
  switch (kind) {
  case HubRouteKind::kBindings:
    return "bindings";
  case HubRouteKind::kCredentials:
    return "credentials";
  case HubRouteKind::kActivation:
    return "activation";
  case HubRouteKind::kStatus:
    return "status";
  }
  return kUnknownHubRouteName;
}

std::string_view hubRouteMethod(HubRouteKind kind) {
  switch (kind) {
  case HubRouteKind::kBindings:
    return "GET";
  case HubRouteKind::kCredentials:
  case HubRouteKind::kActivation:
    return "POST";
  case HubRouteKind::kStatus:
    return "PUT";
  }
  return "GET";
}

bool hubRouteHasBinding(HubRouteKind kind) {
  return kind == HubRouteKind::kCredentials || kind == HubRouteKind::kActivation;
}

std::string hubRoutePath(HubRouteKind kind, std::string_view ns, std::string_view binding) {
  if (hubRouteHasBinding(kind)) {
    return fmt::format("{}{}/bindings/{}/{}", kPrefix, ns, binding, hubRouteName(kind));
  }
  return fmt::format("{}{}/{}", kPrefix, ns, hubRouteName(kind));
}

Result<HubRoute> parseHubRoute(std::string_view path) {
  const auto parts = segments(path);
  if (parts.size() >= 4 && parts[0] == "v1" && parts[1] == "namespaces") {
    for (const HubRouteKind kind : kHubRouteKinds) {
      const auto name = hubRouteName(kind);
      if (!hubRouteHasBinding(kind) && parts.size() == 4 && parts[3] == name) {
        return HubRoute{kind, std::string(parts[2]), ""};
      }
      if (hubRouteHasBinding(kind) && parts.size() == 6 && parts[3] == "bindings" &&
          parts[5] == name) {
        return HubRoute{kind, std::string(parts[2]), std::string(parts[4])};
      }
    }
  }
  return makeError(ErrorCode::kNotFound,
                   fmt::format("no such hub API path: {}", quoteForMessage(path)));
}

Status checkHubRouteMethod(HubRouteKind kind, std::string_view method) {
  if (method == hubRouteMethod(kind)) {
    return ok();
  }
  return makeError(ErrorCode::kNotFound,
                   fmt::format("{} is not allowed on {}", method, hubRouteName(kind)));
}

} // namespace harborrobot::reconcile
