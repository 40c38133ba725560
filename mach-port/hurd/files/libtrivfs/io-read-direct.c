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
#include "trivfs_io_S.h"

/* Implement io_read_direct as described in <hurd/io.defs>.  A translator
   that does not define its own reads with io_read only.  */
kern_return_t __attribute__((weak))
trivfs_S_io_read_direct (struct trivfs_protid *cred,
			 mach_port_t reply,
			 mach_msg_type_name_t replytype,
			 memory_object_t pages,
			 off_t offset,
			 vm_size_t head,
			 vm_size_t pages_size,
			 vm_size_t amount,
			 data_t *data,
			 mach_msg_type_number_t *datalen,
			 vm_size_t *amount_read)
{
  return EOPNOTSUPP;
}
