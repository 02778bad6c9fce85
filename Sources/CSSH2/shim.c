#include "CSSH2.h"

int sb_ssh2_session_init_done(void) { return libssh2_init(0); }
