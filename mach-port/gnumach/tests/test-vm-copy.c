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

/* Byte k of pattern SEED: every page of every pattern differs. */
static unsigned char pat(vm_size_t k, unsigned seed)
{
  return (unsigned char) (k * 7 + (k >> 12) * 13 + seed * 31 + 1);
}

static void fill(vm_address_t a, vm_size_t n, unsigned seed)
{
  for (vm_size_t k = 0; k < n; k++)
    ((unsigned char *) a)[k] = pat(k, seed);
}

/* [a, a + n) holds pattern SEED from its byte FROM on.  */
static void expect_bytes(vm_address_t a, vm_size_t n, unsigned seed,
			 vm_size_t from, const char *what)
{
  for (vm_size_t k = 0; k < n; k++)
    if (((unsigned char *) a)[k] != pat(from + k, seed))
      {
	printf("%s: byte %u is 0x%x, not 0x%x\n", what, (unsigned) k,
	       ((unsigned char *) a)[k], pat(from + k, seed));
	FAILURE(what);
      }
}

static vm_address_t alloc(vm_size_t size, unsigned seed)
{
  vm_address_t a = 0;
  kern_return_t err = vm_allocate(mach_task_self(), &a, size, TRUE);
  ASSERT_RET(err, "vm_allocate");
  fill(a, size, seed);
  return a;
}

static mach_port_t proxy_of(vm_address_t a, vm_size_t size, vm_prot_t prot)
{
  mach_port_t proxy;
  kern_return_t err = vm_region_create_proxy(mach_task_self(), a, prot, size,
					     &proxy);
  ASSERT_RET(err, "vm_region_create_proxy");
  return proxy;
}

/* Unaligned on both sides, across pages, both ways.  */
static void test_unaligned(void)
{
  static const struct { vm_size_t at, off, len; } c[] = {
    { 0, 0, 1 }, { 1, 4095, 2 }, { 4095, 1, 4096 }, { 3, 5, 3 * 4096 - 7 },
    { 100, 200, 8192 },
  };
  vm_address_t file = alloc(4 * P, 1);
  mach_port_t obj = proxy_of(file, 4 * P, VM_PROT_READ | VM_PROT_WRITE);
  vm_address_t buf = alloc(4 * P, 2);
  vm_size_t count;
  kern_return_t err;

  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++)
    {
      fill(file, 4 * P, 1);
      fill(buf, 4 * P, 2);
      count = 0;
      err = vm_copy_from_object(mach_task_self(), buf + c[i].at, c[i].len,
				obj, c[i].off, &count);
      ASSERT_RET(err, "vm_copy_from_object");
      ASSERT(count == c[i].len, "vm_copy_from_object: count");
      expect_bytes(buf, c[i].at, 2, 0, "vm_copy_from_object: before");
      expect_bytes(buf + c[i].at, c[i].len, 1, c[i].off,
		   "vm_copy_from_object: copied");
      expect_bytes(buf + c[i].at + c[i].len, 4 * P - c[i].at - c[i].len, 2,
		   c[i].at + c[i].len, "vm_copy_from_object: after");

      fill(buf, 4 * P, 3);
      count = 0;
      err = vm_copy_to_object(mach_task_self(), buf + c[i].at, c[i].len,
			      obj, c[i].off, &count);
      ASSERT_RET(err, "vm_copy_to_object");
      ASSERT(count == c[i].len, "vm_copy_to_object: count");
      expect_bytes(file, c[i].off, 1, 0, "vm_copy_to_object: before");
      expect_bytes(file + c[i].off, c[i].len, 3, c[i].at,
		   "vm_copy_to_object: copied");
      expect_bytes(file + c[i].off + c[i].len, 4 * P - c[i].off - c[i].len,
		   1, c[i].off + c[i].len, "vm_copy_to_object: after");
    }
}

/* A copy stops exactly at a hole in the buffer, with the exact count, and
   a retry from there says why.  */
static void test_short_copy(void)
{
  vm_address_t file = alloc(4 * P, 4);
  mach_port_t obj = proxy_of(file, 4 * P, VM_PROT_READ);
  vm_address_t buf = alloc(3 * P, 5);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_deallocate(mach_task_self(), buf + P, P);
  ASSERT_RET(err, "vm_deallocate");
  err = vm_copy_from_object(mach_task_self(), buf + P - 100, 300, obj, 7,
			    &count);
  ASSERT_RET(err, "vm_copy_from_object up to a hole");
  ASSERT(count == 100, "the count stops at the hole");
  expect_bytes(buf + P - 100, 100, 4, 7, "bytes before the hole");
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
  vm_address_t file = alloc(2 * P, 6);
  mach_port_t ro = proxy_of(file, 2 * P, VM_PROT_READ);
  vm_address_t buf = alloc(2 * P, 7);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_copy_to_object(mach_task_self(), buf, 10, ro, 0, &count);
  ASSERT(err == KERN_PROTECTION_FAILURE, "writing a read-only proxy");
  expect_bytes(file, 2 * P, 6, 0, "the read-only memory is untouched");

  err = vm_protect(mach_task_self(), buf + P, P, FALSE, VM_PROT_READ);
  ASSERT_RET(err, "vm_protect");
  err = vm_copy_from_object(mach_task_self(), buf + P - 10, 20, ro, 0, &count);
  ASSERT_RET(err, "vm_copy_from_object into a read-only page");
  ASSERT(count == 10, "the count stops at the read-only page");
  expect_bytes(buf + P, P, 7, P, "the read-only page is untouched");
}

/* Between two objects.  */
static void test_between_objects(void)
{
  vm_address_t a = alloc(3 * P, 8), b = alloc(3 * P, 9);
  mach_port_t src = proxy_of(a, 3 * P, VM_PROT_READ);
  mach_port_t dst = proxy_of(b, 3 * P, VM_PROT_READ | VM_PROT_WRITE);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_copy_between_objects(src, 5, dst, P + 3, P + 11, &count);
  ASSERT_RET(err, "vm_copy_between_objects");
  ASSERT(count == P + 11, "vm_copy_between_objects: count");
  expect_bytes(b, P + 3, 9, 0, "vm_copy_between_objects: before");
  expect_bytes(b + P + 3, P + 11, 8, 5, "vm_copy_between_objects: copied");
  expect_bytes(b + 2 * P + 14, P - 14, 9, 2 * P + 14,
	       "vm_copy_between_objects: after");
}

/* Bad arguments: KERN_INVALID_ARGUMENT, nothing written.  */
static void test_bad_arguments(void)
{
  vm_address_t file = alloc(P, 10);
  mach_port_t obj = proxy_of(file, P, VM_PROT_READ | VM_PROT_WRITE);
  vm_address_t buf = alloc(P, 11);
  vm_size_t count = 0;
  kern_return_t err;

  err = vm_copy_from_object(mach_task_self(), buf, (vm_size_t) -1, obj, 0,
			    &count);
  ASSERT(err == KERN_INVALID_ARGUMENT, "a size that wraps");
  err = vm_copy_from_object(mach_task_self(), buf, 10, mach_task_self(), 0,
			    &count);
  ASSERT(err == KERN_INVALID_ARGUMENT, "a task port is no memory object");
  err = vm_copy_from_object(mach_thread_self(), buf, 10, obj, 0, &count);
  ASSERT(err == KERN_INVALID_ARGUMENT, "a thread port is no task");
  expect_bytes(buf, P, 11, 0, "nothing written");
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
