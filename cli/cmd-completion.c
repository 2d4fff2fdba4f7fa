/*
 * cmd-completion.c — `tug completion bash`: a script that completes verbs,
 * resource types and, from the live cluster, object names.
 */
#include <string.h>

#include "cli.h"

static const char bash_script[] =
    "# tug bash completion: source <(tug completion bash)\n"
    "_tug() {\n"
    "  local cur=${COMP_WORDS[COMP_CWORD]} verb=${COMP_WORDS[1]}\n"
    "  local verbs='get apply diff delete describe logs scale patch label create rollout "
    "completion version'\n"
    "  local kinds='pods deployments replicasets services nodes namespaces resourcequotas "
    "limitranges queues jobs configmaps secrets events endpoints priorityclasses leases "
    "statefulsets persistentvolumes persistentvolumeclaims storageclasses controllerrevisions'\n"
    "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
    "    COMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\")); return\n"
    "  fi\n"
    "  case $cur in -*) COMPREPLY=($(compgen -W '--namespace --all-namespaces --selector "
    "--output --watch --filename --recursive --dry-run --server' -- \"$cur\")); return ;; esac\n"
    "  case $verb in\n"
    "    get|delete|describe|label|patch|scale)\n"
    "      if [ \"$COMP_CWORD\" -eq 2 ]; then\n"
    "        COMPREPLY=($(compgen -W \"$kinds\" -- \"$cur\"))\n"
    "      else\n"
    "        COMPREPLY=($(compgen -W \"$(tug get \"${COMP_WORDS[2]}\" -o name 2>/dev/null | "
    "sed 's|.*/||')\" -- \"$cur\"))\n"
    "      fi ;;\n"
    "    logs) COMPREPLY=($(compgen -W \"$(tug get pods -o name 2>/dev/null | sed 's|.*/||')\" "
    "-- \"$cur\")) ;;\n"
    "    rollout) COMPREPLY=($(compgen -W 'status history undo' -- \"$cur\")) ;;\n"
    "    *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
    "  esac\n"
    "}\n"
    "complete -F _tug tug\n";

int cmd_completion(cli_ctx *ctx) {
  if (ctx->opts.npos != 1 || strcmp(ctx->opts.pos[0], "bash") != 0)
    return cli_failf("completion: tug completes bash (tug completion bash)");
  fputs(bash_script, stdout);
  return 0;
}
