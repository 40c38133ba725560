#!/bin/sh
# build-hurd.sh BUILDDIR GNUMACH_SRC HURD_SRC [MIG_SRC] -- the Hurd's own
# userland, built from source for i686-gnu on this machine, and an ext2
# image holding it and our test programs (tests/hurd/), all under
# BUILDDIR/hurd.
#
# The versions that fit together (a 2023 Hurd with what it was built
# against; a 2026 Hurd would need newer Mach headers, MIG and glibc):
#
#   the Hurd            b8bcd4eb (2023-02-16), from HURD_SRC's history
#   GNU Mach's headers  1b8d96d7 (2023-02-10), from GNUMACH_SRC's history
#   MIG                 b5a5679 (2023-05) from MIG_SRC's history, or else
#                       Debian 12's source package of MIG (1.8+git20221221)
#   glibc               2.36 from Debian 12's glibc-source (the tarball
#                       carries Debian's patches), static libraries only
#
# The kernel that boots this userland is another matter: any GNU Mach i386
# (make kernel ARCH=i386 builds GNUMACH_SRC's HEAD with mosaic).
#
# Each pinned commit is checked out into BUILDDIR/hurd/src (a clone that
# shares the user's objects; the user's trees are never changed).  The
# toolchain is Debian's: binutils-i686-gnu, and the host's gcc -m32 behind
# a wrapper, i686-gnu-gcc (toolchain/bin), that compiles for the GNU system
# (it defines __GNU__, __gnu_hurd__ and __MACH__ instead of __linux__, and
# takes headers and libraries from the sysroot only) and links static
# programs the way a GNU system links them (crt0.o, not crt1.o).  Nothing
# here runs an i386 program on the build machine.
#
# Steps, one line each as they run; each keeps its log in BUILDDIR/hurd/
# logs/STEP.log, and a step that fails says so, why, and where its log is.
# A step whose inputs are unchanged since its last success is skipped
# (BUILDDIR/hurd/stamps/STEP holds what it was made from), so a second run
# with nothing changed takes seconds:
#
#   toolchain      the wrappers, checked by compiling a file
#   mach_headers   GNU Mach's headers, installed into a new sysroot
#   mig            MIG for i686-gnu, built for this machine (build-mig.sh)
#   hurd_headers   the Hurd's headers, installed into the sysroot
#   glibc          glibc, built (its shared objects too: see the step)
#   glibc_install  glibc installed into the sysroot
#   hurd           the Hurd's libraries, then the servers as static programs
#   tests          our test programs (tests/hurd/*.c), static
#   image          BUILDDIR/hurd/hurd.img: mke2fs -o hurd -d of a staged tree
#   mach_interface GNU Mach's experimental.defs and vm_prot.h in the sysroot
#                  with the series' edits of them (vm_copy_from_object & co.)
#   hurd_mosaic    the Hurd with mosaic's series (mach-port/hurd/series,
#                  patch-hurd.sh), its servers in BUILDDIR/hurd/boot-mosaic
#   image_mosaic   BUILDDIR/hurd/hurd-mosaic.img, the same image with those
#
# Needs binutils-i686-gnu, glibc-source, gcc-multilib, flex, bison,
# autoconf, automake, gawk, python3 and e2fsprogs (make hurd installs
# them).  Exit status 0 when the image is there, 1 with the failing step
# named.
set -eu

