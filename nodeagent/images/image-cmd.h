/*
 * image-cmd.h — `tug-agent image ls|rm|load [--root DIR] ...` (image-cmd.c).
 */
#ifndef TUG_AGENT_IMAGE_CMD_H
#define TUG_AGENT_IMAGE_CMD_H

/* Run verb on the store under root with its arguments; the process's exit code. */
int agent_image_cmd(const char *verb, const char *root, int argc, char **argv);

#endif
