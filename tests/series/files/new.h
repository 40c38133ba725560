/* new file */
int new_thing;
