#ifndef SERVICE_BACKUP_CSSH2_H
#define SERVICE_BACKUP_CSSH2_H
#include <libssh2.h>
#include <libssh2_sftp.h>

// libssh2 exposes several calls only as macros; these are their callable forms.
int sb_ssh2_session_init_done(void);

#endif
