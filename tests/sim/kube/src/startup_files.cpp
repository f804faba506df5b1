#include "startup_files.h"

#include <fstream>
#include <iterator>
#include <random>

namespace harborrobot::kubesim {

std::string randomToken() {
  std::random_device entropy;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string token;
  for (int i = 0; i < 32; ++i) {
    token += kAlphabet[entropy() % (sizeof(kAlphabet) - 1)];
  }
  return token;
}

std::string readTextFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace harborrobot::kubesim
