#include "CMicroHTTPD.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
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

/* ---- Connections that never deliver a request ----------------------------------------------------------------
 *
 * libmicrohttpd's connection timeout counts inactivity: a client that sends a byte of its request headers every few
 * seconds keeps its connection for ever, and enough of them (a few addresses' worth of the per-address limit) take
 * every connection there is. The tracker gives every connection the connection timeout (and a second) to deliver a
 * complete request (from its opening, or from the end of its previous response), as Go's ReadHeaderTimeout does: a
 * reaper thread shuts
 * down the socket of one that has not, and libmicrohttpd, seeing it closed, closes the connection. A connection whose
 * request is being answered (the access handler was called and the request has not completed) is left alone. The
 * records are removed in the CLOSED notification, which libmicrohttpd sends before it closes the socket, under the
 * same lock as the reaper's shutdown: a socket number is never shut down after libmicrohttpd closed it. */

struct chx_tracked {
  struct chx_tracked *prev, *next;
  MHD_socket fd;
  uint64_t since_ms;
  int in_request;
  int shut;
};

struct chx_tracker {
  struct MHD_Daemon *daemon;
  struct chx_tracker *next_tracker;
  pthread_mutex_t lock;
  struct chx_tracked head;
  uint64_t deadline_ms;
  enum chx_mhd_client_cert_request cert_request;
  MHD_AccessHandlerCallback access;
  void *access_cls;
  MHD_RequestCompletedCallback completed;
  void *completed_cls;
  chx_mhd_count_fn closed_without_request;
  void *closed_without_request_cls;
  pthread_t reaper;
  int reaper_started;
  pthread_cond_t wake;
  int stopping;
};

/* Every tracker of a running daemon, to find it again when the daemon stops. */
static pthread_mutex_t chx_trackers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chx_tracker *chx_trackers = NULL;

static uint64_t chx_now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* The record of a connection (its socket context), or NULL. */
static struct chx_tracked *chx_record(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info == NULL ? NULL : (struct chx_tracked *)info->socket_context;
}

/// MHD_OPTION_NOTIFY_CONNECTION: tracks the connection; for TLS, the session exists but the handshake has not
/// started yet, so this is also where the client-certificate request is set.
static void chx_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                              enum MHD_ConnectionNotificationCode code) {
  struct chx_tracker *tracker = cls;
  if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    struct chx_tracked *record = *socket_context;
    if (record != NULL) {
      pthread_mutex_lock(&tracker->lock);
      record->prev->next = record->next;
      record->next->prev = record->prev;
      pthread_mutex_unlock(&tracker->lock);
      free(record);
      *socket_context = NULL;
    }
    return;
  }
  if (code != MHD_CONNECTION_NOTIFY_STARTED) {
    return;
  }
  if (tracker->deadline_ms > 0) {
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct chx_tracked *record = calloc(1, sizeof *record);
    if (record != NULL && fd != NULL) {
      record->fd = fd->connect_fd;
      record->since_ms = chx_now_ms();
      pthread_mutex_lock(&tracker->lock);
      record->next = tracker->head.next;
      record->prev = &tracker->head;
      tracker->head.next->prev = record;
      tracker->head.next = record;
      pthread_mutex_unlock(&tracker->lock);
      *socket_context = record;
    } else {
      free(record);
    }
  }
  if (tracker->cert_request == CHX_CLIENT_CERT_IGNORE) {
    return;
  }
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (info == NULL || info->tls_session == NULL) {
    return;
  }
  gnutls_certificate_server_set_request(
      (gnutls_session_t)info->tls_session,
      tracker->cert_request == CHX_CLIENT_CERT_REQUIRE ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST);
}

/* The access handler, first marking the connection's request as being answered (its headers are complete). */
static enum MHD_Result chx_access(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  struct chx_tracker *tracker = cls;
  struct chx_tracked *record = chx_record(connection);
  if (record != NULL) {
    pthread_mutex_lock(&tracker->lock);
    record->in_request = 1;
    pthread_mutex_unlock(&tracker->lock);
  }
  return tracker->access(tracker->access_cls, connection, url, method, version, upload_data, upload_data_size,
                         con_cls);
}

/* The request-completed callback, first starting the connection's clock for its next request. */
static void chx_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                          enum MHD_RequestTerminationCode code) {
  struct chx_tracker *tracker = cls;
  struct chx_tracked *record = chx_record(connection);
  if (record != NULL) {
    pthread_mutex_lock(&tracker->lock);
    record->in_request = 0;
    record->since_ms = chx_now_ms();
    pthread_mutex_unlock(&tracker->lock);
  }
  if (tracker->completed != NULL) {
    tracker->completed(tracker->completed_cls, connection, con_cls, code);
  }
}

/* Four times a second, shuts down the sockets of connections past their deadline without a complete request. */
static void *chx_reap(void *argument) {
  struct chx_tracker *tracker = argument;
  pthread_mutex_lock(&tracker->lock);
  while (!tracker->stopping) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 250 * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec += 1;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&tracker->wake, &tracker->lock, &until);
    if (tracker->stopping) {
      break;
    }
    uint64_t now = chx_now_ms();
    unsigned int closed = 0;
    for (struct chx_tracked *record = tracker->head.next; record != &tracker->head; record = record->next) {
      if (!record->in_request && !record->shut && now - record->since_ms > tracker->deadline_ms) {
        shutdown(record->fd, SHUT_RDWR);
        record->shut = 1;
        closed++;
      }
    }
    if (closed > 0 && tracker->closed_without_request != NULL) {
      /* Not under the lock: the server counts and logs them, and a blocked log must not hold up the connections. */
      pthread_mutex_unlock(&tracker->lock);
      tracker->closed_without_request(tracker->closed_without_request_cls, closed);
      pthread_mutex_lock(&tracker->lock);
    }
  }
  pthread_mutex_unlock(&tracker->lock);
  return NULL;
}

static struct chx_tracker *chx_tracker_create(const struct chx_mhd_options *o) {
  struct chx_tracker *tracker = calloc(1, sizeof *tracker);
  if (tracker == NULL) {
    return NULL;
  }
  pthread_mutex_init(&tracker->lock, NULL);
  /* The reaper's waits run on the monotonic clock: a wall clock stepped back (NTP) must not stop it. */
  pthread_condattr_t attributes;
  pthread_condattr_init(&attributes);
  pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
  pthread_cond_init(&tracker->wake, &attributes);
  pthread_condattr_destroy(&attributes);
  tracker->head.next = &tracker->head;
  tracker->head.prev = &tracker->head;
  /* A second past libmicrohttpd's own inactivity timeout: an idle connection is closed by libmicrohttpd on time, so
   * what the reaper closes kept sending without completing its request (and is counted as such). */
  tracker->deadline_ms = o->connection_timeout == 0 ? 0 : (uint64_t)o->connection_timeout * 1000u + 1000u;
  tracker->cert_request = o->tls_certificate != NULL ? o->tls_client_cert_request : CHX_CLIENT_CERT_IGNORE;
  tracker->access = o->access_handler;
  tracker->access_cls = o->access_handler_cls;
  tracker->completed = o->request_completed;
  tracker->completed_cls = o->request_completed_cls;
  tracker->closed_without_request = o->closed_without_request;
  tracker->closed_without_request_cls = o->closed_without_request_cls;
  return tracker;
}

/* Stops the reaper (if it runs) and frees the tracker; the daemon's threads have stopped, no callback runs. */
static void chx_tracker_destroy(struct chx_tracker *tracker) {
  if (tracker->reaper_started) {
    pthread_mutex_lock(&tracker->lock);
    tracker->stopping = 1;
    pthread_cond_signal(&tracker->wake);
    pthread_mutex_unlock(&tracker->lock);
    pthread_join(tracker->reaper, NULL);
  }
  struct chx_tracked *record = tracker->head.next;
  while (record != &tracker->head) {
    struct chx_tracked *next = record->next;
    free(record);
    record = next;
  }
  pthread_cond_destroy(&tracker->wake);
  pthread_mutex_destroy(&tracker->lock);
  free(tracker);
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
  struct chx_tracker *tracker = chx_tracker_create(o);
  if (tracker == NULL) {
    snprintf(error, error_size, "out of memory");
    return NULL;
  }
  CHX_OPTION(MHD_OPTION_NOTIFY_COMPLETED, &chx_completed, tracker);
  CHX_OPTION(MHD_OPTION_NOTIFY_CONNECTION, &chx_on_connection, tracker);
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
  }
  CHX_OPTION(MHD_OPTION_END, 0, NULL);
