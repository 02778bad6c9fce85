#ifndef SERVICE_BACKUP_CCURL_H
#define SERVICE_BACKUP_CCURL_H
#include <curl/curl.h>

// Typed entry points for libcurl's variadic setopt/getinfo, which Swift cannot call.
CURLcode sb_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode sb_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode sb_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode sb_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode sb_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode sb_curl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
CURLcode sb_curl_setopt_data_callback(CURL *handle, CURLoption option, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode sb_curl_setopt_xferinfo_callback(CURL *handle, int (*callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));
CURLcode sb_curl_setopt_seek_callback(CURL *handle, int (*callback)(void *, curl_off_t, int));
CURLcode sb_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode sb_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode sb_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);

// libcurl's return codes for callbacks, which are macros Swift does not import as typed values.
static const long sb_curl_global_all = CURL_GLOBAL_ALL;
static const size_t sb_curl_readfunc_abort = CURL_READFUNC_ABORT;
static const int sb_curl_seekfunc_ok = CURL_SEEKFUNC_OK;
static const int sb_curl_seekfunc_fail = CURL_SEEKFUNC_FAIL;

#endif
