// TODO: HTTP (libcurl) and SSH (libssh2) transports.
import CCurl
