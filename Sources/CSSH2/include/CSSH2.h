#ifndef SERVICE_BACKUP_CSSH2_H
#define SERVICE_BACKUP_CSSH2_H
#include <stddef.h>
#include <libssh2.h>
#include <libssh2_sftp.h>

// libssh2 exposes several calls only as macros; these are their callable forms.
int sb_ssh2_session_init_done(void);
/// A session whose packet-sized blocks are reused rather than returned to the heap; free it with sb_ssh2_session_free.
LIBSSH2_SESSION *sb_ssh2_session_init(void);
void sb_ssh2_session_free(LIBSSH2_SESSION *session);
int sb_ssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description);
LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_for_writing(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, long mode);
LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_for_reading(LIBSSH2_SFTP *sftp, const char *path, size_t path_len);
LIBSSH2_SFTP_HANDLE *sb_ssh2_sftp_open_folder(LIBSSH2_SFTP *sftp, const char *path, size_t path_len);
/// `follow`: stat (1) or lstat (0). Returns 0 or a libssh2 error code.
int sb_ssh2_sftp_stat(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, int follow, LIBSSH2_SFTP_ATTRIBUTES *attributes);
int sb_ssh2_sftp_mkdir(LIBSSH2_SFTP *sftp, const char *path, size_t path_len, long mode);
/// 1 when `path` is a folder, 0 when it is something else, a libssh2 error code (negative) when it cannot be stat'ed.
int sb_ssh2_sftp_is_folder(LIBSSH2_SFTP *sftp, const char *path, size_t path_len);
int sb_ssh2_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path, size_t path_len);
int sb_ssh2_sftp_rename(LIBSSH2_SFTP *sftp, const char *from, size_t from_len, const char *to, size_t to_len);
int sb_ssh2_sftp_close(LIBSSH2_SFTP_HANDLE *handle);

// An RSA private key held by libcrypto, for the rsa-sha2-256 signatures libssh2 1.10 cannot make itself.
typedef struct sb_ssh2_rsa_key sb_ssh2_rsa_key;

/// Parses PEM text (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8); NULL when it holds no unencrypted RSA key.
sb_ssh2_rsa_key *sb_ssh2_rsa_key_from_pem(const char *pem, size_t pem_len);
/// Builds a key from big-endian components (OpenSSH's own key format holds these); NULL when they are unusable.
sb_ssh2_rsa_key *sb_ssh2_rsa_key_from_components(
    const unsigned char *n, size_t n_len, const unsigned char *e, size_t e_len,
    const unsigned char *d, size_t d_len, const unsigned char *p, size_t p_len,
    const unsigned char *q, size_t q_len);
void sb_ssh2_rsa_key_free(sb_ssh2_rsa_key *key);
/// Public-key authentication signing with rsa-sha2-256 (RFC 8332); returns a libssh2 error code.
int sb_ssh2_userauth_rsa_sha256(LIBSSH2_SESSION *session, const char *user, sb_ssh2_rsa_key *key);

// SCP protocol and remote commands, for servers without the SFTP subsystem.
/// A session channel running `command` (exec request), or NULL (see libssh2_session_last_errno).
LIBSSH2_CHANNEL *sb_ssh2_channel_exec(LIBSSH2_SESSION *session, const char *command, size_t command_len);
/// Reads stdout (`stream` 0) or stderr (`stream` 1) of `channel`.
ssize_t sb_ssh2_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t length);
ssize_t sb_ssh2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length);
/// A channel receiving one file of `size` bytes at `path` over the SCP protocol (`scp -t`), or NULL.
LIBSSH2_CHANNEL *sb_ssh2_scp_send(LIBSSH2_SESSION *session, const char *path, int mode, long long size);
/// A channel sending the file at `path` over the SCP protocol (`scp -f`), its size and mtime in `size`/`mtime`; or NULL.
LIBSSH2_CHANNEL *sb_ssh2_scp_recv(LIBSSH2_SESSION *session, const char *path, long long *size, long long *mtime);

#endif
