build2/loader/datapath/xdp_query.o: loader/datapath/xdp_query.c \
 loader/datapath/xdp_query.h loader/datapath/bpf_log.h maps/sixpn_pin.h
loader/datapath/xdp_query.h:
loader/datapath/bpf_log.h:
maps/sixpn_pin.h:
