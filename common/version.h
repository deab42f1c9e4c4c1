/* version.h - the one version string every program and report carries. */
#ifndef DNSFRAG_COMMON_VERSION_H
#define DNSFRAG_COMMON_VERSION_H
#define DNSFRAG_VERSION "0.1.0"
#endif /* DNSFRAG_COMMON_VERSION_H */
