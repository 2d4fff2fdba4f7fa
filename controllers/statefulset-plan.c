/*
 * statefulset-plan.c — ordinal logic of StatefulSets (see statefulset-plan.h).
 */
#include "statefulset-plan.h"

typedef struct plan {
  ctl_sts_action *out;
  size_t n, max;
} plan;

static void add(plan *p, ctl_sts_verb verb, int ordinal) {
  if (p->n < p->max)
    p->out[p->n++] = (ctl_sts_action){verb, ordinal};
}

static const ctl_sts_pod *find(const ctl_sts_pod *pods, size_t n, int ordinal) {
  for (size_t i = 0; i < n; i++)
    if (pods[i].ordinal == ordinal)
      return &pods[i];
  return NULL;
}

static bool wanted(const ctl_sts_spec *s, int ordinal) {
  return ordinal >= s->start && ordinal < s->start + s->replicas;
}

/* Missing or failed wanted pods; false when OrderedReady must wait. */
static bool bring_up(const ctl_sts_spec *s, const ctl_sts_pod *pods, size_t n, plan *p) {
  bool settled = true;
  for (int o = s->start; o < s->start + s->replicas; o++) {
    const ctl_sts_pod *pod = find(pods, n, o);
    if (pod == NULL)
      add(p, CTL_STS_CREATE, o);
    else if (pod->failed && !pod->terminating)
      add(p, CTL_STS_DELETE, o);
    if (pod == NULL || pod->failed || pod->terminating || !pod->ready) {
      settled = false;
      if (!s->parallel)
        return false;
    }
  }
  return settled;
}

/* Condemned pods (outside the wanted range), highest first. */
static bool scale_down(const ctl_sts_spec *s, const ctl_sts_pod *pods, size_t n, plan *p) {
  int highest = -1;
  bool going = false;
  for (size_t i = 0; i < n; i++) {
    if (wanted(s, pods[i].ordinal))
      continue;
    going |= pods[i].terminating;
    if (!pods[i].terminating && pods[i].ordinal > highest)
      highest = pods[i].ordinal;
    if (s->parallel && !pods[i].terminating)
      add(p, CTL_STS_DELETE, pods[i].ordinal);
  }
  if (!s->parallel && highest >= 0 && !going)
    add(p, CTL_STS_DELETE, highest);
  return highest < 0 && !going;
}

static bool healthy(const ctl_sts_pod *pod) {
  return pod && pod->ready && !pod->terminating && !pod->failed;
}

/* Outdated pods at or above the partition, highest first, while fewer than
 * maxUnavailable wanted pods are down. */
static void roll(const ctl_sts_spec *s, const ctl_sts_pod *pods, size_t n, plan *p) {
  int budget = s->max_unavailable > 0 ? s->max_unavailable : 1;
  for (int o = s->start; o < s->start + s->replicas; o++)
    budget -= !healthy(find(pods, n, o));
  for (int o = s->start + s->replicas - 1; o >= s->start + s->partition && budget > 0; o--) {
    const ctl_sts_pod *pod = find(pods, n, o);
    if (pod && !pod->updated && !pod->terminating && !pod->failed) {
      add(p, CTL_STS_DELETE, o);
      budget--;
    }
  }
}

size_t ctl_sts_plan(const ctl_sts_spec *spec, const ctl_sts_pod *pods, size_t n,
                    ctl_sts_action *out, size_t max) {
  plan p = {out, 0, max};
  bool up = bring_up(spec, pods, n, &p);
  if (!up && !spec->parallel)
    return p.n;
  bool down = scale_down(spec, pods, n, &p);
  if (down && !spec->on_delete)
    roll(spec, pods, n, &p);
  return p.n;
}
