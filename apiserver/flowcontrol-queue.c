/*
 * flowcontrol-queue.c — seats and fair queues of API Priority and Fairness.
 *
 * A request takes a seat of its level when one is free and nobody waits;
 * otherwise it joins the shortest queue of its flow's hand. A freed seat goes
 * to the head of the next non-empty queue after the one served last (round
 * robin over queues): every flow with requests waiting gets a turn per round,
 * however many requests another flow has queued. Kubernetes orders queues by
 * virtual finish time; with requests of similar cost round robin gives the
 * same shares for less work.
 *
 * The reserve: a flow that already holds a seat may take another only while
 * more than `reserve` seats are free. A flood therefore holds at most three
 * quarters of its level, and a flow that holds nothing — the quiet tenant,
 * the node renewing its lease — never waits behind it.
 */
#include "flowcontrol-internal.h"

#include <string.h>

const char *api_fc_schema_uid(const api_fc_schema *s) {
  return s->uid;
}
const char *api_fc_level_uid(const api_fc_level *l) {
  return l->uid;
}
const char *api_fc_level_name(const api_fc_level *l) {
  return l->name;
}

/* The slot of flow among those holding seats, or a free slot when absent. */
static int held_slot(const api_fc_level *l, uint64_t flow) {
  int free_slot = -1;
  for (int i = 0; i <= l->seats; i++) {
    if (l->held_seats[i] > 0 && l->held_flow[i] == flow)
      return i;
    if (l->held_seats[i] == 0 && free_slot < 0)
      free_slot = i;
  }
  return free_slot;
}

static int held(const api_fc_level *l, uint64_t flow) {
  int slot = held_slot(l, flow);
  return slot >= 0 ? l->held_seats[slot] : 0;
}

static bool may_seat(const api_fc_level *l, uint64_t flow) {
  return l->seats - l->executing > (held(l, flow) > 0 ? l->reserve : 0);
}

static void seat(api_fc_level *l, api_fc_waiter *w) {
  int slot = held_slot(l, w->flow);
  l->held_flow[slot] = w->flow;
  l->held_seats[slot]++;
  l->executing++;
  l->dispatched++;
  ((api_fc_schema *)w->schema)->dispatched++;
  w->seated = true;
}

static void unseat(api_fc_level *l, api_fc_waiter *w) {
  int slot = held_slot(l, w->flow);
  if (slot >= 0 && l->held_seats[slot] > 0)
    l->held_seats[slot]--;
  l->executing--;
  w->seated = false;
}

static int shortest_of_hand(const api_fc_level *l, uint64_t hash) {
  int hand[64];
  api_fc_deal(hash, l->nqueues, l->hand, hand);
  int best = hand[0];
  for (int i = 1; i < l->hand; i++)
    if (l->queues[hand[i]].waiting < l->queues[best].waiting)
      best = hand[i];
  return best;
}

static void push(api_fc_level *l, int q, api_fc_waiter *w) {
  api_fc_queue *queue = &l->queues[q];
  w->next = NULL;
  w->queue = q;
  if (queue->tail)
    queue->tail->next = w;
  else
    queue->head = w;
  queue->tail = w;
  queue->waiting++;
  l->waiting++;
}

/* Take w out of its queue, wherever it stands. */
static void unlink_waiter(api_fc_level *l, api_fc_waiter *w) {
  api_fc_queue *queue = &l->queues[w->queue];
  api_fc_waiter **p = &queue->head, *prev = NULL;
  while (*p && *p != w)
    prev = *p, p = &(*p)->next;
  if (*p == NULL)
    return;
  *p = w->next;
  if (queue->tail == w)
    queue->tail = prev;
  queue->waiting--;
  l->waiting--;
  w->queue = -1;
  w->next = NULL;
}

