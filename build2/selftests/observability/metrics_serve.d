build2/selftests/observability/metrics_serve.o: \
 selftests/observability/metrics_serve.c loader/datapath/metrics.h
loader/datapath/metrics.h:
