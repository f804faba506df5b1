// The hub API's route table: every route built and parsed back, the metric
// names pinned, and paths that are no route refused with the path named.
#include "harborrobot/reconcile/hub_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace harborrobot::reconcile {
namespace {

using ::testing::HasSubstr;

TEST(HubRoutes, EveryRouteBuiltParsesBackToItself) {
  for (const HubRouteKind kind : kHubRouteKinds) {
    const std::string binding = hubRouteHasBinding(kind) ? "pull" : "";
    const std::string path = hubRoutePath(kind, "team-a", binding);
    auto route = parseHubRoute(path);
    ASSERT_TRUE(route) << path << ": " << route.error().message();
    EXPECT_EQ(*route, (HubRoute{kind, "team-a", binding})) << path;
    EXPECT_TRUE(checkHubRouteMethod(kind, hubRouteMethod(kind))) << path;
  }
}

TEST(HubRoutes, PathsAndMethodsAreTheProtocols) {
  EXPECT_EQ(hubRoutePath(HubRouteKind::kBindings, "ns"), "/v1/namespaces/ns/bindings");
  EXPECT_EQ(hubRoutePath(HubRouteKind::kCredentials, "ns", "b"),
            "/v1/namespaces/ns/bindings/b/credentials");
  EXPECT_EQ(hubRoutePath(HubRouteKind::kActivation, "ns", "b"),
            "/v1/namespaces/ns/bindings/b/activation");
  EXPECT_EQ(hubRoutePath(HubRouteKind::kStatus, "ns"), "/v1/namespaces/ns/status");
  EXPECT_EQ(hubRouteMethod(HubRouteKind::kBindings), "GET");
  EXPECT_EQ(hubRouteMethod(HubRouteKind::kCredentials), "POST");
  EXPECT_EQ(hubRouteMethod(HubRouteKind::kActivation), "POST");
  EXPECT_EQ(hubRouteMethod(HubRouteKind::kStatus), "PUT");
}

TEST(HubRoutes, MetricNamesStayAsDashboardsKnowThem) {
  EXPECT_EQ(hubRouteName(HubRouteKind::kBindings), "bindings");
  EXPECT_EQ(hubRouteName(HubRouteKind::kCredentials), "credentials");
  EXPECT_EQ(hubRouteName(HubRouteKind::kActivation), "activation");
  EXPECT_EQ(hubRouteName(HubRouteKind::kStatus), "status");
  EXPECT_EQ(kUnknownHubRouteName, "unknown");
}

TEST(HubRoutes, EmptySegmentsAreSkipped) {
  auto route = parseHubRoute("//v1/namespaces//team-a/bindings/pull//activation/");
  ASSERT_TRUE(route) << route.error().message();
  EXPECT_EQ(*route, (HubRoute{HubRouteKind::kActivation, "team-a", "pull"}));
}

TEST(HubRoutes, RefusesPathsThatAreNoRouteNamingThem) {
  for (const std::string path :
       {"", "/", "/v1", "/v1/namespaces/team-a", "/v2/namespaces/team-a/bindings",
        "/v1/namespace/team-a/bindings", "/v1/namespaces/team-a/secrets",
        "/v1/namespaces/team-a/bindings/pull", "/v1/namespaces/team-a/status/extra",
        "/v1/namespaces/team-a/bindings/pull/status",
        "/v1/namespaces/team-a/bindings/pull/credentials/x",
        "/v1/namespaces/team-a/other/pull/credentials"}) {
    auto route = parseHubRoute(path);
    ASSERT_FALSE(route) << path;
    EXPECT_EQ(route.error().code(), ErrorCode::kNotFound) << path;
    EXPECT_THAT(route.error().message(), HasSubstr("no such hub API path: \"" + path + "\""));
  }
}

TEST(HubRoutes, RefusesAnotherMethodNamingItAndTheRoute) {
  auto wrong = checkHubRouteMethod(HubRouteKind::kCredentials, "GET");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(wrong.error().message(), "GET is not allowed on credentials");
  auto put = checkHubRouteMethod(HubRouteKind::kBindings, "PUT");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().message(), "PUT is not allowed on bindings");
}

} // namespace
} // namespace harborrobot::reconcile
