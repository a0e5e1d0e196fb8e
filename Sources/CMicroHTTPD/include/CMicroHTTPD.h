#ifndef CMICROHTTPD_H
#define CMICROHTTPD_H

// libmicrohttpd, plus a small shim for the calls Swift cannot make itself: MHD_start_daemon,
// MHD_get_daemon_info and MHD_get_connection_info are C-variadic, the external logger takes a
// va_list, and the TLS client-certificate handling needs GnuTLS. Everything here is prefixed `chx_`.

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Receives one formatted libmicrohttpd log message (without a trailing newline).
typedef void (*chx_mhd_log_fn)(void *cls, const char *message);

/// Where libmicrohttpd log messages go. Must outlive the daemon it is given to.
struct chx_mhd_logger {
  chx_mhd_log_fn fn;
  void *cls;
};

/// Told how many connections the shim just closed for not sending a complete request in time.
typedef void (*chx_mhd_count_fn)(void *cls, unsigned int count);

/// Called once per request with the raw request target (before unescaping); the result becomes
/// the request's `*con_cls`.
typedef void *(*chx_mhd_uri_fn)(void *cls, const char *uri, struct MHD_Connection *connection);

/// What the TLS handshake asks of the client.
enum chx_mhd_client_cert_request {
  /// No certificate request.
  CHX_CLIENT_CERT_IGNORE = 0,
  /// Ask for a certificate; the handshake succeeds without one.
  CHX_CLIENT_CERT_REQUEST = 1,
  /// Ask for a certificate; the handshake fails without one.
  CHX_CLIENT_CERT_REQUIRE = 2,
};

/// The client certificate of a connection, as far as the server can tell.
enum chx_mhd_client_cert_status {
  /// Not a TLS connection.
  CHX_CLIENT_CERT_NOT_TLS = -1,
  /// The client sent no certificate.
  CHX_CLIENT_CERT_ABSENT = 0,
  /// The client sent a certificate that does not verify against the trusted CAs.
  CHX_CLIENT_CERT_UNVERIFIED = 1,
  /// The client sent a certificate that verifies against the trusted CAs.
  CHX_CLIENT_CERT_VERIFIED = 2,
};

/// Everything needed to start a daemon. Strings are only read during `chx_mhd_start` unless said
/// otherwise; the caller keeps the TLS strings alive for the daemon's lifetime anyway.
struct chx_mhd_options {
  /// Host name or address to listen on; NULL or "" means all interfaces (dual stack when IPv6 is available).
  const char *host;
  uint16_t port;
  /// Non-zero: listen on `listen_socket`, a bound and listening socket (a copy of a running daemon's), instead
  /// of resolving host and binding port. The daemon closes it when it stops.
  int listen_socket_given;
  int listen_socket;
  unsigned int thread_count;
  unsigned int connection_limit;
  /// The most connections from one client address; 0 = no limit but connection_limit.
  unsigned int per_address_connection_limit;
  /// Seconds of inactivity before a connection is closed, and the time a connection has to deliver a complete
  /// request (from its opening or the end of its previous response) however slowly it sends; 0 = never.
  unsigned int connection_timeout;
  size_t connection_memory_limit;

  /// Must outlive the daemon.
  const struct chx_mhd_logger *logger;
  MHD_AccessHandlerCallback access_handler;
  void *access_handler_cls;
  MHD_RequestCompletedCallback request_completed;
  void *request_completed_cls;
  chx_mhd_uri_fn uri_logger;
  void *uri_logger_cls;
  /// Called from the shim's own thread (never after chx_mhd_stop returned); may be NULL.
  chx_mhd_count_fn closed_without_request;
  void *closed_without_request_cls;

  /// PEM certificate chain; NULL for plain HTTP.
  const char *tls_certificate;
  const char *tls_private_key;
  /// GnuTLS priority string; NULL for the library default.
  const char *tls_priorities;
  /// PEM CA certificates that client certificates are verified against; may be NULL.
  const char *tls_client_ca;
  enum chx_mhd_client_cert_request tls_client_cert_request;
};

/// Starts a daemon (internal poll(2) threads, a thread pool when thread_count > 1).
/// Returns NULL on failure; when the failure happened before libmicrohttpd was called (for
/// example the host did not resolve), `error` holds the reason, otherwise it is empty and the
/// reason went to the logger.
struct MHD_Daemon *chx_mhd_start(const struct chx_mhd_options *options, char *error, size_t error_size);

/// Stops a daemon `chx_mhd_start` started (MHD_stop_daemon), then what the shim kept for it.
void chx_mhd_stop(struct MHD_Daemon *daemon);

/// Loads a PEM certificate chain and private key (and, when not NULL, a PEM client CA) the way the daemon would,
/// without starting one: 0 when they load and the key matches the certificate, -1 with the reason in `error`.
int chx_tls_check(const char *certificate_pem, const char *private_key_pem, const char *client_ca_pem, char *error,
                  size_t error_size);

/// The port the daemon is bound to, or 0 when unknown.
uint16_t chx_mhd_bound_port(struct MHD_Daemon *daemon);

/// The daemon's listening socket, or -1 when unknown.
int chx_mhd_listen_socket(struct MHD_Daemon *daemon);

/// The client address of a connection, or NULL.
const struct sockaddr *chx_mhd_client_address(struct MHD_Connection *connection);

/// The client certificate status of a connection (`enum chx_mhd_client_cert_status`).
int chx_mhd_client_certificate(struct MHD_Connection *connection);

#endif