#undef CHX_OPTION

  struct MHD_Daemon *daemon = MHD_start_daemon(flags, o->port, NULL, NULL, &chx_access, tracker,
                                               MHD_OPTION_EXTERNAL_LOGGER, &chx_log, (void *)o->logger,
                                               MHD_OPTION_ARRAY, items,
                                               MHD_OPTION_END);
  if (daemon == NULL) {
    chx_tracker_destroy(tracker);
    return NULL;
  }
  tracker->daemon = daemon;
  if (tracker->deadline_ms > 0) {
    if (pthread_create(&tracker->reaper, NULL, chx_reap, tracker) == 0) {
      tracker->reaper_started = 1;
    } else if (o->logger != NULL && o->logger->fn != NULL) {
      o->logger->fn(o->logger->cls,
                    "cannot start the thread that closes connections without a complete request: only idle ones are closed");
    }
  }
  pthread_mutex_lock(&chx_trackers_lock);
  tracker->next_tracker = chx_trackers;
  chx_trackers = tracker;
  pthread_mutex_unlock(&chx_trackers_lock);
  return daemon;
}

void chx_mhd_stop(struct MHD_Daemon *daemon) {
  /* Found while the daemon still lives: once MHD_stop_daemon freed it, another daemon may get its address. The
   * callbacks reach the tracker through their cls, not through this list, until the daemon has stopped. */
  pthread_mutex_lock(&chx_trackers_lock);
  struct chx_tracker **link = &chx_trackers;
  while (*link != NULL && (*link)->daemon != daemon) {
    link = &(*link)->next_tracker;
  }
  struct chx_tracker *tracker = *link;
  if (tracker != NULL) {
    *link = tracker->next_tracker;
  }
  pthread_mutex_unlock(&chx_trackers_lock);
  MHD_stop_daemon(daemon);
  if (tracker != NULL) {
    chx_tracker_destroy(tracker);
  }
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

int chx_tls_check(const char *certificate_pem, const char *private_key_pem, const char *client_ca_pem, char *error,
                  size_t error_size) {
  if (error_size > 0) {
    error[0] = '\0';
  }
  gnutls_certificate_credentials_t credentials;
  int rc = gnutls_certificate_allocate_credentials(&credentials);
  if (rc < 0) {
    snprintf(error, error_size, "%s", gnutls_strerror(rc));
    return -1;
  }
  gnutls_datum_t certificate = {(unsigned char *)certificate_pem, (unsigned int)strlen(certificate_pem)};
  gnutls_datum_t key = {(unsigned char *)private_key_pem, (unsigned int)strlen(private_key_pem)};
  rc = gnutls_certificate_set_x509_key_mem(credentials, &certificate, &key, GNUTLS_X509_FMT_PEM);
  if (rc < 0) {
    snprintf(error, error_size, "the certificate and key: %s", gnutls_strerror(rc));
  } else if (client_ca_pem != NULL) {
    gnutls_datum_t ca = {(unsigned char *)client_ca_pem, (unsigned int)strlen(client_ca_pem)};
    rc = gnutls_certificate_set_x509_trust_mem(credentials, &ca, GNUTLS_X509_FMT_PEM);
    if (rc <= 0) {
      snprintf(error, error_size, "the client CA: %s", rc < 0 ? gnutls_strerror(rc) : "no certificate in it");
      rc = -1;
    }
  }
  gnutls_certificate_free_credentials(credentials);
  return rc < 0 ? -1 : 0;
}
