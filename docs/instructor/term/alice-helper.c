
#ifdef EVENT_DEBUG
#include <stdio.h>

/* Alice's debugging aid (cc -DEVENT_DEBUG): one line per event operation. */
static void event_debug_print(const struct ws_object *event, const char *where, LONG previous)
{
    const char *kind = event->u.event.manual_reset ? "manual-reset" : "auto-reset";
    long state = (long)event->header.signal_state;
    fprintf(stderr, "[%s] event %p (%s): state %ld -> %ld\n", where, (const void *)event, kind,
            (long)previous, state);
    if (state < 0 || state > 1)
        fprintf(stderr, "[%s] event %p: state %ld is neither 0 nor 1\n", where, (const void *)event, state);
}
#endif
