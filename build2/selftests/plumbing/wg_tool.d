build2/selftests/plumbing/wg_tool.o: selftests/plumbing/wg_tool.c \
 loader/host/wg.h loader/host/wgkeys.h loader/lib/wgkey_b64.h
loader/host/wg.h:
loader/host/wgkeys.h:
loader/lib/wgkey_b64.h:
