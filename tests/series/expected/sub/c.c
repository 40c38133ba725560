/* first */
/* A file whose lines have what tools like to reinterpret. */
/* after a two-line anchor */
#define ESC "\t\n\\"
	/* before: & \1 \\ \t */
	x = a & b;	/* & and \\1 */
    if (p.*q[0] == 100%%) {	/* replaced */
    }
last line

tail \