api_fc_verdict api_flowcontrol_admit(api_flowcontrol *fc, const api_user *u,
                                     const api_request_info *ri, const char *path, double now,
                                     api_fc_waiter *w) {
  const api_fc_schema *s = api_fc_classify(fc, u, ri, path);
  api_fc_level *l = s->level;
  *w = (api_fc_waiter){.schema = s, .level = l, .queue = -1, .since = now, .cls = w->cls};
  if (l->exempt)
    return API_FC_RUN;
  w->flow = api_fc_flow_hash(s, u, ri);
  api_fc_verdict v = API_FC_RUN;
  pthread_mutex_lock(&fc->mu);
  api_fc_schema *counted = (api_fc_schema *)s;
  /* Those waiting all belong to flows that hold seats already: a flow that
   * holds none may pass them (the reserve is there for it). */
  if (may_seat(l, w->flow) && (l->waiting == 0 || held(l, w->flow) == 0)) {
    seat(l, w);
  } else {
    int q = l->reject ? -1 : shortest_of_hand(l, w->flow);
    if (q < 0 || l->queues[q].waiting >= l->queue_limit) {
      l->rejected++;
      counted->rejected++;
      v = API_FC_REJECTED;
    } else {
      push(l, q, w);
      v = API_FC_QUEUED;
    }
  }
  pthread_mutex_unlock(&fc->mu);
  return v;
}

/* The head of the next queue in turn that may be seated (or has waited too
 * long), out of its queue; NULL when none. */
static api_fc_waiter *next_in_turn(api_fc_level *l, double oldest) {
  for (int i = 0; i < l->nqueues; i++) {
    int q = (l->next + i) % l->nqueues;
    api_fc_waiter *w = l->queues[q].head;
    if (w && (w->since < oldest || may_seat(l, w->flow))) {
      l->next = (q + 1) % l->nqueues;
      unlink_waiter(l, w);
      return w;
    }
  }
  return NULL;
}

/* Seat waiters while seats are free; those that waited too long leave
 * without one. All go on *out to be resumed. */
static void dispatch(api_flowcontrol *fc, api_fc_level *l, double now, api_fc_waiter **out) {
  api_fc_waiter *w;
  while (l->executing < l->seats && l->waiting > 0 &&
         (w = next_in_turn(l, now - fc->queue_wait_s)) != NULL) {
    if (now - w->since > fc->queue_wait_s) {
      w->timed_out = true;
      l->timed_out++;
      l->rejected++;
      ((api_fc_schema *)w->schema)->rejected++;
    } else {
      seat(l, w);
    }
    w->next = *out;
    *out = w;
  }
}

api_fc_waiter *api_flowcontrol_release(api_flowcontrol *fc, api_fc_waiter *w, double now) {
  api_fc_level *l = w->level;
  if (l == NULL || l->exempt)
    return NULL;
  api_fc_waiter *resume = NULL;
  pthread_mutex_lock(&fc->mu);
  if (w->queue >= 0) {
    unlink_waiter(l, w);
  } else if (w->seated) {
    unseat(l, w);
  }
  dispatch(fc, l, now, &resume);
  pthread_mutex_unlock(&fc->mu);
  return resume;
}

void api_flowcontrol_render(api_flowcontrol *fc, FILE *f) {
  static const char *const help[][2] = {
      {"nominal_limit_seats", "gauge"},       {"current_executing_requests", "gauge"},
      {"current_inqueue_requests", "gauge"},  {"dispatched_requests_total", "counter"},
      {"rejected_requests_total", "counter"}, {"request_queue_timeouts_total", "counter"},
  };
  pthread_mutex_lock(&fc->mu);
  for (size_t m = 0; m < sizeof help / sizeof help[0]; m++) {
    fprintf(f, "# TYPE apiserver_flowcontrol_%s %s\n", help[m][0], help[m][1]);
    for (size_t i = 0; i < fc->nlevels; i++) {
      const api_fc_level *l = &fc->levels[i];
      unsigned long v[] = {(unsigned long)l->seats,
                           (unsigned long)l->executing,
                           (unsigned long)l->waiting,
                           l->dispatched,
                           l->rejected,
                           l->timed_out};
      fprintf(f, "apiserver_flowcontrol_%s{priority_level=\"%s\"} %lu\n", help[m][0], l->name,
              v[m]);
    }
  }
  fprintf(f, "# TYPE apiserver_flowcontrol_flow_requests_total counter\n");
  for (size_t i = 0; i < fc->nschemas; i++) {
    const api_fc_schema *s = &fc->schemas[i];
    fprintf(f,
            "apiserver_flowcontrol_flow_requests_total{flow_schema=\"%s\",priority_level=\"%s\","
            "result=\"dispatched\"} %lu\n"
            "apiserver_flowcontrol_flow_requests_total{flow_schema=\"%s\",priority_level=\"%s\","
            "result=\"rejected\"} %lu\n",
            s->name, s->level->name, s->dispatched, s->name, s->level->name, s->rejected);
  }
  pthread_mutex_unlock(&fc->mu);
}
