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
 * Memory whose every byte a test can check: patterns that differ on
 * every page and from seed to seed, and proxies of a task's own memory,
 * memory objects that need no pager.
 */

#include <syscalls.h>
#include <testlib.h>

#include <mach/std_types.h>
#include <mach/mach_types.h>

#include <mach.user.h>

/* Byte K of pattern SEED.  */
unsigned char
test_pattern(vm_size_t k, unsigned seed)
{
  return (unsigned char) (k * 7 + (k >> 12) * 13 + seed * 31 + 1);
}

void
test_pattern_fill(vm_address_t a, vm_size_t n, unsigned seed)
{
  for (vm_size_t k = 0; k < n; k++)
    ((unsigned char *) a)[k] = test_pattern(k, seed);
}

/* Fail unless [A, A + N) holds pattern SEED from its byte FROM on.  */
void
test_pattern_expect(vm_address_t a, vm_size_t n, unsigned seed,
		    vm_size_t from, const char *what)
{
  for (vm_size_t k = 0; k < n; k++)
    if (((unsigned char *) a)[k] != test_pattern(from + k, seed))
      {
	printf("%s: byte %u is 0x%x, not 0x%x\n", what, (unsigned) k,
	       ((unsigned char *) a)[k], test_pattern(from + k, seed));
	FAILURE(what);
      }
}

/* SIZE bytes of fresh memory holding pattern SEED.  */
vm_address_t
test_pattern_alloc(vm_size_t size, unsigned seed)
{
  vm_address_t a = 0;
  kern_return_t err = vm_allocate(mach_task_self(), &a, size, TRUE);
  ASSERT_RET(err, "vm_allocate");
  test_pattern_fill(a, size, seed);
  return a;
}

/* A proxy of exactly [A, A + SIZE) of this task's memory.  */
mach_port_t
test_region_proxy(vm_address_t a, vm_size_t size, vm_prot_t prot)
{
  mach_port_t proxy;
  kern_return_t err = vm_region_create_proxy(mach_task_self(), a, prot, size,
					     &proxy);
  ASSERT_RET(err, "vm_region_create_proxy");
  return proxy;
}
