# Man pages, made by pandoc from the Markdown that is kept current:
# docs/man/*.8.md, and docs/registry.md for sixpnctl(8) (its NAME ...
# EXAMPLE sections are already a man page's; its title line and TESTS
# section are the docs', not the page's).
MAN_DIR  := $(BUILD)/man/man8
MANPAGES := $(MAN_DIR)/sixpnd.8 $(MAN_DIR)/sixpn-attach.8 $(MAN_DIR)/sixpnctl.8
PANDOC_MAN = pandoc --standalone --to man -M footer=sixpn -M date=
# pandoc's tables are 70 columns wide, over an 80-column page's width after
# the section indent; and JSON shapes have no place to break a line, nor
# spaces to justify it by. man --warnings reports both: narrow the tables,
# let JSON break after a comma, and fill lines without justifying them.
MAN_FIXUP = perl -pe '$$_ .= ".ad l\n" if /^\.TH /; s/lw\(([\d.]+)n\)/sprintf("lw(%.1fn)", $$1 * 0.9)/ge; s/,\\\[dq\]/,\\:\\[dq]/g'

.PHONY: man
man: $(MANPAGES)
all: $(MANPAGES)

$(MAN_DIR)/%.8: docs/man/%.8.md
	@mkdir -p $(@D)
	$(PANDOC_MAN) $< -o $@.roff
	$(MAN_FIXUP) $@.roff >$@ && rm $@.roff

$(MAN_DIR)/sixpnctl.8: docs/registry.md
	@mkdir -p $(@D)
	sed -e 1d -e '/^## TESTS$$/,$$d' $< | \
		$(PANDOC_MAN) --from markdown --shift-heading-level-by=-1 \
		-M title=SIXPNCTL -M section=8 -M 'header=System Administration' -o $@.roff
	$(MAN_FIXUP) $@.roff >$@ && rm $@.roff