[ $# -ge 3 ] && [ $# -le 4 ] || {
	echo "usage: $0 BUILDDIR GNUMACH_SRC HURD_SRC [MIG_SRC]" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
self="$top/mach-port/hurd/build-hurd.sh"
mkdir -p "$1/hurd"
h=$(cd "$1/hurd" && pwd)
machsrc=$(cd "$2" && pwd)
hurdsrc=$(cd "$3" && pwd)
migsrc=""
[ -z "${4:-}" ] || migsrc=$(cd "$4" && pwd)

HURD_COMMIT=b8bcd4eb1438721f6a52bfd1e458307d4e105d89
MACH_COMMIT=1b8d96d72b6978b6d2b0f734f1307d6c054e1a0d
MIG_COMMIT=b5a567954ce3b4d236b7a2375a6a00f3a4a853e8
MIG_SUITE=bookworm
GLIBC_TARBALL=/usr/src/glibc/glibc-2.36.tar.xz
GLIBC_DEBIAN=/usr/src/glibc/debian
# The servers the boot runs, as DIR/PROGRAM of the Hurd's tree; they go
# into the image as /hurd/PROGRAM, console-run as /libexec/console-run.
SERVERS="ext2fs/ext2fs exec/exec startup/startup proc/proc auth/auth term/term daemons/console-run"
# The libraries they need, in the order they are built.
LIBS="libshouldbeinlibc libihash libports libiohelp libfshelp libpager libstore libdiskfs libtrivfs libhurdbugaddr"

sysroot="$h/sysroot"
tools="$h/toolchain/bin"
logs="$h/logs"
stamps="$h/stamps"
mkdir -p "$logs" "$stamps" "$h/src" "$h/obj"
jobs=$(nproc 2>/dev/null || echo 2)

fail() { echo "hurd: $*" >&2; exit 1; }

# step NAME WHAT INPUTS: runs the shell function step_NAME, its output in
# logs/NAME.log, unless stamps/NAME says it was made from INPUTS (a text
# naming everything it depends on: commits, files' contents, the text of
# the step, the stamps of the steps it builds on).  Sets $stamp to a short
# name of this step's result, for the steps that depend on it.
step() {
	name=$1 what=$2 inputs=$3
	if [ -f "$stamps/$name" ] && [ "$(cat "$stamps/$name")" = "$inputs" ]; then
		echo "hurd: $name: up to date ($what)"
		stamp="$name: $(printf '%s' "$inputs" | cksum)"
		return 0
	fi
	echo "hurd: $name: $what"
	rm -f "$stamps/$name"
	started=$(date +%s)
	# Not in an and-or list, where the shell would ignore set -e.
	set +e
	( set -eu; "step_$name" ) > "$logs/$name.log" 2>&1
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		why=$(grep -E '\*\*\*|[Ee]rror:|cannot|No such|undefined reference|FAIL' "$logs/$name.log" |
			tail -n 3 | cut -c 1-240)
		echo "hurd: step $name failed (exit $rc) after $(( $(date +%s) - started )) s; its log: $logs/$name.log" >&2
		[ -z "$why" ] || printf '%s\n' "$why" | sed 's/^/hurd:   /' >&2
		exit 1
	fi
	printf '%s' "$inputs" > "$stamps/$name"
	echo "hurd: $name: done in $(( $(date +%s) - started )) s"
	stamp="$name: $(printf '%s' "$inputs" | cksum)"
}

# checkout SRC COMMIT DIR: DIR is a clone of SRC (sharing its objects) with
# COMMIT checked out and nothing changed; made again otherwise.
checkout() {
	git -C "$1" cat-file -e "$2^{commit}" 2>/dev/null ||
		fail "$1 has no commit $2 in its history (a clone of the upstream repository has it)"
	if [ "$(git -C "$3" rev-parse HEAD 2>/dev/null || true)" = "$2" ] &&
	   [ -z "$(git -C "$3" status --porcelain --untracked-files=no 2>/dev/null || echo x)" ]; then
		return 0
	fi
	rm -rf "$3"
	git clone -q --shared --no-checkout "$1" "$3"
	git -C "$3" checkout -q --detach "$2"
}

# hash FILE...: one line naming the contents of the files.
hash() {
	cat "$@" | cksum
}

# digest DIR: one line naming the names and contents of the files under DIR.
digest() {
	(cd "$1" && find . -type f -exec cksum {} + | LC_ALL=C sort -k 3 | cksum)
}

# recipe NAME...: one line naming the text of the shell functions NAME
# (from their line `NAME() {` to the next line `}` in this script), so
# that a step is made again when what it does changes, not when another
# step's text does.
recipe() {
	for f; do
		printf '%s\n' "$f" > "$h/recipe.name"
		awk 'NR == FNR { name = $0 "() {"; next }
		     $0 == name { on = 1 } on { print } on && $0 == "}" { on = 0 }' \
			"$h/recipe.name" "$self"
	done | cksum
}

# The inputs the build needs from Debian, checked before anything runs.
for tool in i686-gnu-as i686-gnu-ld i686-gnu-ar gcc git autoreconf flex bison gawk python3 mke2fs make; do
	command -v $tool >/dev/null 2>&1 ||
		fail "$tool not found (Debian: binutils-i686-gnu gcc-multilib flex bison autoconf automake gawk python3 e2fsprogs; make hurd installs them)"
done
echo 'int main(void) { return 0; }' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null ||
	fail "gcc -m32 cannot compile (Debian: gcc-multilib)"
[ -f "$GLIBC_TARBALL" ] || fail "no $GLIBC_TARBALL (Debian: glibc-source)"

# --- toolchain --------------------------------------------------------------

step_toolchain() {
	rm -rf "$h/toolchain"
	mkdir -p "$tools" "$h/toolchain/as-ld"
	# gcc -B finds the assembler and linker in as-ld: binutils-i686-gnu's.
	# (Not on PATH, where the host's gcc would take them for its own.)
	for t in as ld; do
		ln -s "$(command -v i686-gnu-$t)" "$h/toolchain/as-ld/$t"
	done
	for t in as ld ar nm objcopy objdump ranlib readelf strip; do
		ln -s "$(command -v i686-gnu-$t)" "$tools/i686-gnu-$t"
	done
	gccinc=$(gcc -m32 -print-file-name=include)
	gccfixed=$(gcc -m32 -print-file-name=include-fixed)
	for f in crtbeginT.o crtend.o libgcc.a libgcc_eh.a; do
		p=$(gcc -m32 -print-file-name=$f)
		[ -f "$p" ] || { echo "gcc -m32 has no $f"; exit 1; }
	done
	crtbegin=$(gcc -m32 -print-file-name=crtbeginT.o)
	crtend=$(gcc -m32 -print-file-name=crtend.o)
	libgccdir=$(dirname "$(gcc -m32 -print-file-name=libgcc.a)")
	# The compiler: the host's gcc, 32-bit, for the GNU system.  A link
	# with no -nostdlib, -nostartfiles, -shared or -r is a static
	# program's: the start files and libraries of the sysroot's C
	# library around it.
	cat > "$tools/i686-gnu-gcc" <<EOF
#!/bin/sh
# i686-gnu-gcc: the host's gcc -m32 compiling for the GNU system (made by
# mosaic's mach-port/hurd/build-hurd.sh).
sysroot='$sysroot'
link=static
for a; do
	case \$a in
	-c|-S|-E|-M|-MM|-print-*|-dumpversion|-dumpspecs|--version) link=none ;;
	-shared|-r|-nostdlib|-nostartfiles) [ \$link = none ] || link=plain ;;
	-dumpmachine) echo i686-pc-gnu; exit 0 ;;
	esac
