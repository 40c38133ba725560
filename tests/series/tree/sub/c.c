/* A file whose lines have what tools like to reinterpret. */
#define ESC "\t\n\\"
#define GONE 1	/* a replace with no new lines deletes it */
	x = a & b;	/* & and \\1 */
    if (p.*q[0] == 100%) {
		go();
    }
last line
