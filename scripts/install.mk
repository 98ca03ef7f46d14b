# make install: binaries, init script, systemd unit.
.PHONY: install
install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/init.d \
		$(DESTDIR)/lib/systemd/system $(DESTDIR)/etc/sixpn $(DESTDIR)/var/lib/sixpn
	install -m 0755 $(BUILD)/sixpnd $(BUILD)/sixpn-attach $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 $(BUILD)/sixpnctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 scripts/sixpn-init $(DESTDIR)/etc/init.d/sixpn
	install -m 0644 scripts/sixpnd.service $(DESTDIR)/lib/systemd/system/sixpnd.service
	install -d $(DESTDIR)$(PREFIX)/share/doc/sixpn
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/sixpn/