done
set -- -m32 -march=i686 -B'$h/toolchain/as-ld/' --sysroot="\$sysroot" -nostdinc \\
	-isystem '$gccinc' -isystem '$gccfixed' -isystem "\$sysroot/usr/include" \\
	-U__linux__ -U__linux -Ulinux -U__gnu_linux__ \\
	-D__GNU__=1 -D__gnu_hurd__=1 -D__MACH__=1 -fno-pie -fno-stack-protector "\$@"
case \$link in
none|plain) exec gcc "\$@" ;;
esac
lib="\$sysroot/usr/lib"
exec gcc -static -no-pie -nostdlib "\$lib/crt0.o" "\$lib/crti.o" '$crtbegin' \\
	-L"\$lib" -L'$libgccdir' "\$@" \\
	-Wl,--start-group -lc -lmachuser -lhurduser -lpthread -lgcc -lgcc_eh -Wl,--end-group \\
	'$crtend' "\$lib/crtn.o"
EOF
	chmod +x "$tools/i686-gnu-gcc"
	printf '#!/bin/sh\nexec "%s/i686-gnu-gcc" -E "$@"\n' "$tools" > "$tools/i686-gnu-cpp"
	chmod +x "$tools/i686-gnu-cpp"
	printf '#ifndef __GNU__\n#error not for the GNU system\n#endif\n#ifdef __linux__\n#error for Linux\n#endif\nint f(int x) { return x + 1; }\n' > "$h/toolchain/check.c"
	"$tools/i686-gnu-gcc" -O2 -c -o "$h/toolchain/check.o" "$h/toolchain/check.c"
	"$tools/i686-gnu-readelf" -h "$h/toolchain/check.o" | grep -q 'Intel 80386'
	echo "i686-gnu-gcc: $(gcc --version | head -n 1), as and ld of $(i686-gnu-ld --version | head -n 1)"
}
step toolchain "the i686-gnu toolchain (binutils-i686-gnu, the host's gcc -m32 behind a wrapper)" \
	"$(recipe step_toolchain) $(gcc --version | head -n 1) $(i686-gnu-ld --version | head -n 1)"
st_toolchain=$stamp
export PATH="$tools:$PATH"

# --- GNU Mach's headers -------------------------------------------------------

# The sysroot is made anew from here on: GNU Mach's headers (installed
# into headers/mach first, then copied), the Hurd's, then glibc.
step_mach_headers() {
	checkout "$machsrc" $MACH_COMMIT "$h/src/gnumach"
	(cd "$h/src/gnumach" && autoreconf -i)
	rm -rf "$h/obj/gnumach" "$h/headers/mach" "$sysroot"
	mkdir -p "$h/obj/gnumach" "$h/headers/mach" "$sysroot"
	(cd "$h/obj/gnumach" && "$h/src/gnumach/configure" --host=i686-gnu --prefix=/usr \
		CC="gcc -m32" LD="ld -melf_i386" MIG=false)
	make -C "$h/obj/gnumach" install-data DESTDIR="$h/headers/mach"
	[ -f "$h/headers/mach/usr/include/mach/mach.defs" ]
	digest "$h/headers/mach" > "$h/headers/mach.digest"
	cp -R "$h/headers/mach/." "$sysroot/"
}
step mach_headers "GNU Mach's headers at ${MACH_COMMIT%${MACH_COMMIT#????????}} into the sysroot" \
	"$MACH_COMMIT $(recipe step_mach_headers checkout)"
