/* first */
/* A file whose lines have what tools like to reinterpret. */
#define ESC "\t\n\\"
	/* before: & \1 \\ \t */
	x = a & b;	/* & and \\1 */
    if (p.*q[0] == 100%%) {	/* replaced */
    }
last line

tail \

