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
 * Proxy memory objects of several memory objects and holes
 * (memory_object_create_proxy, mach4.defs; memory_object_create_proxy_ranges,
 * experimental.defs): their pieces mapped by vm_map and copied through,
 * holes behaving as unmapped memory, nested proxies whose rights are the
 * intersection of their chain's, vm_region_create_proxy's exact window, and
 * bad arguments.  The objects are proxies of the test's own memory, so no
 * pager is needed.
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

/* A proxy of [2p, 3p) of A at 0, a hole, and [p, 2p) of B at 3p: pieces
   of two objects at offsets other than 0, with a hole between them.  */
static mach_port_t two_objects(vm_address_t *a, vm_address_t *b,
			       vm_prot_t prot)
{
  mach_port_t objs[2], proxy;
  rpc_vm_offset_t offset[2] = { 0, 3 * P }, start[2] = { 2 * P, P };
  rpc_vm_size_t len[2] = { P, P };
  kern_return_t err;

  *a = alloc(4 * P, 1);
  *b = alloc(4 * P, 2);
  objs[0] = proxy_of(*a, 4 * P, VM_PROT_READ | VM_PROT_WRITE);
  objs[1] = proxy_of(*b, 4 * P, VM_PROT_READ | VM_PROT_WRITE);
  err = memory_object_create_proxy(mach_task_self(), prot,
				   objs, MACH_MSG_TYPE_COPY_SEND, 2,
				   offset, 2, start, 2, len, 2, &proxy);
  ASSERT_RET(err, "memory_object_create_proxy of two objects");
  return proxy;
}

static void test_several_objects(void)
{
  vm_address_t a, b, at = 0, buf = alloc(4 * P, 3), data;
  mach_port_t proxy = two_objects(&a, &b, VM_PROT_READ);
  mach_msg_type_number_t n;
  vm_size_t count = 0;
  kern_return_t err;

  /* Mapped: each piece where it belongs, the hole reserved.  */
  err = vm_map(mach_task_self(), &at, 4 * P, 0, TRUE, proxy, 0, FALSE,
	       VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE);
  ASSERT_RET(err, "vm_map of the proxy");
  expect_bytes(at, P, 1, 2 * P, "piece 0: A from 2p");
  expect_bytes(at + 3 * P, P, 2, P, "piece 2: B from p");
  err = vm_read(mach_task_self(), at + 2 * P, P, &data, &n);
  ASSERT(err == KERN_PROTECTION_FAILURE, "the hole is mapped with no access");
  err = vm_deallocate(mach_task_self(), at, 4 * P);
  ASSERT_RET(err, "vm_deallocate");

  /* Copied through: a copy stops at the hole, and goes on past it.  */
  err = vm_copy_from_object(mach_task_self(), buf + 1, 4 * P - 1, proxy, 5,
			    &count);
  ASSERT_RET(err, "a copy up to the hole");
  ASSERT(count == P - 5, "the count stops at the hole");
  expect_bytes(buf + 1, P - 5, 1, 2 * P + 5, "copied from A");
  err = vm_copy_from_object(mach_task_self(), buf, 10, proxy, P, &count);
  ASSERT(err == KERN_INVALID_ADDRESS, "the hole");
  err = vm_copy_from_object(mach_task_self(), buf, P, proxy, 3 * P, &count);
  ASSERT_RET(err, "a copy past the hole");
  expect_bytes(buf, P, 2, P, "copied from B");

  /* The proxy is read-only.  */
  err = vm_copy_to_object(mach_task_self(), buf, 10, proxy, 0, &count);
  ASSERT(err == KERN_PROTECTION_FAILURE, "writing a read-only proxy");
}

/* A read-write proxy of a read-only one is read-only: rights only shrink
   along a chain.  */
static void test_nested_rights(void)
{
  vm_address_t a, b, at = 0, buf = alloc(P, 4);
  mach_port_t ro = two_objects(&a, &b, VM_PROT_READ), rw;
  rpc_vm_offset_t offset = 0, start = 0;
  rpc_vm_size_t len = 4 * P;
  vm_size_t count = 0;
  kern_return_t err;

  err = memory_object_create_proxy(mach_task_self(),
				   VM_PROT_READ | VM_PROT_WRITE,
				   &ro, MACH_MSG_TYPE_COPY_SEND, 1,
				   &offset, 1, &start, 1, &len, 1, &rw);
  ASSERT_RET(err, "memory_object_create_proxy of a proxy");
  err = vm_copy_to_object(mach_task_self(), buf, 10, rw, 0, &count);
  ASSERT(err == KERN_PROTECTION_FAILURE,
	 "writing through a read-write proxy of a read-only one");
  err = vm_map(mach_task_self(), &at, P, 0, TRUE, rw, 0, FALSE,
	       VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE,
	       VM_INHERIT_NONE);
  if (err == KERN_SUCCESS)
    {
      /* Mapped with the chain's rights: writing must fail.  */
      err = vm_protect(mach_task_self(), at, P, FALSE,
		       VM_PROT_READ | VM_PROT_WRITE);
      ASSERT(err == KERN_PROTECTION_FAILURE,
	     "a mapping of the chain cannot be made writable");
      expect_bytes(at, P, 1, 2 * P, "the nested proxy's first piece");
      err = vm_deallocate(mach_task_self(), at, P);
      ASSERT_RET(err, "vm_deallocate");
    }
  else
    ASSERT(err == KERN_PROTECTION_FAILURE, "vm_map of the chain");
  expect_bytes(a, 4 * P, 1, 0, "the read-only memory is untouched");
}

