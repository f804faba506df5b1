// The hub API's connections before HTTP: at most so many open per client
// address (past the cap a new one is closed at once, before its TLS handshake
// costs anything), and each with a whole deadline for its handshake and first
// request's headers (ConnectionDeadlines).
#pragma once

#include <chrono>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include "connection_deadlines.h"
#include "harborrobot/reconcile/connection_counts.h"

namespace harborrobot::agent::hub {

using reconcile::ConnectionCounts;

// What every connection answers to: the per-address cap and the whole deadline
// for its handshake and first request's headers.
struct ConnectionGuards {
  ConnectionCounts counts;
  ConnectionDeadlines& deadlines;
  std::chrono::seconds headerTimeout;
};

class CappedConnection final : public Poco::Net::TCPServerConnection {
public:
  CappedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                   Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ConnectionGuards& guards)
      : TCPServerConnection(socket), params_(std::move(params)), factory_(std::move(factory)),
        guards_(guards) {}
  void run() override {
    std::string address;
    try {
      address = socket().peerAddress().host().toString();
    } catch (const Poco::Exception&) {
      return; // already gone
    }
    if (!guards_.counts.enter(address)) {
      return; // closed when this connection object goes
    }
    struct Leave {
      ConnectionCounts& counts;
      const std::string& address;
      ~Leave() { counts.leave(address); }
    } leave{guards_.counts, address};
    const ConnectionDeadlines::Tracking tracking(guards_.deadlines, socket().impl()->sockfd(),
                                                 guards_.headerTimeout);
    Poco::Net::HTTPServerConnection(socket(), params_, factory_).run();
  }

private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  ConnectionGuards& guards_;
};

class CappedConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
  CappedConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                          Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                          ConnectionGuards& guards)
      : params_(std::move(params)), factory_(std::move(factory)), guards_(guards) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new CappedConnection(socket, params_, factory_, guards_);
  }

private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  ConnectionGuards& guards_;
};

} // namespace harborrobot::agent::hub
