// A real DNS server for tests: Debian's dnsmasq on 127.0.0.1:<free port>, serving
// records from a hosts file that set() rewrites (dnsmasq re-reads it on SIGHUP).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace harborrobot::testing {

using DnsRecords = std::map<std::string, std::vector<std::string>>;

class DnsmasqServer {
public:
  // Starts dnsmasq with `records` (name → addresses) and waits until it answers.
  explicit DnsmasqServer(DnsRecords records);
  ~DnsmasqServer();
  DnsmasqServer(const DnsmasqServer&) = delete;
  DnsmasqServer& operator=(const DnsmasqServer&) = delete;

  // Replaces the address list of `name` and makes dnsmasq reload.
  void set(const std::string& name, std::vector<std::string> addresses);
  std::string address() const; // "127.0.0.1:<port>"

private:
  void writeHosts() const;
  std::map<std::string, std::vector<std::string>> records_;
  std::filesystem::path directory_;
  int port_ = 0;
  pid_t pid_ = -1;
};

} // namespace harborrobot::testing
