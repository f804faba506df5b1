// The core's HTTP client under its former name: it is HttpsClient (Poco::Net over
// OpenSSL) now, and libcurl is no longer linked; the callers that still spell
// CurlClient, TlsOptions or ClientOptions from here keep building unchanged.
#pragma once

#include "harborrobot/http/https_client.h"

namespace harborrobot::http {

using CurlClient = HttpsClient;

} // namespace harborrobot::http