st_mach_headers=$stamp

# --- MIG ------------------------------------------------------------------------

step_mig() {
	if [ -n "$migsrc" ]; then
		checkout "$migsrc" $MIG_COMMIT "$h/src/mig"
		sh "$top/mach-port/build-mig.sh" "$h" "$h/src/gnumach" "$h/src/mig"
	else
		sh "$top/mach-port/build-mig.sh" --suite $MIG_SUITE "$h" "$h/src/gnumach"
	fi
	"$h/mig-i686/usr/bin/i686-gnu-mig" --version 2>&1 | head -n 1 || true
}
migfrom="Debian $MIG_SUITE's source package"
[ -z "$migsrc" ] || migfrom="MIG ${MIG_COMMIT%${MIG_COMMIT#???????}} from $migsrc"
step mig "MIG for i686-gnu, built for this machine ($migfrom)" \
	"$st_mach_headers ${migsrc:+$MIG_COMMIT} $(hash "$top/mach-port/build-mig.sh") $(recipe step_mig)"
st_mig=$stamp
export PATH="$h/mig-i686/usr/bin:$PATH"

# --- the Hurd's headers -----------------------------------------------------------

# The Hurd's tree: the pinned commit.
hurd_tree() {
	checkout "$hurdsrc" $HURD_COMMIT "$h/src/hurd"
	[ -x "$h/src/hurd/configure" ] || (cd "$h/src/hurd" && autoreconf -i)
}

# The functions the Hurd's configure looks for in the C library.  A cross
# configure may not link (AC_NO_EXECUTABLES), so the answers are given:
# what the sysroot's libraries define (none before glibc is built).
HURD_FUNCS="file_exec_paths exec_exec_paths _hurd_exec_paths _hurd_libc_proc_init file_futimens"
hurd_funcs() {
	for f in $HURD_FUNCS; do
		answer=no
		if [ -f "$sysroot/usr/lib/libc.a" ] &&
		   i686-gnu-nm -g --defined-only "$sysroot/usr/lib/libc.a" "$sysroot/usr/lib/libhurduser.a" 2>/dev/null |
		   grep -q " T $f\$"; then
			answer=yes
		fi
		echo "ac_cv_func_$f=$answer"
	done
}

# configure_hurd DIR [SRC]: the Hurd (SRC, default src/hurd) configured for
# i686-gnu in DIR.  startup
# runs LIBEXECDIR/console-run LIBEXECDIR/runsystem: /libexec on the GNU
# system (with libexecdir under /usr it finds neither, and reboots without
# a word).
configure_hurd() {
	rm -rf "$1"
	mkdir -p "$1"
	# shellcheck disable=SC2046
	(cd "$1" && PKG_CONFIG_LIBDIR="$sysroot/usr/lib/pkgconfig" PKG_CONFIG_PATH= \
		"${2:-$h/src/hurd}/configure" $(hurd_funcs) --host=i686-gnu --build="$(gcc -dumpmachine)" \
		--prefix=/usr --libexecdir=/libexec --disable-profile \
		--without-parted --without-libcrypt --without-libbz2 --without-libz \
		--without-rump --without-libtirpc --without-libdaemon --without-acpica \
		--disable-ncursesw LEX=flex YACC='bison -y' ac_cv_lib_lex='none needed' \
		ac_cv_prog_lex_yytext_pointer=yes ac_cv_search_yywrap='none required' \
		CC=i686-gnu-gcc MIG=i686-gnu-mig)
}

step_hurd_headers() {
	hurd_tree
	configure_hurd "$h/obj/hurd-headers"
	rm -rf "$h/headers/hurd"
	make -C "$h/obj/hurd-headers" install-headers DESTDIR="$h/headers/hurd" no_deps=t
	[ -f "$h/headers/hurd/usr/include/hurd/hurd_types.defs" ]
	digest "$h/headers/hurd" > "$h/headers/hurd.digest"
	cp -R "$h/headers/hurd/." "$sysroot/"
}
step hurd_headers "the Hurd's headers at ${HURD_COMMIT%${HURD_COMMIT#????????}} into the sysroot" \
	"$st_mach_headers $st_mig $HURD_COMMIT $(recipe step_hurd_headers hurd_tree configure_hurd hurd_funcs checkout)"
st_hurd_headers=$stamp

# --- glibc --------------------------------------------------------------------------

