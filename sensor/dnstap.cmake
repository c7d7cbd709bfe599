# dnstap input for pdns-sensor: Frame Streams (libfstrm) carrying protobuf
# dnstap.Dnstap messages (protobuf-c). The C code for the schema is generated
# at build time from the dnstap.proto Debian ships; neither the schema nor
# the generated files are in the tree.
pkg_check_modules(FSTRM REQUIRED IMPORTED_TARGET GLOBAL libfstrm)
pkg_check_modules(PROTOBUFC REQUIRED IMPORTED_TARGET GLOBAL libprotobuf-c)

set(PDNS_DNSTAP_PROTO
	/usr/share/gocode/src/github.com/dnstap/golang-dnstap/dnstap.pb/dnstap.proto
	CACHE FILEPATH "dnstap.proto (Debian: golang-github-dnstap-golang-dnstap-dev)")
if(NOT EXISTS "${PDNS_DNSTAP_PROTO}")
	message(FATAL_ERROR "dnstap schema not found at '${PDNS_DNSTAP_PROTO}': "
		"install golang-github-dnstap-golang-dnstap-dev (tests/setup.sh does) "
		"or pass -DPDNS_DNSTAP_PROTO=/path/to/dnstap.proto")
endif()
find_program(PDNS_PROTOC_C protoc-c)
if(NOT PDNS_PROTOC_C)
	message(FATAL_ERROR "protoc-c not found: install protobuf-c-compiler (tests/setup.sh does)")
endif()

get_filename_component(_dnstap_proto_dir "${PDNS_DNSTAP_PROTO}" DIRECTORY)
set(_dnstap_gen "${CMAKE_CURRENT_BINARY_DIR}/dnstap_pb")
add_custom_command(
	OUTPUT ${_dnstap_gen}/dnstap.pb-c.c ${_dnstap_gen}/dnstap.pb-c.h
	COMMAND ${CMAKE_COMMAND} -E make_directory ${_dnstap_gen}
	COMMAND ${PDNS_PROTOC_C} --proto_path=${_dnstap_proto_dir} --c_out=${_dnstap_gen}
		${PDNS_DNSTAP_PROTO}
	DEPENDS ${PDNS_DNSTAP_PROTO}
	COMMENT "protoc-c: generating the dnstap.Dnstap C code"
	VERBATIM)

# Generated code: compiled without our warning flags (it is not ours), with
# the sanitizers and fuzzer instrumentation the rest of the build uses.
add_library(pdns_dnstap_pb STATIC ${_dnstap_gen}/dnstap.pb-c.c)
set_source_files_properties(${_dnstap_gen}/dnstap.pb-c.c PROPERTIES COMPILE_OPTIONS "-w")
target_include_directories(pdns_dnstap_pb PUBLIC ${_dnstap_gen})
target_link_libraries(pdns_dnstap_pb PUBLIC PkgConfig::PROTOBUFC)

target_sources(pdns_sensor PRIVATE
	${CMAKE_CURRENT_SOURCE_DIR}/sensor_dnstap.c
	${CMAKE_CURRENT_SOURCE_DIR}/sensor_fstrm.c)
target_link_libraries(pdns_sensor PRIVATE pdns_dnstap_pb PkgConfig::FSTRM)
