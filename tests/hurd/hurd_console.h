/*
 * hurd_console.h: one line on the kernel's console from a Hurd test
 * program (tests/hurd/hurdread.c, tests/hurd/hurdreplay.c), which runs as
 * /libexec/runsystem before any terminal: the runner reads the serial line.
 */
#ifndef HURD_CONSOLE_H
#define HURD_CONSOLE_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <hurd.h>
#include <device/device.h>

/* The kernel's console device, opened at the first line. */
static mach_port_t hurd_console = MACH_PORT_NULL;

/* One line, in one device_write so that several processes' lines do not
 * mix; on standard output when the console cannot be had. */
static void out(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n, written;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 3)
		n = sizeof line - 3;
	line[n++] = '\r';
	line[n++] = '\n';
	if (hurd_console == MACH_PORT_NULL) {
		mach_port_t device_master;

		if (get_privileged_ports(NULL, &device_master) != 0 ||
		    device_open(device_master, D_WRITE, "console", &hurd_console) != 0)
			hurd_console = MACH_PORT_NULL;
	}
	if (hurd_console == MACH_PORT_NULL ||
	    device_write_inband(hurd_console, 0, 0, line, n, &written) != 0)
		(void)!write(1, line, (size_t)n);
}

#endif /* HURD_CONSOLE_H */
