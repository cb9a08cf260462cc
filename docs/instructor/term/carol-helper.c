
#ifdef TRACE
#include <stdio.h>
/* trace helper */
static void trace_event(const struct ws_object *e, const char *tag, LONG before)
{ const char *k = e->u.event.manual_reset ? "manual-reset" : "auto-reset"; long now = (long)e->header.signal_state;
  fprintf(stderr, "[%s] event %p (%s): state %ld -> %ld\n", tag, (const void *)e, k, (long)before, now);
  if (now < 0 || now > 1) fprintf(stderr, "[%s] event %p: state %ld is neither 0 nor 1\n", tag, (const void *)e, now); }
#endif
