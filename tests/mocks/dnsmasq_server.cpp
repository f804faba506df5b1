// DnsmasqServer: spawns dnsmasq in the foreground and owns its lifetime.
#include "mocks/dnsmasq_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <stdexcept>

#include "harborrobot/dns/cares_resolver.h"

extern char** environ;

namespace harborrobot::testing {

namespace {

// Asks the kernel for a free UDP port. dnsmasq binds it right after; a collision
// with another process in that window fails start-up loudly, not silently.
int freeUdpPort() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

} // namespace

DnsmasqServer::DnsmasqServer(DnsRecords records) : records_(std::move(records)) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "harborrobot-dns-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  directory_ = pattern;
  writeHosts();
  port_ = freeUdpPort();

  std::vector<std::string> arguments = {"/usr/sbin/dnsmasq",
                                        "--keep-in-foreground",
                                        "--conf-file=/dev/null",
                                        "--no-resolv",
                                        "--no-hosts",
                                        "--addn-hosts=" + (directory_ / "hosts").string(),
                                        "--listen-address=127.0.0.1",
                                        "--bind-interfaces",
                                        "--port=" + std::to_string(port_),
                                        "--pid-file=" + (directory_ / "pid").string(),
                                        "--local-ttl=0",
                                        "--log-facility=" + (directory_ / "log").string()};
  // Authoritative for the records' domains: unknown names there get NXDOMAIN, as
  // from a real zone, instead of REFUSED for want of an upstream.
  std::set<std::string> domains;
  for (const auto& [name, addresses] : records_) {
    if (const auto dot = name.find('.'); dot != std::string::npos) {
      domains.insert(name.substr(dot + 1));
    }
  }
  for (const auto& domain : domains) {
    arguments.push_back("--local=/" + domain + "/");
  }
  if (::getuid() == 0) {
    // As root dnsmasq would switch to "nobody", who cannot read our private directory.
    arguments.push_back("--user=root");
  }
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start /usr/sbin/dnsmasq");
  }

  // Ready when it answers a query for a name it serves.
  auto resolver = dns::CaresResolver::create(
      {.servers = {address()}, .timeout = std::chrono::milliseconds(200), .tries = 1});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("dnsmasq exited during start-up; see " +
                               (directory_ / "log").string());
    }
    if (records_.empty() || (*resolver)->resolve(records_.begin()->first)) {
      return;
    }
  }
  throw std::runtime_error("dnsmasq did not answer within 10s");
}

DnsmasqServer::~DnsmasqServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void DnsmasqServer::writeHosts() const {
  const auto temporary = directory_ / "hosts.new";
  {
    std::ofstream out(temporary);
    for (const auto& [name, addresses] : records_) {
      for (const auto& address : addresses) {
        out << address << ' ' << name << '\n';
      }
    }
  }
  std::filesystem::rename(temporary, directory_ / "hosts");
}

void DnsmasqServer::set(const std::string& name, std::vector<std::string> addresses) {
  records_[name] = std::move(addresses);
  writeHosts();
  ::kill(pid_, SIGHUP);
}

std::string DnsmasqServer::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

} // namespace harborrobot::testing
