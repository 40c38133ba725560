/*
 *  Copyright (C) 2026 the mosaic authors.
 *
 * This program is free software ; you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation ; either version 2 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY ; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with the program ; if not, see <http://www.gnu.org/licenses/>.
 */

/*
 * vm_copy_from_object, vm_copy_to_object and vm_copy_between_objects
 * (experimental.defs): copies between a memory object and a task's buffer,
 * or between two objects, at any alignment, without mapping anything.  The
 * memory objects are proxies of the test's own memory
 * (vm_region_create_proxy), so no pager is needed.  Every copy checks every
 * byte it may write: the copied range holds the source's bytes, and the
 * bytes around it are untouched.
 */

#include <syscalls.h>
#include <testlib.h>

#include <mach/machine/vm_param.h>
#include <mach/std_types.h>
#include <mach/mach_types.h>
#include <mach/vm_param.h>

#include <experimental.user.h>
#include <mach.user.h>
#include <mach4.user.h>

#define P	vm_page_size

/* Unaligned on both sides, across pages, both ways.  */
static void test_unaligned(void)
{
  static const struct { vm_size_t at, off, len; } c[] = {
    { 0, 0, 1 }, { 1, 4095, 2 }, { 4095, 1, 4096 }, { 3, 5, 3 * 4096 - 7 },
    { 100, 200, 8192 },
  };
  vm_address_t file = test_pattern_alloc(4 * P, 1);
  mach_port_t obj = test_region_proxy(file, 4 * P,
				      VM_PROT_READ | VM_PROT_WRITE);
  vm_address_t buf = test_pattern_alloc(4 * P, 2);
  vm_size_t count;
  kern_return_t err;

  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
    {
      test_pattern_fill(file, 4 * P, 1);
      test_pattern_fill(buf, 4 * P, 2);
      count = 0;
      err = vm_copy_from_object(mach_task_self(), buf + c[i].at, c[i].len,
				obj, c[i].off, &count);
      ASSERT_RET(err, "vm_copy_from_object");
      ASSERT(count == c[i].len, "vm_copy_from_object: count");
      test_pattern_expect(buf, c[i].at, 2, 0, "vm_copy_from_object: before");
      test_pattern_expect(buf + c[i].at, c[i].len, 1, c[i].off,
			  "vm_copy_from_object: copied");
      test_pattern_expect(buf + c[i].at + c[i].len,
			  4 * P - c[i].at - c[i].len, 2,
			  c[i].at + c[i].len, "vm_copy_from_object: after");

      test_pattern_fill(buf, 4 * P, 3);
      count = 0;
      err = vm_copy_to_object(mach_task_self(), buf + c[i].at, c[i].len,
			      obj, c[i].off, &count);
      ASSERT_RET(err, "vm_copy_to_object");
      ASSERT(count == c[i].len, "vm_copy_to_object: count");
      test_pattern_expect(file, c[i].off, 1, 0, "vm_copy_to_object: before");
      test_pattern_expect(file + c[i].off, c[i].len, 3, c[i].at,
			  "vm_copy_to_object: copied");
      test_pattern_expect(file + c[i].off + c[i].len,
			  4 * P - c[i].off - c[i].len,
			  1, c[i].off + c[i].len, "vm_copy_to_object: after");
    }
}

/* A copy stops exactly at a hole in the buffer, with the exact count, and
   a retry from there says why.  */
static void test_short_copy(void)
{
  vm_address_t file = test_pattern_alloc(4 * P, 4);
  mach_port_t obj = test_region_proxy(file, 4 * P, VM_PROT_READ);
  vm_address_t buf = test_pattern_alloc(3 * P, 5);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_deallocate(mach_task_self(), buf + P, P);
  ASSERT_RET(err, "vm_deallocate");
  err = vm_copy_from_object(mach_task_self(), buf + P - 100, 300, obj, 7,
			    &count);
  ASSERT_RET(err, "vm_copy_from_object up to a hole");
  ASSERT(count == 100, "the count stops at the hole");
  test_pattern_expect(buf + P - 100, 100, 4, 7, "bytes before the hole");
  err = vm_copy_from_object(mach_task_self(), buf + P, 200, obj, 107, &count);
  ASSERT(err == KERN_INVALID_ADDRESS, "a retry at the hole says why");

  /* The proxy's window ends: the copy stops there.  */
  err = vm_copy_from_object(mach_task_self(), buf, 200, obj, 4 * P - 50,
			    &count);
  ASSERT_RET(err, "vm_copy_from_object up to the window's end");
  ASSERT(count == 50, "the count stops at the window's end");
}

