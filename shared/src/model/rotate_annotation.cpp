#include "harborrobot/model/rotate_annotation.h"

namespace harborrobot {

std::string rotateAnnotationFor(std::string_view ns) {
  return std::string(ns) + ".rotate.harborrobot.io/requested-at";
}

std::string legacyRotateAnnotationFor(std::string_view ns) {
  return std::string(kRotateAllAnnotation) + "." + std::string(ns);
}

std::vector<std::string> rotateRequestKeysFor(std::string_view ns) {
  return {std::string(kRotateAllAnnotation), rotateAnnotationFor(ns),
          legacyRotateAnnotationFor(ns)};
}

} // namespace harborrobot
