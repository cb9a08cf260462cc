/* segment.h - opening the namespace's shared segment (objects/segment.c). */
#ifndef WINSYNC_SEGMENT_H
#define WINSYNC_SEGMENT_H

/* Open or create the segment named by WINSYNC_NAMESPACE; fills ws_g. 0 or -1 (reported). */
int ws_segment_open(void);

#endif
