/* ktrans_types.h: the C types of ktrans.defs' own MIG types. */
#ifndef MOSAIC_KTRANS_TYPES_H
#define MOSAIC_KTRANS_TYPES_H

/* An unbounded array of bytes, as the Hurd's hurd_types.h has it. */
typedef char *data_t;

#endif