# configure_glibc SRC OBJ SYSROOT: glibc's tree SRC configured in OBJ (made
# anew) for i686-gnu, against SYSROOT's headers.
configure_glibc() {
	rm -rf "$2"
	mkdir -p "$2"
	(cd "$2" && "$1/configure" --host=i686-gnu \
		--build="$(gcc -dumpmachine)" --prefix=/usr \
		--with-headers="$3/usr/include" --disable-profile --disable-werror \
		--disable-nscd --disable-crypt --disable-build-nscd --without-selinux \
		--disable-default-pie --disable-timezone-tools --disable-mathvec \
		CC=i686-gnu-gcc CXX=false MIG=i686-gnu-mig BUILD_CC=gcc \
		AR=i686-gnu-ar AS=i686-gnu-as LD=i686-gnu-ld NM=i686-gnu-nm \
		OBJCOPY=i686-gnu-objcopy OBJDUMP=i686-gnu-objdump RANLIB=i686-gnu-ranlib READELF=i686-gnu-readelf)
}

# glibc's tree, from Debian's tarball, into DIR (made anew).
glibc_tree() {
	rm -rf "$1" "$1.tmp"
	mkdir -p "$1.tmp"
	tar -x -J -C "$1.tmp" -f "$GLIBC_TARBALL"
	mv "$1.tmp/glibc-2.36" "$1"
	rmdir "$1.tmp"
	# Debian's patch that keeps an experimental exec interface needs
	# .defs files only Debian's patched Hurd has: taken out again.
	patch -d "$1" -R -p1 < "$GLIBC_DEBIAN/patches/hurd-i386/local-exec_filename.diff"
}

step_glibc() {
	glibc_tree "$h/src/glibc-2.36"
	configure_glibc "$h/src/glibc-2.36" "$h/obj/glibc" "$sysroot"
	# glibc 2.36 cannot be configured --disable-shared (its Makeconfig
	# generates libc-modules.h, which every object needs, only for a
	# shared build), so the shared objects are built too; the Hurd and
	# our programs link the static ones.
	make -C "$h/obj/glibc" -j"$jobs"
}
# glibc depends on what it is built against (the headers' contents, MIG,
# the toolchain), not on how the headers came to be: a header step made
# again with the same result does not build it again.
step glibc "glibc 2.36 (Debian's glibc-source)" \
	"$st_toolchain $(cat "$h/headers/mach.digest" "$h/headers/hurd.digest") $(hash "$h/mig-i686/usr/lib/mig/i686-gnu-migcom") $(hash "$GLIBC_TARBALL" "$GLIBC_DEBIAN/patches/hurd-i386/local-exec_filename.diff") $(recipe step_glibc configure_glibc glibc_tree)"
st_glibc=$stamp

# Debian's tarball has no manual (Debian removes it: its licence is the
# GFDL), so nothing is to be made with makeinfo.
step_glibc_install() {
	make -C "$h/obj/glibc" install DESTDIR="$sysroot" MAKEINFO=:
	for f in libc.a libmachuser.a libhurduser.a libpthread.a crt0.o crti.o crtn.o; do
		[ -f "$sysroot/usr/lib/$f" ] || { echo "glibc installed no /usr/lib/$f"; exit 1; }
	done
}
step glibc_install "glibc into the sysroot" "$st_hurd_headers $st_glibc $(recipe step_glibc_install)"
st_sysroot=$stamp

# --- the Hurd ---------------------------------------------------------------------

# Only static libraries and programs: the C library here is static.  A
# program's makefile names the Hurd libraries it needs as their shared
# objects (../libX/libX.so, Makeconf's library_deps), and its .static rule
# links the .a beside each; make is told those names are there (-o), and
# the .static program is linked anew every time, so that a changed
# library is in it (a link takes a second).
#
# build_hurd SRC OBJ BOOT: the Hurd's tree SRC built in OBJ, the servers
# copied into BOOT.
build_hurd() {
	o=$2
	want="$1 $HURD_COMMIT $(recipe configure_hurd hurd_funcs) $(hurd_funcs | tr '\n' ' ')"
	if [ "$(cat "$o/.configured" 2>/dev/null)" != "$want" ]; then
		configure_hurd "$o" "$1"
		echo "$want" > "$o/.configured"
	fi
	make -C "$o" version.h
	assume="-o ../libstore/libstore.so"
	for l in $LIBS; do
		echo "== $l"
		make -C "$o/$l" -j"$jobs" $l.a
		assume="$assume -o ../$l/$l.so"
	done
	types=$(sed -n 's/^boot-store-types = //p' "$o/config.make")
	echo "== libstore: boot store types $types"
	# shellcheck disable=SC2046
	make -C "$o/libstore" $(for t in $types; do echo libstore_$t.a; done)
	mkdir -p "$3"
	for s in $SERVERS; do
		d=${s%/*} p=${s#*/}
		echo "== $p"
		rm -f "$o/$d/$p.static"
		if [ "$d" = daemons ]; then
			# daemons/ makes several programs, and its .static rule
			# knows none of their objects: linked here as its
			# makefile links the dynamic one.
			make -C "$o/$d" $p.o
			(cd "$o/$d" && i686-gnu-gcc -static -o $p.static $p.o \
				../libfshelp/libfshelp.a ../libports/libports.a ../libihash/libihash.a \
				../libshouldbeinlibc/libshouldbeinlibc.a -lpthread)
		else
			# shellcheck disable=SC2086
			make -C "$o/$d" -j"$jobs" $p.static $assume
		fi
		cp "$o/$d/$p.static" "$3/$p.static.new"
		mv "$3/$p.static.new" "$3/$p.static"
	done
	ls -l "$3"
}
step_hurd() {
	hurd_tree
	build_hurd "$h/src/hurd" "$h/obj/hurd" "$h/boot"
}
step hurd "the Hurd's libraries and servers (${SERVERS}), static" \
	"$st_sysroot $HURD_COMMIT $(recipe step_hurd build_hurd hurd_tree configure_hurd hurd_funcs checkout) $SERVERS $LIBS"
