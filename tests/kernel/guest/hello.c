/*
 * hello.c: the first guest -- plain virtual memory on the stock kernel.
 *
 * Proves the whole chain (GRUB, kernel, boot module, traps, MIG stubs,
 * console, markers) with operations whose results every Mach agrees on:
 * allocate, write and read back, lower the protection and the maximum
 * protection, read through vm_read, deallocate.
 */
#include "guest.h"

#include "mach.user.h"

const char guest_name[] = MOSAIC_GUEST_NAME;

#define PAGES 4

static void fill(volatile unsigned char *p, vm_size_t n, unsigned seed)
{
	for (vm_size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static bool check(const volatile unsigned char *p, vm_size_t n, unsigned seed)
{
	for (vm_size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

int guest_main(int argc, char **argv)
{
	mach_port_t self = mach_task_self();
	vm_size_t size = PAGES * GUEST_PAGE_SIZE;
	vm_address_t addr = 0, fixed;
	vm_offset_t data;
	mach_msg_type_number_t count;

	(void)argc;
	(void)argv;

	/* Anonymous memory, anywhere: page aligned and zero filled. */
	GUEST_EXPECT_KR(vm_allocate(self, &addr, size, TRUE), KERN_SUCCESS);
	GUEST_CHECK(addr != 0 && addr % GUEST_PAGE_SIZE == 0);
	for (vm_size_t i = 0; i < size; i++)
		GUEST_CHECK(((volatile unsigned char *)addr)[i] == 0);
	fill((volatile unsigned char *)addr, size, 3);
	GUEST_CHECK(check((volatile unsigned char *)addr, size, 3));
	guest_printf("hello: allocated %lu bytes at %p, pattern ok\n",
		     (unsigned long)size, (void *)addr);

	/* The same range again, at a fixed address: already taken. */
	fixed = addr;
	GUEST_EXPECT_KR(vm_allocate(self, &fixed, size, FALSE), KERN_NO_SPACE);

	/* vm_read sees the bytes the task wrote. */
	GUEST_EXPECT_KR(vm_read(self, addr, GUEST_PAGE_SIZE, &data, &count),
			KERN_SUCCESS);
	GUEST_CHECK(count == GUEST_PAGE_SIZE);
	GUEST_CHECK(check((volatile unsigned char *)data, GUEST_PAGE_SIZE, 3));
	GUEST_EXPECT_KR(vm_deallocate(self, data, count), KERN_SUCCESS);

	/* Read-only page: still readable, and the maximum can only shrink. */
	GUEST_EXPECT_KR(vm_protect(self, addr, GUEST_PAGE_SIZE, FALSE,
				   VM_PROT_READ), KERN_SUCCESS);
	GUEST_CHECK(check((volatile unsigned char *)addr, GUEST_PAGE_SIZE, 3));
	GUEST_EXPECT_KR(vm_protect(self, addr, GUEST_PAGE_SIZE, TRUE,
				   VM_PROT_READ), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_protect(self, addr, GUEST_PAGE_SIZE, FALSE,
				   VM_PROT_READ | VM_PROT_WRITE),
			KERN_PROTECTION_FAILURE);
	/* Invalid protection bits are refused, not masked. */
	GUEST_EXPECT_KR(vm_protect(self, addr, GUEST_PAGE_SIZE, FALSE, 0x100),
			KERN_INVALID_ARGUMENT);

	/* Gone after deallocation: vm_read finds nothing there. */
	GUEST_EXPECT_KR(vm_deallocate(self, addr, size), KERN_SUCCESS);
	GUEST_EXPECT_KR(vm_read(self, addr, GUEST_PAGE_SIZE, &data, &count),
			KERN_INVALID_ADDRESS);
	guest_printf("hello: protect, read and deallocate ok\n");
	return 0;
}
