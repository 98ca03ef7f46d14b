build2/loader/datapath/kconfig.o: loader/datapath/kconfig.c \
 loader/datapath/kconfig.h loader/lib/log.h
loader/datapath/kconfig.h:
loader/lib/log.h:
