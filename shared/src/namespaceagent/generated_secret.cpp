// Building the generated Secret and reading back what it holds.
#include "harborrobot/namespaceagent/generated_secret.h"

#include <utility>

#include "harborrobot/model/harbor_names.h"
#include "harborrobot/namespaceagent/secret_labels.h"
#include "harborrobot/util/base64.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::namespaceagent {

namespace {

nlohmann::json annotationsOf(const nlohmann::json& object) {
  return objectField(objectField(object, "metadata"), "annotations");
}

std::string dockerConfigOf(const nlohmann::json& secret) {
  const std::string encoded = stringField(objectField(secret, "data"), ".dockerconfigjson");
  auto decoded = base64Decode(encoded);
  return decoded ? *decoded : std::string();
}

} // namespace

bool isOurs(const nlohmann::json& secret, std::string_view binding) {
  const auto labels = objectField(objectField(secret, "metadata"), "labels");
  return stringField(labels, kManagedByLabel) == kManagedByValue &&
         stringField(annotationsOf(secret), kBindingAnnotation) == binding;
}

std::optional<RegistryCredential> credentialIn(const nlohmann::json& secret,
                                               std::string_view registry) {
  auto credential = parseDockerConfigJson(dockerConfigOf(secret), registry);
  return credential ? std::optional<RegistryCredential>(std::move(*credential)) : std::nullopt;
}

rotation::ObservedSecret observeSecret(const std::optional<nlohmann::json>& secret,
                                       const reconcile::AgentBinding& binding) {
  rotation::ObservedSecret observed;
  observed.rotateRequestedAt = binding.rotateRequestedAt;
  if (!secret) {
    return observed;
  }
  observed.exists = true;
  observed.ours = isOurs(*secret, binding.name);
  if (!observed.ours) {
    return observed;
  }
  const auto annotations = annotationsOf(*secret);
  const std::string content = dockerConfigOf(*secret);
  observed.decodes = stringField(*secret, "type") == "kubernetes.io/dockerconfigjson" &&
                     parseDockerConfigJson(content, binding.registryUrl).has_value();
  observed.contentMatches = sha256Hex(content) == stringField(annotations, kContentHashAnnotation);
  const std::string generation = stringField(annotations, kGenerationAnnotation);
  observed.generation = generation.empty() ||
                                generation.find_first_not_of("0123456789") != std::string::npos ||
                                generation.size() > 18
                            ? 0
                            : std::stoll(generation);
  if (auto rotatedAt =
          parseRfc3339(stringField(annotations, kRotatedAtAnnotation), kRotatedAtAnnotation)) {
    observed.rotatedAt = *rotatedAt;
  }
  observed.specHash = stringField(annotations, kSpecHashAnnotation);
  return observed;
}

nlohmann::json buildSecret(std::string_view ns, const GeneratedSecret& generated) {
  const SecretString content = buildDockerConfigJson(generated.credential);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", generated.name},
            {"namespace", ns},
            {"labels", {{kManagedByLabel, kManagedByValue}}},
            {"annotations",
             {{kBindingAnnotation, generated.binding},
              {kGenerationAnnotation, std::to_string(generated.generation)},
              {kRotatedAtAnnotation, formatRfc3339(generated.rotatedAt)},
              {kSpecHashAnnotation, generated.specHash},
              {kRobotAnnotation, generated.robotName},
              {kContentHashAnnotation, sha256Hex(content.reveal())}}}}},
          {"type", "kubernetes.io/dockerconfigjson"},
          {"data", {{".dockerconfigjson", base64Encode(content.reveal())}}}};
}

} // namespace harborrobot::namespaceagent
