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
#include "io_S.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <hurd/pager.h>

/* Write LEN bytes of NP's file from OFFSET into the memory object PAGES
   from its offset 0, the kernel copying between the two objects.  */
static error_t
read_into_pages (struct node *np, memory_object_t pages, off_t offset,
		 size_t len)
{
  memory_object_t memobj;
  size_t done = len;
  error_t err;

  if (sizeof (off_t) > sizeof (vm_offset_t)
      && offset + len > ((off_t) 1) << (sizeof (vm_offset_t) * 8))
    return EFBIG;

  memobj = diskfs_get_filemap (np, VM_PROT_READ);
  if (memobj == MACH_PORT_NULL)
    return errno;
  err = pager_copy_to_object (diskfs_get_filemap_pager_struct (np), memobj,
			      offset, pages, 0, &done);
  mach_port_deallocate (mach_task_self (), memobj);
  if (!err && done != len)
    err = EIO;
  return err;
}

/* Whether the kernel can copy NP's file into another memory object:
   0 or EOPNOTSUPP.  */
static error_t
can_read_into_pages (struct node *np)
{
  memory_object_t memobj = diskfs_get_filemap (np, VM_PROT_READ);
  size_t none = 0;
  error_t err;

  if (memobj == MACH_PORT_NULL)
    return errno;
  err = pager_copy_to_object (diskfs_get_filemap_pager_struct (np), memobj,
			      0, MACH_PORT_NULL, 0, &none);
  mach_port_deallocate (mach_task_self (), memobj);
  return err;
}

/* Implement io_read_direct as described in <hurd/io.defs>.  */
kern_return_t
diskfs_S_io_read_direct (struct protid *cred,
			 memory_object_t pages,
			 off_t offset,
			 vm_size_t head,
			 vm_size_t pages_size,
			 vm_size_t amount,
			 data_t *data,
			 mach_msg_type_number_t *datalen,
			 vm_size_t *amount_read)
{
  struct node *np;
  error_t err = 0;
  off_t off = offset;
  vm_size_t n, in_pages_start, in_pages_end, inline_size;
  int notime;
  char *buf;
  int ourbuf = 0;

  if (!cred)
    return EOPNOTSUPP;
  if (!(cred->po->openstat & O_READ))
    return EBADF;
  if (head + pages_size < head)
    return EINVAL;

  np = cred->po->np;
  notime = cred->po->openstat & O_NOATIME;
  pthread_mutex_lock (&np->lock);

  /* Only a regular file's bytes come from its memory object; anything
     else is read by io_read.  */
  if (!S_ISREG (np->dn_stat.st_mode))
    {
      pthread_mutex_unlock (&np->lock);
      return EOPNOTSUPP;
    }

  if (pages == MACH_PORT_NULL)
    {
      /* The question whether we can: whether the kernel can.  */
      err = can_read_into_pages (np);
      pthread_mutex_unlock (&np->lock);
      if (!err)
	{
	  *datalen = 0;
	  *amount_read = 0;
	}
      return err;
    }

  iohelp_get_conch (&np->conch);

  if (off == -1)
    off = cred->po->filepointer;
  if (off < 0)
    {
      pthread_mutex_unlock (&np->lock);
      return EINVAL;
    }

  if (off > np->dn_stat.st_size)
    n = 0;
  else if (off + (off_t) amount > np->dn_stat.st_size)
    n = np->dn_stat.st_size - off;
  else
    n = amount;

  /* Bytes [0, IN_PAGES_START) and [IN_PAGES_END, N) of the read are sent
     in DATA; those between go into PAGES.  */
  in_pages_start = head < n ? head : n;
  in_pages_end = head + pages_size < n ? head + pages_size : n;
  inline_size = in_pages_start + (n - in_pages_end);

  if (inline_size > *datalen)
    {
      buf = mmap (0, inline_size, PROT_READ|PROT_WRITE, MAP_ANON, 0, 0);
      if (buf == MAP_FAILED)
	{
	  pthread_mutex_unlock (&np->lock);
	  return errno;
	}
      ourbuf = 1;
      *data = buf;
    }
  else
    buf = *data;

  if (in_pages_start > 0)
    {
      size_t len = in_pages_start;
      err = _diskfs_rdwr_internal (np, buf, off, &len, 0, notime);
    }
  if (!err && in_pages_end > in_pages_start)
    {
      err = read_into_pages (np, pages, off + in_pages_start,
			     in_pages_end - in_pages_start);
      if (!err && !diskfs_check_readonly () && !notime
	  && atime_should_update (np))
	np->dn_set_atime = 1;
    }
  if (!err && n > in_pages_end)
    {
      size_t len = n - in_pages_end;
      err = _diskfs_rdwr_internal (np, buf + in_pages_start,
				   off + in_pages_end, &len, 0, notime);
    }

  if (diskfs_synchronous)
    diskfs_node_update (np, 1);	/* atime! */

  if (!err)
    {
      *datalen = inline_size;
      *amount_read = n;
      if (offset == -1)
	cred->po->filepointer += n;
    }
  else if (ourbuf)
    munmap (buf, inline_size);

  pthread_mutex_unlock (&np->lock);

  /* The right to PAGES was ours only if the call succeeds; otherwise the
     request is destroyed, and the right with it.  */
  if (!err)
    mach_port_deallocate (mach_task_self (), pages);
  return err;
}
