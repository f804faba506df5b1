// The system's CA bundle, trusted on demand. OpenSSL's own loading
// (SSL_CTX_set_default_verify_paths) parses every certificate of the bundle,
// some 140 of them and 0.8 MiB of heap, into each context's store, and keeps
// them for the context's life; a handshake needs only the issuers of the
// peer's chain. Here the bundle is indexed once by subject (a few KiB), and a
// certificate is read from the file and added to the store when verification
// asks for an issuer of that subject.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "harborrobot/core/result.h"

namespace harborrobot::http::internal {

// Makes `context` trust the system's CAs: the bundle file ($SSL_CERT_FILE, else
// OpenSSL's default file) on demand, and OpenSSL's hashed directory
// ($SSL_CERT_DIR, else its default), which OpenSSL already reads on demand.
// What is returned must outlive the context (its store calls back into it).
[[nodiscard]] Result<std::shared_ptr<const void>> trustSystemStore(SSL_CTX* context);

} // namespace harborrobot::http::internal
