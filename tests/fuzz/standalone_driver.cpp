// Replays every file of a corpus directory through LLVMFuzzerTestOneInput, so the
// fuzz targets run (and must not crash) in ordinary builds without libFuzzer.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path corpus = argv[1];
  if (!std::filesystem::is_directory(corpus)) {
    std::fprintf(stderr, "corpus directory %s does not exist\n", corpus.c_str());
    return 2;
  }
  int replayed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++replayed;
  }
  if (replayed == 0) {
    std::fprintf(stderr, "corpus directory %s is empty\n", corpus.c_str());
    return 1;
  }
  std::printf("replayed %d inputs from %s\n", replayed, corpus.c_str());
  return 0;
}