/* vm_region_create_proxy: exactly the window, across map entries.  */
static void test_region_window(void)
{
  vm_address_t a = alloc(3 * P, 5), buf = alloc(3 * P, 6);
  mach_port_t proxy;
  vm_size_t count = 0;
  kern_return_t err;

  /* Three entries: the middle page read-only.  */
  err = vm_protect(mach_task_self(), a + P, P, FALSE, VM_PROT_READ);
  ASSERT_RET(err, "vm_protect");
  err = vm_region_create_proxy(mach_task_self(), a + P / 2, VM_PROT_READ,
			       2 * P, &proxy);
  ASSERT_RET(err, "vm_region_create_proxy across entries");
  err = vm_copy_from_object(mach_task_self(), buf, 3 * P, proxy, 0, &count);
  ASSERT_RET(err, "a copy of the whole window");
  ASSERT(count == 2 * P, "exactly the window, nothing past it");
  expect_bytes(buf, 2 * P, 5, P / 2, "the window's bytes");
  expect_bytes(buf + 2 * P, P, 6, 2 * P, "nothing past the window");

  err = vm_region_create_proxy(mach_task_self(), a + P, VM_PROT_WRITE, P,
			       &proxy);
  ASSERT(err == KERN_PROTECTION_FAILURE, "a writable proxy of read-only memory");
}

/* The 2002 form: ranges end to end, a null object a hole, an open-ended
   last range.  */
static void test_ranges_form(void)
{
  vm_address_t a = alloc(2 * P, 7), b = alloc(2 * P, 8), buf = alloc(4 * P, 9);
  mach_port_t objs[3], proxy;
  vm_prot_t prot[3] = { VM_PROT_READ, VM_PROT_READ, VM_PROT_READ };
  rpc_vm_offset_t start[2] = { P, 0 }, end[2] = { 2 * P, P };
  vm_size_t count = 0;
  kern_return_t err;

  objs[0] = proxy_of(a, 2 * P, VM_PROT_READ);
  objs[1] = MACH_PORT_NULL;
  objs[2] = proxy_of(b, 2 * P, VM_PROT_READ);
  err = memory_object_create_proxy_ranges(mach_task_self(), objs,
					  MACH_MSG_TYPE_COPY_SEND, 3,
					  prot, 3, start, 2, end, 2, &proxy);
  ASSERT_RET(err, "memory_object_create_proxy_ranges");
  err = vm_copy_from_object(mach_task_self(), buf, 4 * P, proxy, 0, &count);
  ASSERT_RET(err, "a copy up to the hole");
  ASSERT(count == P, "[p, 2p) of A, then the hole");
  expect_bytes(buf, P, 7, P, "A's second page");
  err = vm_copy_from_object(mach_task_self(), buf, 2 * P, proxy, 2 * P,
			    &count);
  ASSERT_RET(err, "a copy of the open-ended range");
  ASSERT(count == 2 * P, "B whole");
  expect_bytes(buf, 2 * P, 8, 0, "B");
}

/* Bad arguments: each refused, no proxy made.  */
static void test_bad_arguments(void)
{
  vm_address_t a = alloc(2 * P, 10);
  mach_port_t obj = proxy_of(a, 2 * P, VM_PROT_READ), objs[2] = { obj, obj };
  mach_port_t proxy;
  rpc_vm_offset_t offset[2] = { 0, P / 2 }, start[2] = { 0, 0 };
  rpc_vm_size_t len[2] = { P, P };
  vm_prot_t bad_prot = 0x10, objs_prot[1] = { VM_PROT_READ };
  rpc_vm_offset_t s = 0, e = P;
  kern_return_t err;

  err = memory_object_create_proxy(mach_task_self(), VM_PROT_READ, objs,
				   MACH_MSG_TYPE_COPY_SEND, 2, offset, 2,
				   start, 2, len, 1, &proxy);
  ASSERT(err == KERN_INVALID_ARGUMENT, "counts that differ");
  err = memory_object_create_proxy(mach_task_self(), VM_PROT_READ, objs,
				   MACH_MSG_TYPE_COPY_SEND, 2, offset, 2,
				   start, 2, len, 2, &proxy);
  ASSERT(err == KERN_INVALID_ARGUMENT, "ranges that overlap");
  err = memory_object_create_proxy_ranges(mach_task_self(), &obj,
					  MACH_MSG_TYPE_COPY_SEND, 1,
					  &bad_prot, 1, &s, 1, &e, 1, &proxy);
  ASSERT(err == KERN_INVALID_VALUE, "protection bits outside VM_PROT_ALL");
  s = P;
  err = memory_object_create_proxy_ranges(mach_task_self(), &obj,
					  MACH_MSG_TYPE_COPY_SEND, 1,
					  objs_prot, 1, &s, 1, &s, 1, &proxy);
  ASSERT(err == KERN_INVALID_ARGUMENT, "an empty range");
}

int main(int argc, char *argv[], int envc, char *envp[])
{
  test_several_objects();
  test_nested_rights();
  test_region_window();
  test_ranges_form();
  test_bad_arguments();
  return 0;
}
