// The targets cache: selections are memoized until the namespaces change.
#include "harborrobot/hub/targets_cache.h"

#include <gtest/gtest.h>

#include "mocks/hub_fakes.h"

namespace harborrobot::hub {
namespace {

kube::Json namespaceObject(const std::string& name, kube::Json labels = kube::Json::object()) {
  return {{"metadata", {{"name", name}, {"labels", std::move(labels)}}},
          {"status", {{"phase", "Active"}}}};
}

struct Namespaces {
  std::vector<std::shared_ptr<const kube::Json>> objects;
  int lists = 0;
  NamespaceList source() {
    return [this] {
      ++lists;
      return objects;
    };
  }
  void add(kube::Json object) { objects.push_back(std::make_shared<const kube::Json>(object)); }
};

BindingSpec specOf(std::vector<std::string> names) {
  auto parsed = parseBinding(testing::bindingObject("b", std::move(names)));
  EXPECT_TRUE(parsed);
  return parsed ? parsed->spec : BindingSpec{};
}

TEST(TargetsCache, RecomputesOnlyAfterInvalidation) {
  Namespaces namespaces;
  namespaces.add(namespaceObject("ns1"));
  TargetsCache cache(namespaces.source(), {"kube-system"});
  const auto spec = specOf({"ns1", "ns2", "kube-system"});
  auto selection = cache.selectionOf(spec);
  EXPECT_EQ(selection.targets, std::vector<std::string>{"ns1"});
  EXPECT_EQ(namespaces.lists, 1);

  namespaces.add(namespaceObject("ns2"));
  namespaces.add(namespaceObject("kube-system"));
  // Not invalidated: the remembered selection stands, and nothing is listed.
  EXPECT_EQ(cache.selectionOf(spec).targets, std::vector<std::string>{"ns1"});
  EXPECT_EQ(namespaces.lists, 1);

  cache.invalidate();
  selection = cache.selectionOf(spec);
  EXPECT_EQ(selection.targets, (std::vector<std::string>{"ns1", "ns2"}));
  EXPECT_EQ(selection.excluded, std::vector<std::string>{"kube-system"});
  EXPECT_EQ(namespaces.lists, 2);
  // Another selection over the same namespaces needs no new listing.
  EXPECT_EQ(cache.selectionOf(specOf({"ns2"})).targets, std::vector<std::string>{"ns2"});
  EXPECT_EQ(namespaces.lists, 2);
}

TEST(TargetsCache, TerminatingNamespacesAreNotTargets) {
  Namespaces namespaces;
  kube::Json going = namespaceObject("ns1");
  going["status"]["phase"] = "Terminating";
  namespaces.add(going);
  TargetsCache cache(namespaces.source(), {});
  EXPECT_TRUE(cache.selectionOf(specOf({"ns1"})).targets.empty());
  EXPECT_TRUE(namespaceInfoOf(going).terminating);
}

TEST(KeepTargetingFields, TheCacheKeepsWhatSelectionReadsAndNothingElse) {
  kube::Json object = kube::Json::parse(R"({
    "apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "team-ns1", "uid": "u", "resourceVersion": "7",
                 "labels": {"team": "a"}, "annotations": {"big": "x"},
                 "deletionTimestamp": "2026-12-05T00:00:00Z",
                 "managedFields": [{"manager": "kubectl"}]},
    "spec": {"finalizers": ["kubernetes"]},
    "status": {"phase": "Terminating"}})");
  const auto before = namespaceInfoOf(object);
  keepTargetingFields(object);
  EXPECT_EQ(object, kube::Json::parse(R"({
    "metadata": {"name": "team-ns1", "uid": "u", "resourceVersion": "7",
                 "labels": {"team": "a"}, "deletionTimestamp": "2026-12-05T00:00:00Z"},
    "status": {"phase": "Terminating"}})"));
  const auto after = namespaceInfoOf(object);
  EXPECT_EQ(after.name, before.name);
  EXPECT_EQ(after.labels, before.labels);
  EXPECT_EQ(after.terminating, before.terminating);
}

TEST(NamespaceChangeMatters, LabelsDeletionAndPhaseOnly) {
  const kube::Json before = namespaceObject("ns1", {{"team", "a"}});
  kube::Json after = before;
  after["metadata"]["resourceVersion"] = "2";
  after["metadata"]["annotations"] = {{"note", "x"}};
  EXPECT_FALSE(namespaceChangeMatters(before, after));
  kube::Json relabelled = before;
  relabelled["metadata"]["labels"]["team"] = "b";
  EXPECT_TRUE(namespaceChangeMatters(before, relabelled));
  kube::Json deleting = before;
  deleting["metadata"]["deletionTimestamp"] = "2026-03-01T09:00:00Z";
  EXPECT_TRUE(namespaceChangeMatters(before, deleting));
  kube::Json terminating = before;
  terminating["status"]["phase"] = "Terminating";
  EXPECT_TRUE(namespaceChangeMatters(before, terminating));
}

} // namespace
} // namespace harborrobot::hub