/* Protections: a read-only proxy cannot be written, a read-only buffer
   cannot be filled.  */
static void test_protection(void)
{
  vm_address_t file = test_pattern_alloc(2 * P, 6);
  mach_port_t ro = test_region_proxy(file, 2 * P, VM_PROT_READ);
  vm_address_t buf = test_pattern_alloc(2 * P, 7);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_copy_to_object(mach_task_self(), buf, 10, ro, 0, &count);
  ASSERT(err == KERN_PROTECTION_FAILURE, "writing a read-only proxy");
  test_pattern_expect(file, 2 * P, 6, 0, "the read-only memory is untouched");

  err = vm_protect(mach_task_self(), buf + P, P, FALSE, VM_PROT_READ);
  ASSERT_RET(err, "vm_protect");
  err = vm_copy_from_object(mach_task_self(), buf + P - 10, 20, ro, 0, &count);
  ASSERT_RET(err, "vm_copy_from_object into a read-only page");
  ASSERT(count == 10, "the count stops at the read-only page");
  test_pattern_expect(buf + P, P, 7, P, "the read-only page is untouched");
}

/* Between two objects.  */
static void test_between_objects(void)
{
  vm_address_t a = test_pattern_alloc(3 * P, 8);
  vm_address_t b = test_pattern_alloc(3 * P, 9);
  mach_port_t src = test_region_proxy(a, 3 * P, VM_PROT_READ);
  mach_port_t dst = test_region_proxy(b, 3 * P, VM_PROT_READ | VM_PROT_WRITE);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_copy_between_objects(src, 5, dst, P + 3, P + 11, &count);
  ASSERT_RET(err, "vm_copy_between_objects");
  ASSERT(count == P + 11, "vm_copy_between_objects: count");
  test_pattern_expect(b, P + 3, 9, 0, "vm_copy_between_objects: before");
  test_pattern_expect(b + P + 3, P + 11, 8, 5,
		      "vm_copy_between_objects: copied");
  test_pattern_expect(b + 2 * P + 14, P - 14, 9, 2 * P + 14,
		      "vm_copy_between_objects: after");
}

/* Bad arguments: refused, nothing written.  */
static void test_bad_arguments(void)
{
  vm_address_t file = test_pattern_alloc(P, 10);
  mach_port_t obj = test_region_proxy(file, P, VM_PROT_READ | VM_PROT_WRITE);
  vm_address_t buf = test_pattern_alloc(P, 11);
  vm_size_t count = 0;
  kern_return_t err;

  /* A range that wraps the task's addresses: refused.  Where the kernel's
     addresses are wider than the task's (32-bit tasks on x86_64), it does
     not wrap there, and lies past the task's memory: nothing to copy.  */
  err = vm_copy_from_object(mach_task_self(), (vm_address_t) -P, 2 * P,
			    obj, 0, &count);
  ASSERT(err == KERN_INVALID_ARGUMENT || err == KERN_INVALID_ADDRESS,
	 "a range that wraps");
  err = vm_copy_from_object(mach_task_self(), buf, 10, mach_task_self(), 0,
			    &count);
  ASSERT(err == KERN_INVALID_ARGUMENT, "a task port is no memory object");
  err = vm_copy_from_object(mach_thread_self(), buf, 10, obj, 0, &count);
  ASSERT(err == KERN_INVALID_ARGUMENT, "a thread port is no task");
  test_pattern_expect(buf, P, 11, 0, "nothing written");
}

int main(int argc, char *argv[], int envc, char *envp[])
{
  test_unaligned();
  test_short_copy();
  test_protection();
  test_between_objects();
  test_bad_arguments();
  return 0;
}
