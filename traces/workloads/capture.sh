#!/bin/sh
# Captures the bundled real-world workloads with strace on this machine and
# imports them (traces/workloads/real/*.trace).  Reproducible in shape, not
# byte for byte: another machine has other libraries, file sizes and paths.
#
#   traces/workloads/capture.sh BUILD_DIR
#
# The raw logs stay in a temporary directory: they hold machine paths and
# the first bytes of every file read (strace prints read data), so they are
# never committed.  The traces name files f<N>-<basename> only; the id->path
# maps are printed here for the person capturing, and not kept.
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
mosaic="$build/sim/mosaic"
out="$here/real"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
calls=open,openat,read,pread64,readv,preadv,lseek,dup,dup2,dup3,close
captured="strace -f -tt -T -y -e trace=$calls"

# name, description, command...
capture() {
	name=$1 what=$2 ids=$3
	shift 3
	(cd "$work" && strace -f -tt -T -y -e trace=$calls -o "$work/$name.log" "$@" >/dev/null 2>&1) || true
	"$mosaic" import strace $ids --program "$what" --captured "$captured" --map "$work/$name.map" \
		"$work/$name.log" > "$out/$name.trace"
	echo "$name: $(wc -c < "$work/$name.log") bytes of log"
}

# A database of 20,000 rows, then a query that scans it.
sqlite3 "$work/demo.db" "create table t(a integer primary key, b text);
  with recursive c(x) as (select 1 union all select x + 1 from c where x < 20000)
  insert into t select x, hex(randomblob(40)) from c; create index tb on t(b);"
capture sqlite-query "sqlite3 demo.db: count and sum over a LIKE scan of 20,000 rows" "" \
	sqlite3 demo.db "select count(*), sum(length(b)) from t where b like 'A%';"
# GNU tar does not read file contents when the archive is /dev/null: write a file.
capture tar-glib-headers "tar cf of /usr/include/glib-2.0 (2.8 MB of headers)" "" \
	tar cf "$work/out.tar" /usr/include/glib-2.0
capture grep-linux-headers "grep -r -c zlib /usr/include/linux" "" \
	grep -r -c zlib /usr/include/linux
printf '#include <stdio.h>\n#include <string.h>\nint main(void) { printf("%%zu\\n", strlen("hi")); return 0; }\n' \
	> "$work/hello.c"
capture gcc-hello "gcc -O2 -c hello.c (stdio.h, string.h)" "" gcc -O2 -c hello.c -o hello.o
# Python reads its site-packages' .pth files, whose names belong to this
# machine's set-up: number the files only.
capture python-startup "python3 -c pass (Debian's 3.11)" --numeric-ids /usr/bin/python3 -c pass
# Many clients: a process pool of 4 workers, each task reading Python's
# library with two threads beside it (ProcessPoolExecutor's own threads
# read nothing); every process and thread that reads is a client.
cat > "$work/pool.py" <<'PY'
import concurrent.futures, glob, threading
files = sorted(glob.glob('/usr/lib/python3.11/*.py'))[:40]
def read_all(paths, chunk):
    n = 0
    for p in paths:
        with open(p, 'rb', buffering=0) as f:
            while True:
                b = f.read(chunk)
                if not b:
                    break
                n += len(b)
    return n
def worker(k):
    mine = files[k::8]
    ts = [threading.Thread(target=read_all, args=(mine[i::2], 1024 << i)) for i in range(2)]
    for t in ts:
        t.start()
    n = read_all(mine, 4096)
    for t in ts:
        t.join()
    return n
if __name__ == '__main__':
    with concurrent.futures.ProcessPoolExecutor(max_workers=4) as ex:
        print(sum(ex.map(worker, range(8))))
PY
capture python-pool "python3 pool.py: 8 tasks of a 4-process pool, each reading 5 library files with 2 more threads" \
	--numeric-ids python3 "$work/pool.py"
