/* A file whose lines have what tools like to reinterpret. */
#define ESC "\t\n\\"
	x = a & b;	/* & and \\1 */
    if (p.*q[0] == 100%) {
		go();
    }
last line