st_hurd=$stamp

# --- our test programs ----------------------------------------------------------

# The programs that run on the Hurd (tests/hurd/*.c but the host's
# mkfiles.c), each linked statically with traces/trace_content.c, and
# mkfiles for this machine.
TESTS="hurdread"
# build_tests DIR: the programs into DIR (made anew), linked with the C
# library of the i686-gnu-gcc on PATH.
build_tests() {
	rm -rf "$1"
	mkdir -p "$1"
	for t in $TESTS; do
		i686-gnu-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$top/traces" -o "$1/$t" \
			"$top/tests/hurd/$t.c" "$top/traces/trace_content.c"
	done
}
step_tests() {
	build_tests "$h/tests"
	cc -std=gnu11 -O2 -Wall -Wextra -Werror -I"$top/traces" -o "$h/tests/mkfiles" \
		"$top/tests/hurd/mkfiles.c" "$top/traces/trace_content.c"
}
step tests "our test programs (tests/hurd: $TESTS), static" \
	"$st_sysroot $(hash "$top"/tests/hurd/*.c "$top"/tests/hurd/*.h "$top/traces/trace_content.c" "$top/traces/trace_content.h") $(recipe step_tests build_tests) $TESTS"
st_tests=$stamp

# --- the image ---------------------------------------------------------------------

# The root file system, staged in BUILDDIR/hurd/root and made into an ext2
# image by mke2fs -o hurd -d (no root privileges, no loop device):
#
#   /hurd/{ext2fs,exec,startup,proc,auth,term}   the servers (ext2fs and exec
#                        are also the boot modules, BUILDDIR/hurd/boot)
#   /libexec/console-run  startup runs it, with /libexec/runsystem
#   /libexec/runsystem    our read test, hurdread
#   /servers/exec, /servers/startup   empty nodes ext2fs and startup put
#                        translators on (ext2fs stops at boot without the
#                        first)
#   /dev, /tmp            console-run makes /dev/console there
#   /data/NAME            the read tests' files (tests/hurd/hurd_files.h)
#
# Every file of /data is read back from the image (debugfs) and compared
# with what was staged.
# make_image BOOT IMAGE [TESTS]: the image of the servers in BOOT, with the
# test programs of TESTS (default BUILDDIR/hurd/tests).
make_image() {
	r="$h/root"
	rm -rf "$r" "$2.new"
	mkdir -p "$r/hurd" "$r/libexec" "$r/servers" "$r/dev" "$r/tmp" "$r/data" "$r/etc"
	for s in $SERVERS; do
		p=${s#*/}
		case $p in
		console-run) cp "$1/$p.static" "$r/libexec/$p" ;;
		*) cp "$1/$p.static" "$r/hurd/$p" ;;
		esac
	done
	cp "${3:-$h/tests}/hurdread" "$r/libexec/runsystem"
	: > "$r/servers/exec"
	: > "$r/servers/startup"
	chmod 1777 "$r/tmp"
	"$h/tests/mkfiles" "$r/data"
	mke2fs -q -F -o hurd -t ext2 -L mosaic-hurd -d "$r" "$2.new" 64M
	for f in "$r"/data/*; do
		debugfs -R "dump /data/${f##*/} $h/dumped" "$2.new" 2>/dev/null
		cmp "$f" "$h/dumped"
	done
	rm -f "$h/dumped"
	mv "$2.new" "$2"
	dumpe2fs -h "$2" 2>/dev/null | grep -E 'OS type|Block size|Inode size|features'
}
step_image() {
	make_image "$h/boot" "$h/hurd.img"
}
step image "the ext2 image $h/hurd.img" \
	"$st_hurd $st_tests $(recipe step_image make_image) $SERVERS"
echo "hurd: the Hurd in $h/boot, its root file system in $h/hurd.img"

# --- the Hurd with mosaic's series -------------------------------------------------

