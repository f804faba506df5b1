// The c-ares resolver against a real dnsmasq on loopback: answers, a switched
// record, names that do not exist, and a server that does not answer.
#include "harborrobot/dns/cares_resolver.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mocks/dnsmasq_server.h"

namespace harborrobot::dns {
namespace {

using ::testing::ElementsAre;

std::unique_ptr<CaresResolver> resolverFor(const std::string& server) {
  auto resolver = CaresResolver::create(
      {.servers = {server}, .timeout = std::chrono::milliseconds(300), .tries = 1});
  EXPECT_TRUE(resolver) << resolver.error().message();
  return std::move(*resolver);
}

TEST(CaresResolver, ResolvesEveryAddressSortedAndDeduplicated) {
  testing::DnsmasqServer dns(
      testing::DnsRecords{{"harbor-1.example.com", {"127.0.0.11"}},
                          {"harbor.example.com", {"127.0.0.12", "127.0.0.11", "::1"}}});
  auto resolver = resolverFor(dns.address());
  auto one = resolver->resolve("harbor-1.example.com");
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_THAT(*one, ElementsAre("127.0.0.11"));
  auto alias = resolver->resolve("harbor.example.com");
  ASSERT_TRUE(alias) << alias.error().message();
  EXPECT_THAT(*alias, ElementsAre("127.0.0.11", "127.0.0.12", "::1"));
}

TEST(CaresResolver, SeesASwitchedRecord) {
  testing::DnsmasqServer dns(testing::DnsRecords{{"harbor.example.com", {"127.0.0.11"}}});
  auto resolver = resolverFor(dns.address());
  dns.set("harbor.example.com", {"127.0.0.12"});
  // dnsmasq reloads on SIGHUP asynchronously: wait for the new answer, bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Result<std::vector<std::string>> answer = resolver->resolve("harbor.example.com");
  while (std::chrono::steady_clock::now() < deadline &&
         !(answer && *answer == std::vector<std::string>{"127.0.0.12"})) {
    answer = resolver->resolve("harbor.example.com");
  }
  ASSERT_TRUE(answer) << answer.error().message();
  EXPECT_THAT(*answer, ElementsAre("127.0.0.12"));
}

TEST(CaresResolver, UnknownNameIsNotFound) {
  testing::DnsmasqServer dns(testing::DnsRecords{{"harbor.example.com", {"127.0.0.11"}}});
  auto resolver = resolverFor(dns.address());
  auto answer = resolver->resolve("nothing.example.com");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(answer.error().message(), ::testing::StartsWith("resolving nothing.example.com: "));
}

TEST(CaresResolver, SilentServerIsUnavailableWithinTheBudget) {
  // A bound UDP socket that never answers.
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  auto resolver = resolverFor("127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  auto answer = resolver->resolve("harbor.example.com");
  ::close(fd);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code(), ErrorCode::kUnavailable);
}

TEST(CaresResolver, IpLiteralsNeedNoQuery) {
  auto resolver = resolverFor("127.0.0.1:1");
  auto v4 = resolver->resolve("192.168.1.1");
  ASSERT_TRUE(v4);
  EXPECT_THAT(*v4, ElementsAre("192.168.1.1"));
  auto v6 = resolver->resolve("::1");
  ASSERT_TRUE(v6);
  EXPECT_THAT(*v6, ElementsAre("::1"));
}

TEST(CaresResolver, RejectsBadOptions) {
  auto badServers = CaresResolver::create({.servers = {"not a server"}});
  ASSERT_FALSE(badServers);
  EXPECT_EQ(badServers.error().message(), "dns servers: \"not a server\" is not a list of DNS "
                                          "servers (expected e.g. 127.0.0.1:5353,[::1]:53)");
  auto badTries = CaresResolver::create({.tries = 0});
  ASSERT_FALSE(badTries);
  EXPECT_EQ(badTries.error().code(), ErrorCode::kInvalidArgument);
}

} // namespace
} // namespace harborrobot::dns
