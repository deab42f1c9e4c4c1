/* exitcode.h - exit codes of every dnsfrag program: Nagios plugin semantics,
 * so a monitoring system can run any of them directly. */
#ifndef DNSFRAG_COMMON_EXITCODE_H
#define DNSFRAG_COMMON_EXITCODE_H
typedef enum dnsfrag_exit {
	EXIT_HEALTH_OK = 0,       /* every answer arrived */
	EXIT_HEALTH_WARNING = 1,  /* fragments lost, TCP fallback worked */
	EXIT_HEALTH_CRITICAL = 2, /* some answer could not be obtained at all */
	EXIT_HEALTH_UNKNOWN = 3,  /* no measurement: usage error, unreadable input, no permission */
} dnsfrag_exit_t;
#endif /* DNSFRAG_COMMON_EXITCODE_H */
