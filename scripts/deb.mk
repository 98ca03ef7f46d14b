# make deb: build/deb/sixpn_<version>_<arch>.deb (and its -dbgsym .ddeb),
# by dpkg-buildpackage and debhelper.
#
# Why a staged copy: dpkg-buildpackage wants debian/ at the top of the
# source tree, and the project's top level is fixed, so the packaging lives
# in scripts/debian/. The recipe copies the tree as git sees it (committed
# and uncommitted files, nothing ignored: no build/) to build/deb/sixpn-src,
# puts scripts/debian there as debian/ with a changelog naming the version
# from git (scripts/debian/version.sh), and builds there: the worktree gets
# no debian/ and no build litter of the package's own.
DEB_DIR := $(BUILD)/deb
DEB_PARALLEL ?= 2

.PHONY: deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/sixpn-src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -C $(DEB_DIR)/sixpn-src -xf -
	rm -rf $(DEB_DIR)/sixpn-src/build
	cp -r scripts/debian $(DEB_DIR)/sixpn-src/debian
	v=$$(scripts/debian/version.sh) && \
	printf 'sixpn (%s) unstable; urgency=medium\n\n  * Built from git %s.\n\n -- %s  %s\n' \
		"$$v" "$$(git describe --always --dirty)" "sixpn developers <sixpn@localhost>" \
		"$$(date -R)" >$(DEB_DIR)/sixpn-src/debian/changelog
	# The outer make's flags and variables (BUILD=...) stay out of the
	# package's own build.
	cd $(DEB_DIR)/sixpn-src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD \
		DEB_BUILD_OPTIONS="parallel=$(DEB_PARALLEL) $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc
	@ls $(DEB_DIR)/*.deb
