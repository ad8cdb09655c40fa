package store

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseMappings drops this process's page mappings of the files under
// dir. Badger writes tables and value logs through shared memory maps and
// keeps them mapped, so a generation being built would otherwise count,
// page by page, in the ingest's resident set (2.2 GB for a million lines)
// although the kernel's page cache holds it anyway. For shared file
// mappings MADV_DONTNEED only unmaps: dirty pages stay in the page cache
// and are written back as usual, and a later access maps them in again.
func releaseMappings(dir string) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, path, ok := parseMapsLine(sc.Text())
		if !ok || !strings.HasPrefix(path, dir+"/") {
			continue
		}
		// The raw system call: the range is not Go memory, so there is no
		// slice to hand to unix.Madvise.
		unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED)
	}
}

// parseMapsLine reads "start-end perms offset dev inode path" for shared
// mappings ("rw-s" or "r--s").
func parseMapsLine(line string) (start, end uintptr, path string, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || len(fields[1]) < 4 || fields[1][3] != 's' {
		return 0, 0, "", false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, "", false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, "", false
	}
	return uintptr(s), uintptr(e), strings.Join(fields[5:], " "), true
}
