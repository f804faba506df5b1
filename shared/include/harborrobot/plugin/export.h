// Macros a plugin .so uses to export its ABI metadata and its factories.
//
//   HARBORROBOT_PLUGIN("alias-policy", "always", "1.0.0")
//   HARBORROBOT_PLUGIN_FACTORIES_BEGIN
//     HARBORROBOT_PLUGIN_FACTORY(AlwaysPolicyFactory)
//   HARBORROBOT_PLUGIN_FACTORIES_END
#pragma once

#include <Poco/ClassLibrary.h>

#include "harborrobot/plugin/factory.h"

#define HARBORROBOT_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

// The loader reads these four symbols before it touches anything else in the .so.
#define HARBORROBOT_PLUGIN(kind_text, name_text, version_text)                                     \
  HARBORROBOT_PLUGIN_EXPORT int harborrobot_plugin_abi_version() {                                 \
    return ::harborrobot::plugin::kAbiVersion;                                                     \
  }                                                                                                \
  HARBORROBOT_PLUGIN_EXPORT const char* harborrobot_plugin_kind() {                                \
    return kind_text;                                                                              \
  }                                                                                                \
  HARBORROBOT_PLUGIN_EXPORT const char* harborrobot_plugin_name() {                                \
    return name_text;                                                                              \
  }                                                                                                \
  HARBORROBOT_PLUGIN_EXPORT const char* harborrobot_plugin_version() {                             \
    return version_text;                                                                           \
  }

// Poco's manifest of factory classes; the short key is the factory's class name.
#define HARBORROBOT_PLUGIN_FACTORIES_BEGIN POCO_BEGIN_MANIFEST(::harborrobot::plugin::Factory)
#define HARBORROBOT_PLUGIN_FACTORY(cls) POCO_EXPORT_CLASS(cls)
#define HARBORROBOT_PLUGIN_FACTORIES_END POCO_END_MANIFEST
