/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What every packet-replay test of the TC object starts with. */
#ifndef SIXPN_TEST_TC_SKEL_H
#define SIXPN_TEST_TC_SKEL_H

#include "tc/sixpn_tc.skel.h"

/* Loads the test packets of `packets_path` and the TC object with private,
 * unpinned maps (a test must not touch a running host's pins). On failure
 * prints a TAP "Bail out!" line saying why and returns NULL: a test that
 * cannot set up is broken, not failed. */
struct sixpn_tc *tc_skel_setup(const char *packets_path);

#endif
