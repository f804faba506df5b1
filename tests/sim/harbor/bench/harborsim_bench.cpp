// Benchmark of the Harbor simulator over HTTPS with keep-alive connections:
// robot creations per second (each one hashes a secret with PBKDF2, as Harbor
// does), registry token issuances per second for a robot, and the simulator's
// resident memory once it holds the robots. Prints figures; it asserts only
// that the work completed.
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mocks/harbor_sim_process.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// VmRSS of a process, in KiB.
long residentKiB(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:"))
      return std::stol(line.substr(6));
  }
  return -1;
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// One keep-alive HTTPS connection (a curl easy handle reuses it).
class Connection {
public:
  Connection(std::string base, std::string ca)
      : handle_(curl_easy_init(), &curl_easy_cleanup), base_(std::move(base)), ca_(std::move(ca)) {}

  std::pair<long, std::string> call(const std::string& method, const std::string& path,
                                    const std::string& user, const std::string& body = "") {
    CURL* curl = handle_.get();
    std::string answer;
    curl_easy_reset(curl);
    const std::string url = base_ + path;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, ca_.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, user.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
        curl_slist_append(nullptr, "Content-Type: application/json"), &curl_slist_free_all);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    if (!body.empty())
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    if (curl_easy_perform(curl) != CURLE_OK)
      return {0, ""};
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return {status, answer};
  }

private:
  std::unique_ptr<CURL, void (*)(CURL*)> handle_;
  std::string base_;
  std::string ca_;
};

// Runs `work(connection, index)` for indexes [0, total) on `threads` threads;
// returns how many calls succeeded and the seconds taken.
template <typename Work>
std::pair<int, double> parallel(const std::string& base, const std::string& ca, int threads,
                                int total, Work work) {
  std::atomic<int> next{0};
  std::atomic<int> succeeded{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      Connection connection(base, ca);
      for (int i = next++; i < total; i = next++) {
        if (work(connection, i))
          ++succeeded;
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  return {succeeded.load(), std::chrono::duration<double>(Clock::now() - start).count()};
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: harborrobot-harborsim-bench <harborrobot-harbor-sim> [robots] [tokens]\n";
    return 2;
  }
  const int robots = argc > 2 ? std::stoi(argv[2]) : 10000;
  const int tokens = argc > 3 ? std::stoi(argv[3]) : 2000;
  const int threads = 4;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int status = 0;
  {
    const harborrobot::testing::HarborSimProcess simulator(argv[1], {"--registry", "none"});
    const std::string base = simulator.url();
    const std::string ca = simulator.caFile().string();
    const std::string admin = "admin:Harbor12345";
    Connection setup(base, ca);
    setup.call("POST", "/api/v2.0/projects", admin, R"({"project_name":"bench"})");
    const long idleKiB = residentKiB(simulator.pid());

    const auto [created, createSeconds] =
        parallel(base, ca, threads, robots, [&](Connection& connection, int index) {
          const json body = {{"name", fmt::format("r{}", index)},
                             {"level", "project"},
                             {"duration", -1},
                             {"permissions",
                              {{{"kind", "project"},
                                {"namespace", "bench"},
                                {"access", {{{"resource", "repository"}, {"action", "pull"}}}}}}}};
          return connection.call("POST", "/api/v2.0/robots", admin, body.dump()).first == 201;
        });
    const long fullKiB = residentKiB(simulator.pid());

    // One robot asks for tokens, as a kubelet pulling with its Secret would.
    auto [robotStatus, robotBody] = setup.call(
        "POST", "/api/v2.0/robots", admin,
        R"({"name":"puller","level":"project","duration":-1,"permissions":[{"kind":"project",)"
        R"("namespace":"bench","access":[{"resource":"repository","action":"pull"}]}]})");
    const json robot = json::parse(robotBody, nullptr, false);
    const std::string credentials = robotStatus == 201 ? robot["name"].get<std::string>() + ":" +
                                                             robot["secret"].get<std::string>()
                                                       : "";
    const auto [issued, tokenSeconds] =
        parallel(base, ca, threads, tokens, [&](Connection& connection, int) {
          const auto [code, body] = connection.call(
              "GET", "/service/token?service=harbor-registry&scope=repository:bench/app:pull",
              credentials);
          return code == 200 && json::parse(body, nullptr, false).contains("token");
        });

    std::cout << fmt::format("harbor simulator, {} client threads, keep-alive HTTPS\n", threads);
    std::cout << fmt::format("  robot creations:   {:6} in {:6.2f} s = {:8.1f}/s\n", created,
                             createSeconds, created / createSeconds);
    std::cout << fmt::format("  token issuances:   {:6} in {:6.2f} s = {:8.1f}/s "
                             "(with {} robots stored)\n",
                             issued, tokenSeconds, issued / tokenSeconds, created);
    std::cout << fmt::format("  resident memory:   {:.1f} MiB idle, {:.1f} MiB with {} robots\n",
                             idleKiB / 1024.0, fullKiB / 1024.0, created);
    if (created != robots || issued != tokens) {
      std::cerr << "error: not every call succeeded\n";
      status = 1;
    }
  }
  curl_global_cleanup();
  return status;
}
