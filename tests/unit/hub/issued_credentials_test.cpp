// The hub's issued-credential idempotency cache.
#include "harborrobot/hub/issued_credentials.h"

#include <gtest/gtest.h>

namespace harborrobot::hub {
namespace {

using namespace std::chrono;

const steady_clock::time_point kStart{hours(1000)};

reconcile::IssuedCredential credential(std::string username, std::int64_t generation) {
  reconcile::IssuedCredential issued;
  issued.username = std::move(username);
  issued.secret = SecretString("s3cret");
  issued.generation = generation;
  return issued;
}

TEST(IssuedCredentials, SameRotationIdGetsTheSameCredential) {
  IssuedCredentials issued;
  EXPECT_FALSE(issued.find("ns1", "b", "r-1", kStart));
  issued.remember("ns1", "b", "r-1", credential("robot$one", 2), kStart);
  const auto again = issued.find("ns1", "b", "r-1", kStart + minutes(5));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->username, "robot$one");
  EXPECT_EQ(again->generation, 2);
  // Another rotation id, namespace or binding is another request.
  EXPECT_FALSE(issued.find("ns1", "b", "r-2", kStart));
  EXPECT_FALSE(issued.find("ns2", "b", "r-1", kStart));
  EXPECT_FALSE(issued.find("ns1", "c", "r-1", kStart));
}

TEST(IssuedCredentials, ForgottenAfterTheMemory) {
  IssuedCredentials issued(minutes(10));
  issued.remember("ns1", "b", "r-1", credential("robot$one", 2), kStart);
  EXPECT_TRUE(issued.find("ns1", "b", "r-1", kStart + minutes(10)));
  EXPECT_FALSE(issued.find("ns1", "b", "r-1", kStart + minutes(10) + seconds(1)));
  // The expired entry is gone, so the generation is no longer known as issued.
  EXPECT_FALSE(issued.issuedGeneration("ns1", "b", 2));
}

TEST(IssuedCredentials, IssuedGenerationByNamespaceAndBinding) {
  IssuedCredentials issued;
  issued.remember("ns1", "b", "r-1", credential("robot$one", 2), kStart);
  EXPECT_TRUE(issued.issuedGeneration("ns1", "b", 2));
  EXPECT_FALSE(issued.issuedGeneration("ns1", "b", 3));
  EXPECT_FALSE(issued.issuedGeneration("ns2", "b", 2));
  EXPECT_FALSE(issued.issuedGeneration("ns1", "bb", 2)); // not a prefix match on the name
}

} // namespace
} // namespace harborrobot::hub
