#include "registry_upstream.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace harborrobot::harborsim {

namespace {

std::size_t appendBody(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::size_t appendHeader(char* data, std::size_t size, std::size_t count, void* target) {
  auto& headers = *static_cast<std::vector<std::pair<std::string, std::string>>*>(target);
  std::string line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  if (line.starts_with("HTTP/")) {
    headers.clear(); // a new response (after 100 Continue) starts over
  } else if (const auto colon = line.find(':'); colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    headers.emplace_back(line.substr(0, colon), value);
  }
  return size * count;
}

void writeConfig(const std::filesystem::path& directory, const std::filesystem::path& socket) {
  std::random_device random;
  std::ofstream config(directory / "config.yml");
  config << "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n    rootdirectory: "
         << (directory / "data").string()
         << "\n  delete:\n    enabled: true\n"
            "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            "http:\n  net: unix\n  addr: "
         << socket.string()
         << "\n  relativeurls: true\n"
            "  secret: "
         << fmt::format("{:08x}{:08x}", random(), random()) << "\n";
}

} // namespace

RegistryUpstream::RegistryUpstream(pid_t pid, std::filesystem::path socket)
    : pid_(pid), socket_(std::move(socket)) {}

RegistryUpstream::~RegistryUpstream() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGTERM);
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

tl::expected<std::unique_ptr<RegistryUpstream>, std::string>
RegistryUpstream::start(const std::filesystem::path& binary, const std::filesystem::path& directory,
                        std::chrono::seconds readyTimeout) {
  std::filesystem::create_directories(directory / "data");
  const auto socket = directory / "registry.sock";
  std::filesystem::remove(socket); // a stale socket from an earlier run blocks the listener
  writeConfig(directory, socket);
  const std::string logPath = (directory / "registry.log").string();
  const std::string configPath = (directory / "config.yml").string();
  const pid_t pid = fork();
  if (pid < 0)
    return tl::unexpected(std::string("cannot fork the registry process"));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM); // never outlive the simulator
    const int log = open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    execl(binary.c_str(), binary.c_str(), "serve", configPath.c_str(), nullptr);
    _exit(127);
  }
  auto upstream = std::unique_ptr<RegistryUpstream>(new RegistryUpstream(pid, socket));
  const auto deadline = std::chrono::steady_clock::now() + readyTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      upstream->pid_ = -1;
      return tl::unexpected(fmt::format("{} exited at start; see {}", binary.string(), logPath));
    }
    if (std::filesystem::exists(socket)) {
      auto probe = upstream->forward("GET", "/v2/", {}, "");
      if (probe && probe->status == 200)
        return upstream;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return tl::unexpected(
      fmt::format("the registry did not answer within {}s; see {}", readyTimeout.count(), logPath));
}

tl::expected<UpstreamResponse, std::string>
RegistryUpstream::forward(const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl)
    return tl::unexpected(std::string("curl_easy_init failed"));
  UpstreamResponse response;
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, fmt::format("{}: {}", name, value).c_str());
  // curl adds these on its own unless told not to.
  list = curl_slist_append(list, "Expect:");
  if (body.empty() && method != "GET" && method != "HEAD")
    list = curl_slist_append(list, "Content-Length: 0");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headerList(list, &curl_slist_free_all);
  const std::string url = "http://registry" + target;
  curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD")
    curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  if (!body.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headerList.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &appendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &appendHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 120L);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK)
    return tl::unexpected(fmt::format("registry request failed: {}", curl_easy_strerror(code)));
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

} // namespace harborrobot::harborsim
