/* Reads of at least this many bytes are offered to the server's
   io_read_direct, which writes the whole pages of the buffer in place:
   the smallest read that holds a whole page at any alignment.  */
#define READ_DIRECT_MIN (2 * __vm_page_size)

/* The last io port whose server answered that it can read into a proxy,
   and the last that answered it cannot (or has no io_read_direct), so
   that a loop of reads from one does not ask each time.  Only hints: a
   stale value costs an io_read where a direct read could have been, or a
   refused io_read_direct.  */
static io_t read_direct_port, read_direct_refused;

/* Whether PORT's server can read into a proxy: asked once (io_read_direct
   with no object, which reads nothing) before a proxy is made, since
   making one is not free, and on a kernel without copies between objects
   gives the region a pager.  */
static int
read_direct_served (io_t port)
{
  char *data = NULL;
  mach_msg_type_number_t nread = 0;
  vm_size_t amount_read;
  error_t err;

  if (port == read_direct_port)
    return 1;
  if (port == read_direct_refused)
    return 0;
  err = __io_read_direct (port, MACH_PORT_NULL, 0, 0, 0, 0,
			  &data, &nread, &amount_read);
  if (!err && nread != 0)
    __vm_deallocate (__mach_task_self (), (vm_address_t) data, nread);
  if (err)
    {
      read_direct_refused = port;
      return 0;
    }
  read_direct_port = port;
  return 1;
}

/* Read up to *NBYTES bytes from PORT into BUF at OFFSET with
   io_read_direct: the buffer's whole pages are given to the server as a
   write-only proxy of them, and the bytes before and after them come in
   the reply.  Return EOPNOTSUPP when the read is to be made with
   io_read: the buffer has no whole page, it cannot be given, or the
   server has no io_read_direct.  */
static error_t
read_direct (io_t port, void *buf, size_t *nbytes, loff_t offset)
{
  vm_address_t pages = round_page ((vm_address_t) buf);
  vm_size_t head = pages - (vm_address_t) buf;
  vm_size_t pages_size, amount_read, in_pages_start, in_pages_end;
  char inline_buf[2048];
  char *data = inline_buf;
  mach_msg_type_number_t nread = sizeof inline_buf;
  mach_port_t proxy;
  error_t err;

  if (*nbytes < READ_DIRECT_MIN || head >= *nbytes)
    return EOPNOTSUPP;
  pages_size = trunc_page (*nbytes - head);
  if (pages_size == 0 || !read_direct_served (port))
    return EOPNOTSUPP;

  if (__vm_region_create_proxy (__mach_task_self (), pages, VM_PROT_WRITE,
				pages_size, &proxy))
    return EOPNOTSUPP;
  err = __io_read_direct (port, proxy, offset, head, pages_size, *nbytes,
			  &data, &nread, &amount_read);
  __mach_port_deallocate (__mach_task_self (), proxy);
  if (err == EOPNOTSUPP || err == MIG_BAD_ID)
    {
      read_direct_port = MACH_PORT_NULL;
      read_direct_refused = port;
      return EOPNOTSUPP;
    }
  if (err)
    return err;

  in_pages_start = head < amount_read ? head : amount_read;
  in_pages_end = (head + pages_size < amount_read
		  ? head + pages_size : amount_read);
  if (amount_read > *nbytes
      || nread != in_pages_start + (amount_read - in_pages_end))
    err = EGRATUITOUS;	/* Sanity check for bogus server.  */
  else
    {
      memcpy (buf, data, in_pages_start);
      memcpy (buf + in_pages_end, data + in_pages_start,
	      amount_read - in_pages_end);
      *nbytes = amount_read;
    }
  if (data != inline_buf)
    __vm_deallocate (__mach_task_self (), (vm_address_t) data, nread);
  return err;
}

error_t
_hurd_fd_read (struct hurd_fd *fd, void *buf, size_t *nbytes, loff_t offset)
{
  error_t err;
  char *data;
  mach_msg_type_number_t nread;
  int direct;

  error_t readfd (io_t port)
    {
      size_t n = *nbytes;
      error_t err = read_direct (port, buf, &n, offset);

      direct = err != EOPNOTSUPP;
      if (direct)
	{
	  nread = n;
	  return err;
	}
      data = buf;
      nread = *nbytes;
      return __io_read (port, &data, &nread, offset, *nbytes);
    }

  if (err = HURD_FD_PORT_USE_CANCEL (fd, _hurd_ctty_input (port, ctty, readfd)))
    return err;

  if (!direct && data != buf)
    {
      if (nread > *nbytes)	/* Sanity check for bogus server.  */
	{
	  __vm_deallocate (__mach_task_self (), (vm_address_t) data, nread);
	  return EGRATUITOUS;
	}
      memcpy (buf, data, nread);
      __vm_deallocate (__mach_task_self (), (vm_address_t) data, nread);
    }

  *nbytes = nread;
  return 0;
}
