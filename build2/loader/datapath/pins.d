build2/loader/datapath/pins.o: loader/datapath/pins.c \
 loader/datapath/pins.h loader/lib/log.h maps/sixpn_pin.h
loader/datapath/pins.h:
loader/lib/log.h:
maps/sixpn_pin.h:
