# make install: binaries, init script, systemd unit, defaults, man pages,
# sixpnctl's bash completion.
# The unit and the init script name /usr/sbin/sixpnd (the package's path):
# they are installed with $(PREFIX)'s.
.PHONY: install
install: $(BINS) $(MANPAGES)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/init.d \
		$(DESTDIR)/lib/systemd/system $(DESTDIR)/etc/sixpn $(DESTDIR)/etc/default \
		$(DESTDIR)/var/lib/sixpn $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/sixpnd $(BUILD)/sixpn-attach $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/sixpnctl $(DESTDIR)$(PREFIX)/bin/
	sed 's|/usr/sbin/sixpnd|$(PREFIX)/sbin/sixpnd|' scripts/sixpn-init >$(DESTDIR)/etc/init.d/sixpn
	chmod 0755 $(DESTDIR)/etc/init.d/sixpn
	sed 's|/usr/sbin/sixpnd|$(PREFIX)/sbin/sixpnd|' scripts/sixpnd.service \
		>$(DESTDIR)/lib/systemd/system/sixpnd.service
	chmod 0644 $(DESTDIR)/lib/systemd/system/sixpnd.service
	# An operator's settings are kept.
	[ -e $(DESTDIR)/etc/default/sixpn ] || install -m 0644 scripts/sixpn.default $(DESTDIR)/etc/default/sixpn
	install -m 0644 $(MANPAGES) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 scripts/sixpnctl.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/sixpnctl
	# For the operator's Prometheus and Grafana to pick up.
	install -d $(DESTDIR)$(PREFIX)/share/sixpn/prometheus
	install -m 0644 scripts/prometheus/sixpn.rules.yml scripts/prometheus/sixpn.grafana.json \
		$(DESTDIR)$(PREFIX)/share/sixpn/prometheus/
	install -d $(DESTDIR)$(PREFIX)/share/doc/sixpn
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/sixpn/
