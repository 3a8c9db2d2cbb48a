/*
 * The client of `npm run bench -- transactions`: one librdkafka producer, transactional or idempotent.
 *
 *   transactions-client BOOTSTRAP TOPIC MODE RECORDS PER_TXN SIZE
 *
 * MODE txn: transactional.id set, init_transactions once, then RECORDS / PER_TXN transactions of PER_TXN
 * records each (begin, produce, commit_transaction, which waits for every record and the commit).
 * MODE idempotent: enable.idempotence, the same RECORDS produced with linger.ms=5 and flushed once.
 * Prints one JSON line: records delivered, errors, seconds, and per-transaction time percentiles (ms).
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long delivered = 0, delivery_errors = 0;
static char last_error[256] = "";

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    delivery_errors++;
    snprintf(last_error, sizeof last_error, "%s", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double percentile(double *sorted, long n, double p) {
  if (n == 0) return -1;
  long i = (long)(p * (n - 1) + 0.5);
  return sorted[i];
}

static void fail(const char *what, rd_kafka_error_t *error) {
  fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  exit(1);
}

static void produce(rd_kafka_t *rk, const char *topic, char *payload, int size, long seq) {
  snprintf(payload, size, "%ld", seq);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, (size_t)size),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err));
      exit(1);
    }
    rd_kafka_poll(rk, 1);
  }
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s BOOTSTRAP TOPIC txn|idempotent RECORDS PER_TXN SIZE\n", argv[0]);
    return 2;
  }
  const char *bootstrap = argv[1], *topic = argv[2], *mode = argv[3];
  long records = atol(argv[4]), per_txn = atol(argv[5]);
  int size = atoi(argv[6]);
  int transactional = strcmp(mode, "txn") == 0;
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "enable.idempotence", "true", errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "linger.ms", "5", errstr, sizeof errstr);
  if (transactional) {
    char id[128];
    snprintf(id, sizeof id, "bench-%s-%ld", topic, (long)time(NULL));
    rd_kafka_conf_set(conf, "transactional.id", id, errstr, sizeof errstr);
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  char *payload = calloc(1, (size_t)size);
  long transactions = transactional ? (records + per_txn - 1) / per_txn : 0;
  double *txn_ms = calloc((size_t)(transactions > 0 ? transactions : 1), sizeof(double));
  rd_kafka_error_t *error;
  if (transactional && (error = rd_kafka_init_transactions(rk, 30000))) fail("init_transactions", error);

  double start = now_ms();
  if (transactional) {
    long seq = 0;
    for (long t = 0; t < transactions; t++) {
      double t0 = now_ms();
      if ((error = rd_kafka_begin_transaction(rk))) fail("begin_transaction", error);
      for (long i = 0; i < per_txn && seq < records; i++) produce(rk, topic, payload, size, seq++);
      if ((error = rd_kafka_commit_transaction(rk, 30000))) fail("commit_transaction", error);
      txn_ms[t] = now_ms() - t0;
    }
  } else {
    for (long seq = 0; seq < records; seq++) {
      produce(rk, topic, payload, size, seq);
      rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 60000);
  }
  double seconds = (now_ms() - start) / 1e3;
  rd_kafka_poll(rk, 0);

  qsort(txn_ms, (size_t)transactions, sizeof(double), cmp_double);
  printf("{\"mode\":\"%s\",\"records\":%ld,\"per_txn\":%ld,\"transactions\":%ld,\"delivered\":%ld,\"delivery_errors\":%ld,"
         "\"last_error\":\"%s\",\"seconds\":%.4f,\"txn_p50_ms\":%.3f,\"txn_p99_ms\":%.3f}\n",
         mode, records, transactional ? per_txn : 0, transactions, delivered, delivery_errors, last_error, seconds,
         percentile(txn_ms, transactions, 0.5), percentile(txn_ms, transactions, 0.99));
  rd_kafka_destroy(rk);
  free(payload);
  free(txn_ms);
  return 0;
}
