# shellcheck shell=sh
# The veth pair of an instance, for both namespace libraries: POSIX sh, since
# selftests/vm/lib.sh sources it in the `make vmtest` guests (dash, busybox)
# as selftests/lib/netns.sh does under bash.

# veth_instance HOSTNS NS HOSTIF ADDR/LEN PREFIX: eth0 in the instance
# namespace NS with ADDR/LEN and a default route via fe80::1, the host side
# HOSTIF in HOSTNS with fe80::1 and the route for PREFIX. Both namespaces
# exist already.
veth_instance() {
	ip link add "$3" netns "$1" type veth peer name eth0 netns "$2"
	ip -n "$2" addr add "$4" dev eth0 nodad
	ip -n "$2" link set eth0 up
	ip -n "$1" addr add fe80::1/64 dev "$3" nodad
	ip -n "$1" link set "$3" up
	ip -n "$2" -6 route add default via fe80::1 dev eth0
	ip -n "$1" -6 route add "$5" dev "$3"
}
