/* Copyright (C) 2026 the mosaic authors.

   This file is part of the GNU Hurd.

   The GNU Hurd is free software; you can redistribute it and/or
   modify it under the terms of the GNU General Public License as
   published by the Free Software Foundation; either version 2, or (at
   your option) any later version.

   The GNU Hurd is distributed in the hope that it will be useful, but
   WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
   General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with the GNU Hurd.  If not, see <http://www.gnu.org/licenses/>.  */

#include "priv.h"
#include "pager.h"
#include <mach/mach4.h>
#include "experimental_U.h"

/* Whether the kernel makes proxies and copies between objects: not known
   yet (-1), yes (1), no (0, it answered MIG_BAD_ID).  */
static int kernel_copies = -1;

error_t
pager_copy_to_object (struct pager *pager, memory_object_t memobj,
		      vm_offset_t offset, memory_object_t dst,
		      vm_offset_t dst_offset, size_t *size)
{
  size_t n = *size, done = 0;
  rpc_vm_offset_t start, zero = 0;
  rpc_vm_size_t len;
  mach_port_t proxy;
  kern_return_t kr;
  error_t err;

  *size = 0;
  if (kernel_copies == 0)
    return EOPNOTSUPP;
  if (n == 0 && (dst != MACH_PORT_NULL || kernel_copies == 1))
    return 0;
  if (n == 0)
    offset = 0;
  else if (offset + n < offset || dst_offset + n < dst_offset
	   || round_page (offset + n) == 0)
    return EINVAL;

  /* vm_copy_between_objects is a message to the source object, which the
     kernel serves when that is a kernel port: MEMOBJ is ours, so the copy
     is asked of a proxy of the pages it reads, made for this copy.  */
  start = trunc_page (offset);
  len = n ? round_page (offset + n) - start : vm_page_size;
  /* The proxy's offset 0 is the object's START.  */
  kr = memory_object_create_proxy (mach_task_self (), VM_PROT_READ,
				   &memobj, MACH_MSG_TYPE_COPY_SEND, 1,
				   &zero, 1, &start, 1, &len, 1, &proxy);
  if (kr == MIG_BAD_ID)
    kernel_copies = 0;
  if (kr)
    return kr == MIG_BAD_ID ? EOPNOTSUPP : kr;

  if (n == 0)
    {
      /* Only the question whether the kernel has the call: a kernel
	 without it answers MIG_BAD_ID; one with it refuses the null
	 destination.  */
      vm_size_t count;

      kr = vm_copy_between_objects (proxy, 0, MACH_PORT_NULL, 0, 0, &count);
      mach_port_deallocate (mach_task_self (), proxy);
      kernel_copies = kr != MIG_BAD_ID;
      return kernel_copies ? 0 : EOPNOTSUPP;
    }

  /* A copy that stops short returns the count it copied; the call from
     the first byte not copied returns why it stopped.  */
  for (;;)
    {
      vm_size_t count = 0;

      kr = vm_copy_between_objects (proxy, offset - start + done,
				    dst, dst_offset + done, n - done, &count);
      if (kr != KERN_SUCCESS || count == 0 || count > n - done)
	break;
      done += count;
      if (done == n)
	break;
    }
  mach_port_deallocate (mach_task_self (), proxy);

  *size = done;
  if (done > 0)
    kernel_copies = 1;
  if (done == n)
    return 0;
  if (kr == KERN_MEMORY_ERROR)
    {
      err = pager_get_error (pager, offset + done);
      return err ? err : EIO;
    }
  if (kr == MIG_BAD_ID)
    {
      kernel_copies = 0;
      return EOPNOTSUPP;
    }
  return kr ? kr : EIO;
}
