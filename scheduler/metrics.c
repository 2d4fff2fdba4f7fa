/*
 * metrics.c — see metrics.h.
 */
#include "metrics.h"

#include <stdio.h>

static const double bounds[] = {0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                0.5,   1,     2.5,   5,    10,    30,   60};

void sched_metrics_init(sched_metrics *m, sched_core *core) {
  *m = (sched_metrics){.core = core};
  tug_histogram_init(&m->latency, bounds, sizeof bounds / sizeof bounds[0]);
}

void sched_metrics_observe_latency(sched_metrics *m, double seconds) {
  tug_histogram_observe(&m->latency, seconds);
}

static void render_queues(FILE *f, sched_core *c) {
  fputs("# HELP tug_scheduler_queue_pending Pods waiting in each queue.\n"
        "# TYPE tug_scheduler_queue_pending gauge\n",
        f);
  sched_queues *qs = c->queues;
  for (size_t i = 0; i < qs->n; i++)
    fprintf(f, "tug_scheduler_queue_pending{queue=\"%s\"} %zu\n", qs->v[i]->name,
            sched_queue_pending(qs->v[i]));
  fputs("# HELP tug_scheduler_queue_admitted Pods admitted (assumed or bound) per queue.\n"
        "# TYPE tug_scheduler_queue_admitted gauge\n",
        f);
  for (size_t i = 0; i < qs->n; i++)
    fprintf(f, "tug_scheduler_queue_admitted{queue=\"%s\"} %zu\n", qs->v[i]->name,
            qs->v[i]->admitted.n);
  fputs("# HELP tug_scheduler_queue_weighted_share Weighted DRF share of each queue.\n"
        "# TYPE tug_scheduler_queue_weighted_share gauge\n",
        f);
  for (size_t i = 0; i < qs->n; i++)
    fprintf(f, "tug_scheduler_queue_weighted_share{queue=\"%s\"} %.4f\n", qs->v[i]->name,
            sched_queues_share(qs, qs->v[i]));
}

/* Per queue and resource: what its pods use, borrow, and what it could lend now. */
static void render_queue_resources(FILE *f, sched_queues *qs) {
  static const char *const what[] = {"usage", "borrowed", "lendable"};
  static const char *const help[] = {"Requests of the pods each queue admitted.",
                                     "Use above nominal, borrowed from the cohort or the pool.",
                                     "Nominal quota others may borrow now."};
  for (size_t w = 0; w < 3; w++) {
    fprintf(f, "# HELP tug_scheduler_queue_%s %s\n# TYPE tug_scheduler_queue_%s gauge\n", what[w],
            help[w], what[w]);
    for (size_t i = 0; i < qs->n; i++) {
      sched_res v = qs->v[i]->usage;
      if (w == 1)
        sched_queue_borrowed(qs->v[i], &v);
      else if (w == 2)
        sched_queues_lendable(qs, qs->v[i], &v);
      for (int r = 0; r < SCHED_NRES; r++) /* base units: cores, bytes, pods */
        fprintf(f, "tug_scheduler_queue_%s{queue=\"%s\",resource=\"%s\"} %.17g\n", what[w],
                qs->v[i]->name, sched_res_names[r],
                r == SCHED_CPU ? (double)v.v[r] / 1000 : (double)v.v[r]);
    }
  }
  fputs("# HELP tug_scheduler_queue_wait_seconds From pending to admitted, per queue.\n"
        "# TYPE tug_scheduler_queue_wait_seconds histogram\n",
        f);
  for (size_t i = 0; i < qs->n; i++) {
    char labels[300];
    snprintf(labels, sizeof labels, "queue=\"%s\"", qs->v[i]->name);
    tug_histogram_render(&qs->v[i]->wait, f, "tug_scheduler_queue_wait_seconds", labels);
  }
}

static void render_stats(FILE *f, const sched_stats *s) {
  fprintf(f,
          "# HELP tug_scheduler_schedule_attempts_total Scheduling attempts by result.\n"
          "# TYPE tug_scheduler_schedule_attempts_total counter\n"
          "tug_scheduler_schedule_attempts_total{result=\"scheduled\"} %llu\n"
          "tug_scheduler_schedule_attempts_total{result=\"unschedulable\"} %llu\n"
          "tug_scheduler_schedule_attempts_total{result=\"error\"} %llu\n"
          "# HELP tug_scheduler_preemption_victims_total Pods evicted by preemption.\n"
          "# TYPE tug_scheduler_preemption_victims_total counter\n"
          "tug_scheduler_preemption_victims_total %llu\n"
          "# HELP tug_scheduler_bind_failures_total Binds the API server refused or missed.\n"
          "# TYPE tug_scheduler_bind_failures_total counter\n"
          "tug_scheduler_bind_failures_total %llu\n",
          (unsigned long long)s->scheduled, (unsigned long long)s->unschedulable,
          (unsigned long long)s->errors, (unsigned long long)s->preemptions,
          (unsigned long long)s->bind_failures);
}

static void render_latency(FILE *f, sched_metrics *m) {
  fputs("# HELP tug_scheduler_e2e_scheduling_duration_seconds From pending to bound.\n"
        "# TYPE tug_scheduler_e2e_scheduling_duration_seconds histogram\n",
        f);
  tug_histogram_render(&m->latency, f, "tug_scheduler_e2e_scheduling_duration_seconds", NULL);
}

void sched_metrics_render(FILE *f, void *arg) {
  sched_metrics *m = arg;
  pthread_mutex_lock(&m->core->mu);
  sched_stats s = m->core->stats;
  render_queues(f, m->core);
  render_queue_resources(f, m->core->queues);
  pthread_mutex_unlock(&m->core->mu);
  render_stats(f, &s);
  render_latency(f, m);
  if (m->decider)
    tug_controller_render_metrics(&m->decider, 1, f);
}

int sched_metrics_serve(sched_metrics *m, const tug_metrics_server_options *o, tug_error *err) {
  m->server = tug_metrics_server_start(o, sched_metrics_render, m, err);
  return m->server ? 0 : -1;
}

void sched_metrics_stop(sched_metrics *m) {
  tug_metrics_server_stop(m->server);
  m->server = NULL;
}
