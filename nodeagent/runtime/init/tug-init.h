/*
 * tug-init.h — how the agent starts tug-init, the small static program every
 * container and exec probe process runs between the agent's setup and the
 * image's command (nodeagent/runtime/init/tug-init.c).
 *
 *   argv: "tug-init", TUG_INIT_MARKER, ERRFD, COMMAND, ARGS..., NULL
 *
 * ERRFD is a descriptor number, or "-": where to say why COMMAND could not be
 * exec'd (the agent reads it until EOF: the exec happened). Without the
 * marker, tug-init refuses to run: it was reached some other way, such as an
 * image's script starting "#!/proc/self/exe".
 */
#ifndef TUG_NODEAGENT_INIT_TUG_INIT_H
#define TUG_NODEAGENT_INIT_TUG_INIT_H

#define TUG_INIT_MARKER "--started-by-tug-agent"

/* Exit status when the command could not be exec'd, or tug-init refused. */
enum { TUG_INIT_EXIT_NOEXEC = 127 };

#endif
