# EmbedTest.cmake - the embed-example test (ctest; cmake -P script).
#
# Installs the runtime component of the build into a prefix inside the build
# tree, builds examples/embed against it with find_package(aicc) and again
# with pkg-config, compiles examples/tiny-cnn.onnx and runs both programs.
# Needs -DAICC_BINARY_DIR, -DAICC_SOURCE_DIR, -DAICC_GENERATOR.
cmake_minimum_required(VERSION 3.20)
set(work ${AICC_BINARY_DIR}/embed-test)
file(REMOVE_RECURSE ${work})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(rc)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
endfunction()

function(expect_output what)
  message(STATUS "${what}:\n${OUT}")
  if(NOT OUT MATCHES "probs: first [^\n]*, sum 1\\.0000")
    message(FATAL_ERROR "${what}: expected the softmax output to sum to 1")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install ${AICC_BINARY_DIR} --prefix ${work}/prefix
    --component aicc-runtime)
run(${AICC_BINARY_DIR}/bin/aicc ${AICC_SOURCE_DIR}/examples/tiny-cnn.onnx
    --dim batch=1 --target=avx512 -o ${work}/tiny-cnn.aicc)

# find_package(aicc) + aicc::runtime
run(${CMAKE_COMMAND} -S ${AICC_SOURCE_DIR}/examples/embed -B ${work}/build
    -G ${AICC_GENERATOR} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${work}/prefix)
run(${CMAKE_COMMAND} --build ${work}/build)
run(${work}/build/aicc-embed ${work}/tiny-cnn.aicc)
expect_output("find_package(aicc)")

# pkg-config
find_program(PKG_CONFIG pkg-config)
find_program(CC NAMES cc gcc)
if(NOT PKG_CONFIG OR NOT CC)
  message(STATUS "pkg-config or cc not found: pkg-config part skipped")
  return()
endif()
file(GLOB_RECURSE pc_file ${work}/prefix/*/aicc.pc)
if(NOT pc_file)
  message(FATAL_ERROR "aicc.pc was not installed")
endif()
get_filename_component(pc_dir ${pc_file} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run(${PKG_CONFIG} --cflags --libs aicc)
separate_arguments(flags UNIX_COMMAND "${OUT}")
run(${CC} ${AICC_SOURCE_DIR}/examples/embed/main.c ${flags}
    -o ${work}/aicc-embed-pc)
run(${PKG_CONFIG} --variable=libdir aicc)
string(STRIP "${OUT}" libdir)
run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${libdir}
    ${work}/aicc-embed-pc ${work}/tiny-cnn.aicc)
expect_output("pkg-config")
