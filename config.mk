# ct-* build configuration; override on the command line (make PREFIX=/usr).
VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man

PKG_CONFIG = pkg-config
CC = cc

CT_CFLAGS = -std=c11 -D_GNU_SOURCE -DCT_VERSION='"$(VERSION)"' -Ilib \
	-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare
CFLAGS = -O2 -g
