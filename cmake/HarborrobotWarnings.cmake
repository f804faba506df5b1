# Warnings are errors for every target of this project; sanitizers apply to all
# of them so that a sanitizer build covers the simulators and plugins too.
add_compile_options(-Wall -Wextra -Wpedantic -Werror)
# GCC 12's optimiser reports -Wrestrict and -Wmaybe-uninitialized inside
# libstdc++'s own string and variant code at -O2 (GCC bugs 105329 and 105562):
# they stay warnings there, so an optimised build of correct code still builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
  add_compile_options(-Wno-error=restrict -Wno-error=maybe-uninitialized)
endif()

if(HARBORROBOT_SANITIZE)
  add_compile_options(-fsanitize=${HARBORROBOT_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${HARBORROBOT_SANITIZE})
endif()

# Every binary finds the core library and the plugin directory relative to itself,
# so a build tree and an installed tree both run without LD_LIBRARY_PATH.
set(CMAKE_BUILD_RPATH_USE_ORIGIN ON)
set(CMAKE_INSTALL_RPATH "$ORIGIN/../lib")

# The "fuzz" preset instruments every target for coverage, so libFuzzer sees into
# the core library and not only into the fuzz target's own file.
if(HARBORROBOT_LIBFUZZER)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
