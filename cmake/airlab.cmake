# Shared build settings and helpers for every folder's CMakeLists.txt.

# What core/ must build with everywhere: no exceptions, no RTTI. Link it PRIVATE so the
# flags stay on core's own sources and do not leak into host programs that include it.
add_library(airlab_core_options INTERFACE)
target_compile_options(airlab_core_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti>
  -Wall -Wextra -Wshadow -Wno-missing-field-initializers)

# Host code (programs, tests, platform/) may use exceptions and the standard library freely.
add_library(airlab_host_options INTERFACE)
target_include_directories(airlab_host_options INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(airlab_host_options INTERFACE -Wall -Wextra -Wno-missing-field-initializers)

if(NOT AIRLAB_CORE_ONLY)
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# airlab_add_test(NAME source... DEPS target... [LABELS label...])
# One GoogleTest binary; each TEST becomes a ctest test so `ctest -j` spreads them.
function(airlab_add_test name)
  if(AIRLAB_CORE_ONLY)
    return()
  endif()
  cmake_parse_arguments(T "" "" "DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${T_DEPS} airlab_host_options GTest::gtest_main GTest::gmock)
  set(properties ENVIRONMENT "AIRLAB_BUILD_DIR=${PROJECT_BINARY_DIR}")
  if(T_LABELS)  # an empty LABELS value would swallow the next property name
    list(APPEND properties LABELS "${T_LABELS}")
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES ${properties})
endfunction()

# airlab_add_benchmark(NAME source... DEPS target...): Google Benchmark, outside the test run.
function(airlab_add_benchmark name)
  cmake_parse_arguments(B "" "" "DEPS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${name} ${B_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${B_DEPS} airlab_host_options benchmark::benchmark)
endfunction()

# airlab_add_fuzzer(NAME source DEPS target... [CORPUS dir]): a libFuzzer harness, run
# briefly as a ctest test (AIRLAB_FUZZ_SECONDS each) under the sanitizers of the preset.
set(AIRLAB_FUZZ_SECONDS 15 CACHE STRING "How long ctest runs each fuzzer")
function(airlab_add_fuzzer name)
  if(NOT AIRLAB_FUZZ)
    return()
  endif()
  cmake_parse_arguments(F "" "CORPUS" "DEPS" ${ARGN})
  add_executable(${name} ${F_UNPARSED_ARGUMENTS})
  # The asan preset builds every library with -fsanitize=fuzzer-no-link, so libFuzzer sees
  # the coverage of the parsers, not only of the harness.
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${F_DEPS} airlab_host_options)
  set(workdir ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
  file(MAKE_DIRECTORY ${workdir})
  set(seeds "")
  if(F_CORPUS)
    set(seeds ${CMAKE_CURRENT_SOURCE_DIR}/${F_CORPUS})
  endif()
  add_test(NAME fuzz.${name}
    COMMAND ${name} -max_total_time=${AIRLAB_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
            -print_final_stats=1 ${workdir} ${seeds})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz)
endfunction()
