/* textbuf.c - see textbuf.h. */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void text_appendf(char *dst, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(dst, len);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + used, len - used, fmt, ap);
	va_end(ap);
}
