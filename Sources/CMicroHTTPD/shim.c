#include "CMicroHTTPD.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

union chx_address {
  struct sockaddr any;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  struct sockaddr_storage storage;
};

/// MHD_OPTION_EXTERNAL_LOGGER: format the message here (Swift cannot take a va_list portably).
static void chx_log(void *cls, const char *format, va_list arguments) {
  const struct chx_mhd_logger *logger = cls;
  int saved_errno = errno;
  char message[1024];
  vsnprintf(message, sizeof message, format, arguments);
  size_t length = strlen(message);
  while (length > 0 && (message[length - 1] == '\n' || message[length - 1] == '\r' ||
                        message[length - 1] == ' ')) {
    message[--length] = '\0';
  }
  if (logger != NULL && logger->fn != NULL) {
    logger->fn(logger->cls, message);
  }
  errno = saved_errno;
}

/// MHD_OPTION_NOTIFY_CONNECTION: the TLS session exists but the handshake has not started yet,
/// so this is where the client-certificate request is set.
static void chx_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
  (void)socket_context;
  if (code != MHD_CONNECTION_NOTIFY_STARTED) {
    return;
  }
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == NULL || info->tls_session == NULL) {
    return;
  }
  enum chx_mhd_client_cert_request request = (enum chx_mhd_client_cert_request)(intptr_t)cls;
  gnutls_certificate_server_set_request(
      (gnutls_session_t)info->tls_session,
      request == CHX_CLIENT_CERT_REQUIRE ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST);
}

static int chx_ipv6_available(void) {
  int probe = socket(AF_INET6, SOCK_STREAM, 0);
  if (probe < 0) {
    return 0;
  }
  close(probe);
  return 1;
}

/// Resolves the listen address. Prefers IPv4 when a name has both (as Go's net.Listen does).
static int chx_resolve(const char *host, uint16_t port, union chx_address *address,
                       unsigned int *family_flags, char *error, size_t error_size) {
  memset(address, 0, sizeof *address);
  if (host == NULL || host[0] == '\0') {
    if (chx_ipv6_available()) {
      address->v6.sin6_family = AF_INET6;
      address->v6.sin6_addr = in6addr_any;
      address->v6.sin6_port = htons(port);
      *family_flags = MHD_USE_DUAL_STACK;
    } else {
      address->v4.sin_family = AF_INET;
      address->v4.sin_addr.s_addr = htonl(INADDR_ANY);
      address->v4.sin_port = htons(port);
      *family_flags = 0;
    }
    return 0;
  }

  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo *results = NULL;
  int rc = getaddrinfo(host, NULL, &hints, &results);
  if (rc != 0) {
    snprintf(error, error_size, "cannot resolve host: %s",
             rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
    return -1;
  }
  const struct addrinfo *chosen = NULL;
  for (const struct addrinfo *r = results; r != NULL; r = r->ai_next) {
    if (r->ai_family == AF_INET) {
      chosen = r;
      break;
    }
    if (r->ai_family == AF_INET6 && chosen == NULL) {
      chosen = r;
    }
  }
  if (chosen == NULL || chosen->ai_addrlen > sizeof *address) {
    freeaddrinfo(results);
    snprintf(error, error_size, "cannot resolve host: no IPv4 or IPv6 address");
    return -1;
  }
  memcpy(address, chosen->ai_addr, chosen->ai_addrlen);
  freeaddrinfo(results);
  if (address->any.sa_family == AF_INET6) {
    address->v6.sin6_port = htons(port);
    *family_flags = MHD_USE_IPv6;
  } else {
    address->v4.sin_port = htons(port);
    *family_flags = 0;
  }
  return 0;
}

struct MHD_Daemon *chx_mhd_start(const struct chx_mhd_options *o, char *error, size_t error_size) {
  if (error_size > 0) {
    error[0] = '\0';
  }
  union chx_address address;
  unsigned int family_flags = 0;
  if (o->listen_socket_given) {
    // The socket's own family; libmicrohttpd binds nothing.
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    memset(&address, 0, sizeof address);
    if (getsockname(o->listen_socket, (struct sockaddr *)&bound, &length) == 0 && bound.ss_family == AF_INET6) {
      family_flags = MHD_USE_IPv6;
    }
  } else if (chx_resolve(o->host, o->port, &address, &family_flags, error, error_size) != 0) {
    return NULL;
  }

  // poll(2), not epoll: MHD_quiesce_daemon on an epoll daemon races its own thread over removing the listening
  // socket from the epoll set, and the loser aborts the process (MHD_PANIC on ENOENT, an open libmicrohttpd
  // defect); with poll, quiescing only tells the threads. A reload (HTTPServer.replace) quiesces.
  // Suspend/resume: HTTPResponse.deferred runs slow work (a bcrypt verification) off these threads.
  unsigned int flags = MHD_USE_ERROR_LOG | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | family_flags;
  struct MHD_OptionItem items[16];
  size_t count = 0;
#define CHX_OPTION(name, int_value, pointer_value)          \
  do {                                                       \
    items[count].option = (name);                            \
    items[count].value = (intptr_t)(int_value);              \
    items[count].ptr_value = (void *)(pointer_value);        \
    count++;                                                 \
  } while (0)

  if (o->listen_socket_given) {
    CHX_OPTION(MHD_OPTION_LISTEN_SOCKET, o->listen_socket, NULL);
  } else {
    CHX_OPTION(MHD_OPTION_SOCK_ADDR, 0, &address.any);
  }
  CHX_OPTION(MHD_OPTION_CONNECTION_LIMIT, o->connection_limit, NULL);
  if (o->per_address_connection_limit > 0)
    CHX_OPTION(MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_address_connection_limit, NULL);
  CHX_OPTION(MHD_OPTION_CONNECTION_TIMEOUT, o->connection_timeout, NULL);
  CHX_OPTION(MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->connection_memory_limit, NULL);
  if (o->thread_count > 1) {
    CHX_OPTION(MHD_OPTION_THREAD_POOL_SIZE, o->thread_count, NULL);
  }
  if (o->request_completed != NULL) {
    CHX_OPTION(MHD_OPTION_NOTIFY_COMPLETED, o->request_completed, o->request_completed_cls);
  }
  if (o->uri_logger != NULL) {
    CHX_OPTION(MHD_OPTION_URI_LOG_CALLBACK, o->uri_logger, o->uri_logger_cls);
  }
  if (o->tls_certificate != NULL) {
    flags |= MHD_USE_TLS;
    CHX_OPTION(MHD_OPTION_HTTPS_MEM_CERT, 0, o->tls_certificate);
    CHX_OPTION(MHD_OPTION_HTTPS_MEM_KEY, 0, o->tls_private_key);
    if (o->tls_priorities != NULL) {
      CHX_OPTION(MHD_OPTION_HTTPS_PRIORITIES, 0, o->tls_priorities);
    }
    if (o->tls_client_ca != NULL) {
      CHX_OPTION(MHD_OPTION_HTTPS_MEM_TRUST, 0, o->tls_client_ca);
    }
    if (o->tls_client_cert_request != CHX_CLIENT_CERT_IGNORE) {
      CHX_OPTION(MHD_OPTION_NOTIFY_CONNECTION, &chx_on_connection,
                 (intptr_t)o->tls_client_cert_request);
    }
  }
  CHX_OPTION(MHD_OPTION_END, 0, NULL);
#undef CHX_OPTION

  return MHD_start_daemon(flags, o->port, NULL, NULL, o->access_handler, o->access_handler_cls,
                          MHD_OPTION_EXTERNAL_LOGGER, &chx_log, (void *)o->logger,
                          MHD_OPTION_ARRAY, items,
                          MHD_OPTION_END);
}

uint16_t chx_mhd_bound_port(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info == NULL ? 0 : info->port;
}

int chx_mhd_listen_socket(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_LISTEN_FD);
  return info == NULL ? -1 : (int)info->listen_fd;
}

const struct sockaddr *chx_mhd_client_address(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  return info == NULL ? NULL : info->client_addr;
}

int chx_mhd_client_certificate(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == NULL || info->tls_session == NULL) {
    return CHX_CLIENT_CERT_NOT_TLS;
  }
  gnutls_session_t session = (gnutls_session_t)info->tls_session;
  unsigned int peer_count = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &peer_count);
  if (peers == NULL || peer_count == 0) {
    return CHX_CLIENT_CERT_ABSENT;
  }
  /* The chain, the dates, and the purpose: a certificate whose extended key usage leaves out TLS client
   * authentication (a server's certificate from the same CA) is no client certificate, as Go's crypto/tls, which
   * exporter-toolkit uses, decides too. One without that extension may serve any purpose. */
  gnutls_typed_vdata_st purpose;
  purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
  purpose.data = (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT;
  purpose.size = 0;
  unsigned int status = 0;
  if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) != GNUTLS_E_SUCCESS || status != 0) {
    return CHX_CLIENT_CERT_UNVERIFIED;
  }
  return CHX_CLIENT_CERT_VERIFIED;
}
