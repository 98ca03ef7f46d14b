# The libFuzzer target of the HTTP API (selftests/fuzz/lib/api_request.c):
# loader/api/'s parsers and api_handle() on a registry in memory. A
# fragment of its own after selftests/libfuzz.mk, whose rules it uses.
LF_LIB_API := $(LF_OBJ)/loader/api/libapi.a
$(LF_LIB_API): $(call lf_objs,loader/api)

$(LF_BIN)/api_request: $(call LF_T,api_request) $(call LF_T,fixture) $(LF_LIB_API) \
		$(LF_LIB_REGISTRY) $(LF_LIB_HOST) $(LF_LIB_UTIL)
	$(LF_LINK)
$(LF_BIN)/api_request: LDLIBS = $(LDLIBS_REGISTRY) $(LDLIBS_HOST) $(LDLIBS_METRICS) -lpthread

LIBFUZZ_TARGETS_ALL += api_request
fuzz-lib: $(LF_BIN)/api_request
SELFTEST_BINS += $(LF_BIN)/api_request