# The Hurd's series (mach-port/hurd/series: libpager copies with the
# kernel's vm_copy_from_object and vm_copy_to_object) makes user stubs of
# GNU Mach's experimental.defs, which must declare those calls.  The
# sysroot's interface files (1b8d96d7's) get the edits GNU Mach's series
# (mach-port/series) makes to them, and no others, as the kernel suite's
# guests take them (MOSAIC_SERIES_ONLY): experimental.defs its calls,
# vm_prot.h the C type of a proxy's protections its stubs name
# (vm_prot_array_t).  1b8d96d7's experimental.defs declares no call, and
# nothing else built here uses it (glibc 2.36 makes no stubs of it, the
# Hurd as it is does not name it).
MACH_INTERFACE="include/mach/experimental.defs include/mach/vm_prot.h"
step_mach_interface() {
	d="$h/mach-interface"
	rm -rf "$d"
	mkdir -p "$d/base/include/mach"
	for f in $MACH_INTERFACE; do
		cp "$h/headers/mach/usr/$f" "$d/base/$f"
	done
	MOSAIC_SERIES_NOGIT=1 MOSAIC_SERIES_ONLY="$MACH_INTERFACE" \
		sh "$top/mach-port/patch-series.sh" "$d/base" "$d/series"
	for f in $MACH_INTERFACE; do
		diff -u "$d/base/$f" "$d/series/$f" || true
		cp "$d/series/$f" "$sysroot/usr/$f"
	done
	grep '^routine' "$sysroot/usr/include/mach/experimental.defs"
}
step mach_interface "GNU Mach's interface files with the series' calls into the sysroot ($MACH_INTERFACE)" \
	"$st_sysroot $(hash "$top"/mach-port/series/*.edit "$top/mach-port/patch-series.sh") $(recipe step_mach_interface) $MACH_INTERFACE"
st_interface=$stamp

# The series on the Hurd's commit (patch-hurd.sh: a clone with one commit a
# patch), its files copied into src/hurd-mosaic only where they differ, so
# that make rebuilds what a change of the series touches.
step_hurd_mosaic() {
	sh "$top/mach-port/hurd/patch-hurd.sh" "$hurdsrc" "$h/src/hurd-series"
	t="$h/src/hurd-mosaic"
	mkdir -p "$t"
	git -C "$h/src/hurd-series" ls-files -z | (cd "$h/src/hurd-series" && xargs -0 sh -c '
		for f; do
			if [ -L "$f" ] || ! cmp -s "$f" "$0/$f"; then
				mkdir -p "$0/$(dirname "$f")"
				rm -f "$0/$f"
				cp -P -p "$f" "$0/$f"
				echo "updated: $f"
			fi
		done' "$t")
	[ -x "$t/configure" ] || (cd "$t" && autoreconf -i)
	build_hurd "$t" "$h/obj/hurd-mosaic" "$h/boot-mosaic"
}
step hurd_mosaic "the Hurd with mosaic's series (mach-port/hurd/series), static" \
	"$st_interface $HURD_COMMIT $(hash "$top"/mach-port/hurd/series/*.edit $(find "$top/mach-port/hurd/files" -type f ! -path '*/glibc/*' | LC_ALL=C sort) "$top/mach-port/hurd/patch-hurd.sh" "$top/mach-port/patch-series.sh") $(recipe step_hurd_mosaic build_hurd configure_hurd hurd_funcs) $SERVERS $LIBS"
st_hurd_mosaic=$stamp

step_image_mosaic() {
	make_image "$h/boot-mosaic" "$h/hurd-mosaic.img"
}
step image_mosaic "the ext2 image $h/hurd-mosaic.img" \
	"$st_hurd_mosaic $st_tests $(recipe step_image_mosaic make_image) $SERVERS"
echo "hurd: the Hurd with mosaic's series in $h/boot-mosaic, its root file system in $h/hurd-mosaic.img"

# --- the direct read: glibc with io_read_direct ---------------------------------

# The series' second patch adds io_read_direct to the Hurd's io.defs, and
# mach-port/hurd/glibc's patch makes glibc's read use it.  glibc makes its
# user stubs of the io interface from the sysroot's io.defs, so that glibc
# is built against a sysroot of its own, sysroot-direct: the sysroot, with
# the headers of the Hurd of the series and then that glibc installed; its
# compiler is toolchain-direct/bin/i686-gnu-gcc, the same wrapper with
# that sysroot.  The servers are the Hurd of the series' (boot-mosaic):
# they need nothing of that glibc.  The Hurd as it is and the Hurd of the
# series keep the glibc of today, so that the old and libpager-fast
# measurements are what they were.
sysroot_direct="$h/sysroot-direct"
tools_direct="$h/toolchain-direct/bin"
step_sysroot_direct() {
	rm -rf "$sysroot_direct" "$h/toolchain-direct"
	# Times kept, so that install-headers sees the series' newer files.
	cp -p -R "$sysroot" "$sysroot_direct"
	make -C "$h/obj/hurd-mosaic" install-headers DESTDIR="$sysroot_direct" no_deps=t
	grep -q '^routine io_read_direct' "$sysroot_direct/usr/include/hurd/io.defs"
	mkdir -p "$tools_direct"
	for f in "$tools"/*; do
		ln -s "$f" "$tools_direct/${f##*/}"
	done
	rm "$tools_direct/i686-gnu-gcc" "$tools_direct/i686-gnu-cpp"
	sed "s|^sysroot=.*|sysroot='$sysroot_direct'|" "$tools/i686-gnu-gcc" > "$tools_direct/i686-gnu-gcc"
	grep -q "^sysroot='$sysroot_direct'\$" "$tools_direct/i686-gnu-gcc"
	printf '#!/bin/sh\nexec "%s/i686-gnu-gcc" -E "$@"\n' "$tools_direct" > "$tools_direct/i686-gnu-cpp"
	chmod +x "$tools_direct/i686-gnu-gcc" "$tools_direct/i686-gnu-cpp"
}
step sysroot_direct "a sysroot with the io.defs of the Hurd of the series ($sysroot_direct)" \
	"$st_hurd_mosaic $st_toolchain $(recipe step_sysroot_direct)"
