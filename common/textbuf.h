/* textbuf.h - appending to fixed-size, NUL-terminated text buffers (report
 * sentences, reasons): what does not fit is cut, never overrun. */
#ifndef DNSFRAG_COMMON_TEXTBUF_H
#define DNSFRAG_COMMON_TEXTBUF_H

#include <stddef.h>

/* printf-style append to dst (len bytes, NUL-terminated); nothing when full. */
void text_appendf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* DNSFRAG_COMMON_TEXTBUF_H */
