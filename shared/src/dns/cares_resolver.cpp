// c-ares behind dns::Resolver: ares_getaddrinfo for A and AAAA together, driven by
// poll() on the channel's sockets until the answer or the deadline.
#include "harborrobot/dns/cares_resolver.h"

#include <arpa/inet.h>
#include <poll.h>

#include <algorithm>
#include <mutex>

#include <ares.h>
#include <fmt/format.h>

namespace harborrobot::dns {

namespace {

struct Answer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<std::string> addresses;
};

void onAddrinfo(void* user, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto& answer = *static_cast<Answer*>(user);
  answer.done = true;
  answer.status = status;
  if (result == nullptr) {
    return;
  }
  for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* address = nullptr;
    if (node->ai_family == AF_INET) {
      address = &reinterpret_cast<const sockaddr_in*>(node->ai_addr)->sin_addr;
    } else if (node->ai_family == AF_INET6) {
      address = &reinterpret_cast<const sockaddr_in6*>(node->ai_addr)->sin6_addr;
    }
    if (address != nullptr && inet_ntop(node->ai_family, address, text, sizeof text) != nullptr) {
      answer.addresses.emplace_back(text);
    }
  }
  ares_freeaddrinfo(result);
}

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

ErrorCode codeFor(int status) {
  switch (status) {
  case ARES_ENOTFOUND:
  case ARES_ENODATA:
  case ARES_ENONAME:
    return ErrorCode::kNotFound;
  case ARES_EBADNAME:
    return ErrorCode::kInvalidArgument;
  default:
    return ErrorCode::kUnavailable;
  }
}

} // namespace

struct CaresResolver::Impl {
  std::mutex mutex;
  ares_channel channel = nullptr;
  std::chrono::milliseconds budget{0};

  ~Impl() {
    if (channel != nullptr) {
      ares_destroy(channel);
    }
  }

  // Runs the channel until `answer` is done. c-ares enforces its own per-try
  // timeouts; `budget` is a backstop so a wedged socket can never hang a caller.
  void drive(Answer& answer) const {
    const auto deadline = std::chrono::steady_clock::now() + budget;
    while (!answer.done) {
      ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
      const int bitmask = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
      std::vector<pollfd> fds;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bitmask, i)) {
          events |= POLLIN;
        }
        if (ARES_GETSOCK_WRITABLE(bitmask, i)) {
          events |= POLLOUT;
        }
        if (events != 0) {
          fds.push_back({sockets[i], events, 0});
        }
      }
      timeval maximum{0, 100000};
      timeval wait{};
      ares_timeout(channel, &maximum, &wait);
      const int waitMs = static_cast<int>(wait.tv_sec * 1000 + wait.tv_usec / 1000);
      const int ready = ::poll(fds.data(), fds.size(), std::max(waitMs, 1));
      if (ready <= 0) {
        ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      } else {
        for (const pollfd& fd : fds) {
          ares_process_fd(channel,
                          (fd.revents & (POLLIN | POLLERR | POLLHUP)) ? fd.fd : ARES_SOCKET_BAD,
                          (fd.revents & POLLOUT) ? fd.fd : ARES_SOCKET_BAD);
        }
      }
      if (!answer.done && std::chrono::steady_clock::now() > deadline) {
        ares_cancel(channel); // calls back with ARES_ECANCELLED
      }
    }
  }
};

CaresResolver::CaresResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaresResolver::~CaresResolver() = default;

Result<std::unique_ptr<CaresResolver>> CaresResolver::create(ResolverOptions options) {
  if (options.tries < 1 || options.timeout.count() < 1) {
    return makeError(ErrorCode::kInvalidArgument,
                     fmt::format("DNS options: tries {} and timeout {}ms must be positive",
                                 options.tries, options.timeout.count()));
  }
  auto impl = std::make_unique<Impl>();
  ares_options settings{};
  settings.timeout = static_cast<int>(options.timeout.count());
  settings.tries = options.tries;
  const int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (const int status = ares_init_options(&impl->channel, &settings, mask);
      status != ARES_SUCCESS) {
    return makeError(ErrorCode::kUnavailable,
                     fmt::format("initialising DNS: {}", ares_strerror(status)));
  }
  if (!options.servers.empty()) {
    std::string csv;
    for (const auto& server : options.servers) {
      csv += (csv.empty() ? "" : ",") + server;
    }
    if (const int status = ares_set_servers_ports_csv(impl->channel, csv.c_str());
        status != ARES_SUCCESS) {
      return makeError(fieldError("dns servers", csv, "is not a list of DNS servers",
                                  "e.g. 127.0.0.1:5353,[::1]:53"));
    }
  }
  impl->budget = options.timeout * (options.tries + 1) * 2;
  return std::unique_ptr<CaresResolver>(new CaresResolver(std::move(impl)));
}

Result<std::vector<std::string>> CaresResolver::resolve(std::string_view host) {
  const std::string name(host);
  if (name.empty()) {
    return makeError(ErrorCode::kInvalidArgument, "resolving an empty host name");
  }
  if (isIpLiteral(name)) {
    return std::vector<std::string>{name};
  }
  Answer answer;
  {
    std::lock_guard lock(impl_->mutex);
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    ares_getaddrinfo(impl_->channel, name.c_str(), nullptr, &hints, onAddrinfo, &answer);
    impl_->drive(answer);
  }
  if (answer.status != ARES_SUCCESS) {
    return makeError(codeFor(answer.status),
                     fmt::format("resolving {}: {}", name, ares_strerror(answer.status)));
  }
  std::sort(answer.addresses.begin(), answer.addresses.end());
  answer.addresses.erase(std::unique(answer.addresses.begin(), answer.addresses.end()),
                         answer.addresses.end());
  if (answer.addresses.empty()) {
    return makeError(ErrorCode::kNotFound, fmt::format("resolving {}: no addresses", name));
  }
  return answer.addresses;
}

} // namespace harborrobot::dns