st_sysroot_direct=$stamp

# glibc's tree with mosaic's glibc patch (mach-port/hurd/glibc: the series
# engine on a copy of the files it edits), in src/glibc-direct, built in
# obj/glibc-direct.  The first build is a whole glibc's; a change of the
# patch alone copies the files that changed and lets glibc's make rebuild
# what depends on them.
step_glibc_direct() {
	t="$h/src/glibc-direct" o="$h/obj/glibc-direct"
	# Configured again when the sysroot or the recipe changes (not when
	# glibc's own install into the sysroot does, nor when the series
	# does: glibc's make remakes the stubs of a changed .defs file).
	want="$(hash "$GLIBC_TARBALL") $st_sysroot $(recipe configure_glibc glibc_tree)"
	if [ "$(cat "$o/.configured" 2>/dev/null)" != "$want" ]; then
		glibc_tree "$t"
		PATH="$tools_direct:$PATH" configure_glibc "$t" "$o" "$sysroot_direct"
		echo "$want" > "$o/.configured"
	fi
	b="$h/glibc-series"
	rm -rf "$b"
	for f in $(sh "$top/mach-port/hurd/patch-glibc.sh" --files); do
		mkdir -p "$b/base/$(dirname "$f")"
		cp "$h/src/glibc-2.36/$f" "$b/base/$f"
	done
	MOSAIC_SERIES_DIR="$top/mach-port/hurd/glibc" MOSAIC_SERIES_NOGIT=1 MOSAIC_SERIES_PROJECT=glibc \
		sh "$top/mach-port/patch-series.sh" "$b/base" "$b/series"
	(cd "$b/series" && find . -type f) | while read -r f; do
		if ! cmp -s "$b/series/$f" "$t/$f"; then
			cp "$b/series/$f" "$t/$f"
			echo "updated: $f"
		fi
	done
	PATH="$tools_direct:$PATH" make -C "$o" -j"$jobs"
	PATH="$tools_direct:$PATH" make -C "$o" install DESTDIR="$sysroot_direct" MAKEINFO=:
	i686-gnu-nm "$sysroot_direct/usr/lib/libhurduser.a" | grep -q ' T __io_read_direct$'
	# libc.a is a linker script: the C library proper is libcrt.a.
	i686-gnu-nm "$sysroot_direct/usr/lib/libcrt.a" | grep -q ' U __io_read_direct$'
}
step glibc_direct "glibc 2.36 with io_read_direct (mach-port/hurd/glibc) into $sysroot_direct" \
	"$st_sysroot_direct $st_glibc $(hash "$top"/mach-port/hurd/glibc/* "$top"/mach-port/hurd/files/glibc/* "$top/mach-port/patch-series.sh") $(recipe step_glibc_direct)"
st_glibc_direct=$stamp

step_tests_direct() {
	PATH="$tools_direct:$PATH" build_tests "$h/tests-direct"
}
step tests_direct "our test programs with that glibc (tests/hurd: $TESTS)" \
	"$st_glibc_direct $st_tests $(recipe step_tests_direct build_tests) $TESTS"
st_tests_direct=$stamp

step_image_direct() {
	make_image "$h/boot-mosaic" "$h/hurd-direct.img" "$h/tests-direct"
}
step image_direct "the ext2 image $h/hurd-direct.img" \
	"$st_hurd_mosaic $st_tests_direct $(recipe step_image_direct make_image) $SERVERS"
echo "hurd: the Hurd with mosaic's series and glibc's direct read in $h/boot-mosaic and $h/hurd-direct.img"
